// State in a data folder: each key's storage a plain tree, metadata JSON, everything back after a restart.
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index';
import type { SimulationRecord } from '../../../emulator/index';
import { KEY, itemByPath, ok, tarGz, tempDir, upload } from './helpers';

describe('emulator persistence', () => {
  it('keeps storage, ids, simulations and the clock in dataDir across a restart', async () => {
    const dataDir = await tempDir('emu-data-');
    const start = new Date('2026-09-24T10:00:00Z');
    const durations = { pendingSeconds: 30, runSeconds: 180, stoppingSeconds: 20 };
    const a = await startEmulator({ apiKey: KEY, timeScale: 0, dataDir, startTime: start, durations });
    let simId: number;
    let fileId: number;
    try {
      await upload(a, 'caseA', 'upload.tar.gz', await tarGz({ 'room.fds': "&HEAD CHID='room' /\n" }));
      await ok(a, 'DELETE', '/user/delete-cache');
      fileId = (await itemByPath(a, 'caseA/upload.tar.gz')).id;
      simId = await ok<number>(a, 'POST', '/simulation/add', { cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
      await a.clock.advance(60);
      expect(a.storageDir(KEY).startsWith(dataDir)).toBe(true);
      expect(a.storageDir(KEY)).not.toContain(KEY);
    } finally {
      await a.stop();
    }
    // The storage is a plain browsable tree, the state a JSON file.
    const keyDir = (await fsp.readdir(dataDir)).find((d) => d.startsWith('key-'));
    expect(keyDir).toBeDefined();
    expect(await fsp.readFile(join(dataDir, keyDir!, 'caseA', 'room.fds'), 'utf8')).toContain('CHID');
    const state = JSON.parse(await fsp.readFile(join(dataDir, '.emulator', 'state.json'), 'utf8')) as { version: number };
    expect(state.version).toBe(1);
    expect(JSON.stringify(state)).not.toContain(KEY);

    const b = await startEmulator({ apiKey: KEY, timeScale: 0, dataDir, durations });
    try {
      expect(b.clock.now().toISOString()).toBe('2026-09-24T10:01:00.000Z');
      const s = await ok<SimulationRecord>(b, 'GET', `/simulation/view-short/${simId}`);
      expect(s.status).toBe(30);
      expect((await itemByPath(b, 'caseA/upload.tar.gz')).id).toBe(fileId);
      await b.clock.advance(200);
      expect((await ok<SimulationRecord>(b, 'GET', `/simulation/view-short/${simId}`)).status).toBe(10);
      expect(existsSync(join(dataDir, keyDir!, 'caseA', 'FDS.tar.gz'))).toBe(true);
      const next = await ok<number>(b, 'POST', '/simulation/add', { cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
      expect(next).toBeGreaterThan(simId);
    } finally {
      await b.stop();
    }
    expect(existsSync(join(dataDir, keyDir!, 'caseA', 'room.fds'))).toBe(true);
  });

  it('removes its temp folder on stop when running in memory', async () => {
    const e = await startEmulator({ apiKey: KEY, timeScale: 0 });
    const dir = e.storageDir(KEY);
    await e.seedFile(KEY, 'x/y.txt', 'y');
    expect(existsSync(join(dir, 'x', 'y.txt'))).toBe(true);
    await e.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
