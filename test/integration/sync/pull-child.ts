// Child process of pull-kill.test.ts and interrupted-temps.test.ts: one pull, to be killed with
// SIGKILL at any instant. Run it as `node --import tsx pull-child.ts` so the process that is killed is
// the one that pulls (the tsx command would be a wrapper with the pull in a child of its own).
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { pullProject } from '../../../src-main/node/sync/pull/pull';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

const client = new CloudHpcClient({ baseUrl: env('PULL_EMU_URL'), apiKey: env('PULL_KEY') });
const index = IndexStore.open(env('PULL_INDEX'));
const r = await pullProject({
  client,
  index,
  projectDir: env('PULL_PROJECT'),
  storageFolder: process.env.PULL_FOLDER ?? 'case',
  settings: { script: 'fds6.9.1', pullEverything: process.env.PULL_EVERYTHING === '1' },
});
index.close();
await client.close();
process.stdout.write(`${JSON.stringify({ downloaded: r.downloaded.length, written: r.written.length, conflicts: r.conflicts.length, failed: r.failed.length })}\n`);
if (r.failed.length > 0) process.exitCode = 6;
