// Child process of pull-kill.test.ts: one pull, to be killed with SIGKILL at any instant.
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
const r = await pullProject({ client, index, projectDir: env('PULL_PROJECT'), storageFolder: 'case', settings: { script: 'fds6.9.1' } });
index.close();
await client.close();
process.stdout.write(`${JSON.stringify({ downloaded: r.downloaded.length, written: r.written.length, conflicts: r.conflicts.length })}\n`);
