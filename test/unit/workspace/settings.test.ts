import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL } from '../../../src-main/node/api/client';
import { SettingsStore } from '../../../src-main/node/workspace/settings';

describe('app settings', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'settings-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('starts from the defaults and persists changes', async () => {
    const s = new SettingsStore(dir);
    expect(s.get()).toMatchObject({ baseUrl: DEFAULT_BASE_URL, extractArchives: true, closeToTray: true, notifications: { conflict: true } });
    s.update({ pullAll: true, notifications: { resultsPulled: false } });
    const again = new SettingsStore(dir).get();
    expect(again.pullAll).toBe(true);
    expect(again.notifications).toEqual({ simulationEnded: true, resultsPulled: false, conflict: true, keyRejected: true, simulationWarning: true });
  });

  it('refuses bad values and keeps the old ones', async () => {
    const s = new SettingsStore(dir);
    expect(() => s.update({ pollingShare: 0 })).toThrow();
    expect(() => s.update({ baseUrl: 'ftp://x' })).toThrow();
    expect(() => s.update({ unknown: true })).toThrow();
    expect(s.get().pollingShare).toBeCloseTo(1 / 3);
  });

  it('survives a damaged file (defaults) and lets CLOUDHPC_API_URL win without writing it', async () => {
    await writeFile(join(dir, 'settings.json'), '{ not json');
    expect(new SettingsStore(dir).get().baseUrl).toBe(DEFAULT_BASE_URL);
    const s = new SettingsStore(dir, 'http://127.0.0.1:9/api/v2');
    expect(s.get().baseUrl).toBe('http://127.0.0.1:9/api/v2');
    s.update({ pullAll: true });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')).baseUrl).toBe(DEFAULT_BASE_URL);
  });
});
