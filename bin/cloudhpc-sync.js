#!/usr/bin/env node
// The `cloudhpc-sync` command from a checkout or an npm install: the bundle built by `npm run build`
// (out/cli/cloudhpc-sync.cjs, plain node), or the TypeScript sources through tsx when they are newer
// than the bundle (bin/launch.js). The installed desktop app has its own launcher that runs the same
// bundle with the app's Electron as Node (build/bin/).
import { launch } from './launch.js';

await launch({
  name: 'cloudhpc-sync',
  bundle: 'out/cli/cloudhpc-sync.cjs',
  sources: ['src-main'],
  source: 'src-main/cli/main.ts',
  start: (mod) => mod.runCli(),
});
