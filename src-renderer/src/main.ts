import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { AppModel } from './lib/app.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const app = new AppModel();
export default mount(App, { target, props: { app } });
