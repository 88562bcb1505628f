#!/usr/bin/env node
// `npm run emulator -- ...`: the emulator's command line, bundled by `npm run build`
// (out/emulator/cli.cjs), or its sources through tsx when they are newer (bin/launch.js).
import { launch } from '../bin/launch.js';

await launch({
  name: 'cloudHPC emulator',
  bundle: 'out/emulator/cli.cjs',
  sources: ['emulator'],
  source: 'emulator/cli.ts',
  start: () => {},
});
