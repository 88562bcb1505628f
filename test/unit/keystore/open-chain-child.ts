// Runs in a child process so that keytar meets a real environment (D-Bus address, no session, a locked
// keyring) set by the parent test. Opens the chain with real keytar, stores a key, prints the status.
// Input: env KS_DATA_DIR, KS_SECRET (hex), KS_TIMEOUT_MS, KS_KEY. Output: one JSON line on stdout.
import { openKeyStore } from '../../../src-main/node/keystore/chain';
import { AesSafeStorage } from './fake-safe-storage';

const dataDir = process.env.KS_DATA_DIR ?? '';
const secret = Buffer.from(process.env.KS_SECRET ?? '', 'hex');
const chain = await openKeyStore({
  service: 'cloudhpc-sync-test',
  dataDir,
  safeStorage: new AesSafeStorage(secret),
  timeoutMs: Number(process.env.KS_TIMEOUT_MS ?? 3000),
  env: {},
});
const probed = chain.status;
let setError: string | null = null;
try {
  await chain.set('http://127.0.0.1:1/api/v2', process.env.KS_KEY ?? '');
} catch (err) {
  setError = err instanceof Error ? err.message : String(err);
}
process.stdout.write(`${JSON.stringify({ probed, after: chain.status, setError, readBackMatches: (await chain.get('http://127.0.0.1:1/api/v2')) === process.env.KS_KEY })}\n`);
// keytar may still hold a libuv thread on a hung D-Bus call: leave without waiting for it.
process.exit(0);
