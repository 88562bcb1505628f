// A conflict made by a pull reaches the UI as a typed conflict without any text parsing: every
// sentence the pull writes (sync/pull/messages.ts) is replaced here by a nonsense word, and the
// conflict still arrives, typed, through the real pull, the index, the workspace and AppCore's
// contract views; resolving it works. (The emulator on loopback, a real case folder.)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { AppCore } from '../../../src-main/node/app/app-core';
import { cleanUpAfterEach, nextEvent, ok } from './helpers';

vi.mock('../../../src-main/node/sync/pull/messages', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src-main/node/sync/pull/messages')>();
  const reword = (o: object): object => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'function' ? () => `xyzzy-${k}` : reword(v as object)]));
  return { pullText: reword(real.pullText) };
});

const KEY = 'reworded-key-0123456789';

let emu: Emulator | null = null;
let core: AppCore | null = null;
let root = '';
cleanUpAfterEach(() => ({ app: core, emu, root }));

describe('conflicts are typed from end to end', () => {
  it('every pull message reworded: the conflict still reaches the UI, typed, and resolves', async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
    root = mkdtempSync(join(tmpdir(), 'reworded-'));
    const dir = join(root, 'case');
    mkdirSync(dir);
    writeFileSync(join(dir, 'probe.csv'), 'my local probe data\n');
    await emu.seedFile(KEY, 'case/probe.csv', 'the run wrote this\n');
    core = await AppCore.create({ transport: 'headless', home: join(root, 'home'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false });
    const p = ok(await core.call('addProject', { dir }));
    const pulled = nextEvent(core.workspace, 'resultsPulled');
    ok(await core.call('pullNow', { projectId: p.id }));
    const { result } = await pulled;
    expect(result.conflicts).toHaveLength(1);

    const view = ok(await core.call('getState', {})).projects[0]!;
    expect(view.conflicts).toHaveLength(1);
    const c = view.conflicts[0]!;
    expect(c).toMatchObject({ id: result.conflicts[0]!.id, path: 'probe.csv', code: 'local-differs' });
    expect(c.cloudCopyPath).toMatch(/^probe\.cloudhpc-\d{8}-\d{6}\.csv$/);
    // The words are the reworded ones: nobody read them to find the conflict.
    expect(c.reason).toBe('xyzzy-conflict');
    expect(view.activity.some((a) => a.kind === 'conflict' && a.message === 'xyzzy-conflict')).toBe(true);

    const after = ok(await core.call('resolveConflict', { projectId: p.id, conflictId: c.id, keep: 'cloud' }));
    expect(after.conflicts).toEqual([]);
    expect(readFileSync(join(dir, 'probe.csv'), 'utf8')).toBe('the run wrote this\n');
    expect(existsSync(join(dir, c.cloudCopyPath))).toBe(false);
    expect(core.workspace.conflicts(p.id)).toEqual([]);
  });
});
