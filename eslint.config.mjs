import tseslint from 'typescript-eslint';

// The layering rule (after VS Code): only src-main/electron-main/ may import Electron.
// Everything else under src-main is plain Node and is tested without Electron.
const electronBan = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'electron', message: 'Only src-main/electron-main/ may import electron: keep logic in plain Node modules.' }],
    patterns: [{ group: ['electron/*'], message: 'Only src-main/electron-main/ may import electron.' }],
  }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['src-main/**/*.ts', 'emulator/**/*.ts', 'src-renderer/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'], ignores: ['src-main/electron-main/**'], rules: electronBan },
  // The renderer is browser code: it talks to the core through the typed contract only.
  { files: ['src-renderer/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'electron', '**/src-main/node/**', '**/src-main/electron-main/**'], message: 'The renderer reaches the core through the contract (src-main/common/contract.ts), type imports only.' }] }] } },
);
