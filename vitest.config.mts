import { defineConfig } from 'vitest/config';

// Unit and integration suites (Node). Browser end-to-end suites run under Playwright (playwright.config.ts).
// The keychain suite needs a D-Bus session with an unlocked gnome-keyring: scripts/test.mjs runs it
// separately inside scripts/with-keyring.sh and this config leaves it out unless KEYRING_SUITE=1.
const keyring = process.env.KEYRING_SUITE === '1';
export default defineConfig({
  test: {
    include: keyring ? ['test/keyring/**/*.test.ts'] : ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'emulator/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
