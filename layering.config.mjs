// The layering of the code, as an import matrix: each folder and the folders it may import (besides
// itself and node/npm packages). Lower layers never import upper ones: the sync engine knows nothing
// of the workspace, the workspace nothing of AppCore or the CLI, the renderer only the contract.
// eslint.config.mjs turns it into lint rules; test/unit/layering.test.ts checks every file (.ts and
// .svelte) against it, and also that no files import each other in a circle.
const C = 'src-main/common';
const N = (f) => `src-main/node/${f}`;

/** folder → folders it may import. The longest matching folder applies to a file. */
export const LAYERS = {
  [C]: [],
  [N('rooted-path')]: [],
  // Which native binaries this runtime loads (Node or Electron): a leaf the index store needs.
  [N('runtime')]: [],
  [N('api')]: [C],
  [N('project')]: [N('rooted-path')],
  [N('keystore')]: [C, N('api'), N('project')],
  [N('sync')]: [N('api'), N('project'), N('rooted-path'), N('runtime')],
  [N('simulation')]: [C, N('api'), N('project'), N('sync')],
  // The whole cloud storage (browse, download, delete, open a case): the pull's pieces, the push's rules.
  [N('storage')]: [C, N('api'), N('project'), N('rooted-path'), N('sync')],
  [N('workspace')]: [C, N('api'), N('keystore'), N('project'), N('rooted-path'), N('simulation'), N('storage'), N('sync')],
  // AppCore maps the workspace's typed data onto the contract: it reads the domain types below it.
  [N('app')]: [C, N('workspace'), N('api'), N('keystore'), N('project'), N('rooted-path'), N('simulation'), N('storage'), N('sync')],
  [N('headless')]: [C, N('app'), N('rooted-path')],
  [N('shell-policy')]: [C, N('api'), N('app'), N('project'), N('rooted-path')],
  // Commands call the workspace and render its typed results (formatters and error types from below).
  'src-main/cli': [C, N('workspace'), N('app'), N('headless'), N('api'), N('project'), N('rooted-path'), N('simulation'), N('storage'), N('sync')],
  'src-main/electron-main': [C, N('api'), N('app'), N('keystore'), N('project'), N('shell-policy')],
  'src-preload': [C, N('shell-policy')],
  'src-renderer': [C],
  emulator: [],
  // Benchmark 8d measures the app's own run lifecycle (the workspace) against the bare tracker.
  bench: ['emulator', N('api'), N('project'), N('simulation'), N('sync'), N('workspace')],
  // Tools (demo, packaging helpers) may use the shell's pure rules too.
  scripts: ['emulator', N('app'), N('headless'), N('runtime'), N('shell-policy')],
};

/** Files allowed to import each other in a circle: none (issue 13 untied the emulator's and the API client's). */
export const CYCLE_EXCEPTIONS = [];

/** The folder (a LAYERS key) a repository-relative path belongs to, or null. */
export function layerOf(rel) {
  let best = null;
  for (const k of Object.keys(LAYERS)) if ((rel === k || rel.startsWith(`${k}/`)) && (!best || k.length > best.length)) best = k;
  return best;
}
