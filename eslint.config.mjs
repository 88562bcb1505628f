import tseslint from 'typescript-eslint';
import { LAYERS } from './layering.config.mjs';

// The layering (layering.config.mjs) as lint rules: in each folder, an import of a folder its folder
// may not import is an error; only the Electron shell imports electron. test/unit/layering.test.ts
// checks the same from the files themselves (.svelte included, which ESLint does not parse here).
const ELECTRON_SHELL = new Set(['src-main/electron-main', 'src-preload', 'scripts']);

/** A relative import reaching into `folder` (from anywhere in the repository). */
function importPattern(folder) {
  const parts = folder.split('/');
  const name = parts.pop().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // src-main/node/sync → '../sync', '../node/sync', '../../src-main/node/sync' ...
  const prefixes = parts.map((_, i) => parts.slice(i).join('/') + '/').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^(\\.\\./)+(${[...prefixes, ''].map((p) => `(${p})`).join('|')})${name}(/|$)`;
}

function layerRules(folder) {
  const allowed = new Set([folder, ...LAYERS[folder]]);
  const patterns = Object.keys(LAYERS)
    .filter((f) => !allowed.has(f))
    .map((f) => ({ regex: importPattern(f), message: `${folder} may not import ${f} (layering.config.mjs; allowed: ${LAYERS[folder].join(', ') || 'nothing'}).` }));
  const paths = [];
  if (!ELECTRON_SHELL.has(folder)) {
    paths.push({ name: 'electron', message: 'Only src-main/electron-main/ (and the preload) may import electron: keep logic in plain Node modules.' });
    patterns.push({ regex: '^electron/', message: 'Only src-main/electron-main/ may import electron.' });
  }
  if (folder === 'src-renderer') patterns.push({ regex: '^node:', message: 'The renderer is browser code: it reaches the core through the contract (src-main/common/contract.ts), type imports only.' });
  return { files: [`${folder}/**/*.ts`, `${folder}/**/*.mts`], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...Object.keys(LAYERS).map(layerRules),
);
