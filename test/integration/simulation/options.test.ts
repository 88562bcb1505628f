import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { checkChoice, explainRam, formatOptions, SimulationOptionsCache } from '../../../src-main/node/simulation/options';

const KEY = 'options-key-0123456789';

describe('simulation options cache', () => {
  let emu: Emulator;
  let client: CloudHpcClient;
  let dir: string;
  beforeEach(async () => {
    emu = await startEmulator({ apiKey: KEY, timeScale: 0 });
    client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url });
    dir = await mkdtemp(join(tmpdir(), 'sim-options-'));
  });
  afterEach(async () => {
    await client.close();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks the service once a day (3 calls), serves the cache in between, refreshes on demand', async () => {
    let now = 1_000_000;
    const cache = new SimulationOptionsCache({ dir, now: () => now });
    const first = await cache.get(client, emu.url);
    expect(first.cached).toBe(false);
    expect(first.cpus.length).toBeGreaterThan(0);
    expect(emu.calls(KEY).total).toBe(3);
    now += 23 * 3_600_000;
    const again = await new SimulationOptionsCache({ dir, now: () => now }).get(client, emu.url);
    expect(again.cached).toBe(true);
    expect(again.scripts).toEqual(first.scripts);
    expect(emu.calls(KEY).total).toBe(3);
    now += 2 * 3_600_000;
    expect((await cache.get(client, emu.url)).cached).toBe(false);
    expect(emu.calls(KEY).total).toBe(6);
    expect((await cache.get(client, emu.url, { refresh: true })).cached).toBe(false);
    expect(emu.calls(KEY).total).toBe(9);
    // another service URL has its own entry
    expect((await cache.get(client, 'http://other.invalid/api/v2')).cached).toBe(false);
  });

  it('ignores a corrupt cache file and rewrites it', async () => {
    await writeFile(join(dir, 'simulation-options.json'), '{not json');
    const cache = new SimulationOptionsCache({ dir });
    expect((await cache.get(client, emu.url)).cached).toBe(false);
    expect((await cache.get(client, emu.url)).cached).toBe(true);
  });

  it('explains the choices and refuses ones the service does not offer', async () => {
    const o = await new SimulationOptionsCache({ dir }).get(client, emu.url);
    expect(explainRam('highmem', 4)).toContain('32 GB');
    const text = formatOptions(o);
    expect(text).toContain('SPOT');
    expect(text).toContain('restart');
    expect(checkChoice({ cpu: o.cpus[0]!, ram: o.rams[0]!, script: o.scripts[0]! }, o)).toEqual([]);
    const errs = checkChoice({ cpu: 3, ram: 'huge', script: 'fds9' }, o);
    expect(errs).toHaveLength(3);
    expect(errs[0]).toContain('not offered');
  });
});
