// Test page for the run insight components: mounts RunInsightPanel with the app's stylesheet; the
// Playwright spec hands it RunInsightView objects (window.__setInsight) and reads the actions.
import { mount } from 'svelte';
import '../../../src-renderer/src/app.css';
import Harness from './Harness.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('no #app');
mount(Harness, { target });
