// Acceptance (issue 13): a pull of a big storage folder against the default ('evidence') emulator,
// which pages like the framework matching the service (100 rows, page 1 again past the last page):
// each file is downloaded exactly once, and the listing costs the pages needed plus at most one.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorProfile } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { pullProject } from '../../../src-main/node/sync/pull/pull';

const KEY = 'pull-paging-key';
const LISTING = 'GET /storage/index/{field}/{order}/parent_id/{id}/{page}';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setUp(files: number, profile?: EmulatorProfile): Promise<{ emu: Emulator; client: CloudHpcClient; project: string; index: IndexStore }> {
  const emu = await startEmulator({ apiKey: KEY, timeScale: 0, ...(profile ? { profile } : {}) });
  cleanup.push(() => emu.stop());
  const client = new CloudHpcClient({ baseUrl: emu.url, apiKey: KEY, retry: { maxAttempts: 2 } });
  cleanup.push(() => client.close());
  const root = await mkdtemp(path.join(os.tmpdir(), 'pull-paging-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const project = path.join(root, 'case');
  await mkdir(project);
  const index = IndexStore.open(path.join(root, 'index.sqlite'));
  cleanup.push(async () => index.close());
  for (let i = 0; i < files; i++) await emu.seedFile(KEY, `case/probe${String(i).padStart(3, '0')}.csv`, `p${i}`);
  await emu.clock.advance(2); // past the files' first second (their mediaLink is empty until then)
  return { emu, client, project, index };
}

describe('pull of a big storage folder (default emulator profile)', () => {
  it.each([
    [250, 3], // pages of 100, 100 and 50: the short page ends it
    [200, 3], // 100, 100, then page 1 again: one call more than the pages needed
  ])('%i files: each downloaded exactly once, %i listing calls', async (files, listing) => {
    const { emu, client, project, index } = await setUp(files);
    const before = emu.calls(KEY).byEndpoint;
    const r = await pullProject({ client, index, projectDir: project, storageFolder: 'case', settings: { script: 'fds6.9.1' } });
    const after = emu.calls(KEY).byEndpoint;
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect(r.failed).toEqual([]);
    expect(r.downloaded).toHaveLength(files);
    expect(new Set(r.downloaded).size).toBe(files);
    expect(delta('GET /storage/view-url/{id}')).toBe(files); // one link per file, no file twice
    expect(delta(LISTING)).toBe(listing);
    expect(delta(LISTING)).toBeLessThanOrEqual(Math.ceil(files / 100) + 1);
    expect(await readFile(path.join(project, `probe${String(files - 1).padStart(3, '0')}.csv`), 'utf8')).toBe(`p${files - 1}`);
    expect(emu.calls(KEY).total - Object.values(before).reduce((a, b) => a + b, 0)).toBe(r.apiCalls);
  });

  it('the classic profile (20 rows, an empty page past the end) pulls the same folder the same way', async () => {
    const { emu, client, project, index } = await setUp(250, 'classic');
    const r = await pullProject({ client, index, projectDir: project, storageFolder: 'case', settings: { script: 'fds6.9.1' } });
    expect(new Set(r.downloaded).size).toBe(250);
    expect(r.downloaded).toHaveLength(250);
    expect(emu.calls(KEY).byEndpoint[LISTING]).toBe(13); // 12 full pages and a short one
  });
});
