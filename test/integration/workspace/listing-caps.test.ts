// Issue 16, hole 8: listings are bounded per operation by a cap derived from the budget. A stand-in
// for the service that invents a new subfolder in every folder, or whose pages are always full of
// new rows, stops `pull --everything` after a few calls with a clear message, instead of thousands.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { startRewriter, type Rewriter } from '../../hostile/servers';
import { cliHere } from './helpers';

const KEY = 'listing-caps-key-0123456789';
const HOURLY = 100;
/** The stand-ins stop inventing after this many folders or pages (so code without a cap ends too). */
const INVENTED = 400;

interface Item { id: number; name: string; basename?: string; dirname?: string; type: string; size?: number | string | null }

describe('unbounded listings are capped by the budget', () => {
  let emu: Emulator;
  let rw: Rewriter;
  let root: string;
  beforeEach(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: HOURLY }], timeScale: 0 });
    root = mkdtempSync(join(tmpdir(), 'listing-caps-'));
  });
  afterEach(async () => {
    await rw.close();
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function pullEverything(folder: string): Promise<{ code: number; stderr: string; stdout: string }> {
    const dir = join(root, folder);
    mkdirSync(dir);
    writeFileSync(join(dir, 'room.fds'), '&HEAD /\n');
    new ProjectRegistry(join(root, 'home')).add(dir);
    await emu.seedFile(KEY, `${folder}/real.txt`, 'real');
    await emu.clock.advance(2);
    return cliHere(['pull', dir, '--everything', '--json'], { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: `${rw.origin}${new URL(emu.url).pathname}`, CLOUDHPC_SYNC_HOME: join(root, 'home') });
  }

  /** A stand-in that adds a new subfolder to the first page of every folder (up to INVENTED). */
  async function inventingStorage(): Promise<Rewriter> {
    const names = new Map<number, string>();
    let next = 900_000;
    const invent = (parent: string): Item => {
      const id = next++;
      const name = `${parent}/sub${id}`;
      names.set(id, name);
      return { id, name, basename: `sub${id}`, dirname: parent, type: 'dir', size: null };
    };
    const listing = /\/storage\/index\/[^/]+\/[^/]+\/parent_id\/(\d+)\/(\d+)$/;
    return startRewriter(new URL(emu.url).origin, (_m, url, json) => {
      const m = listing.exec(url);
      const env = json as { response?: Item[] };
      if (!m || !Array.isArray(env.response) || m[2] !== '1' || names.size >= INVENTED) return undefined;
      const parent = env.response[0]?.dirname ?? env.response[0]?.name.split('/').slice(0, -1).join('/');
      return parent ? { response: [...env.response, invent(parent)] } : undefined;
    }, (_m, url) => {
      const m = listing.exec(url);
      const parent = m ? names.get(Number(m[1])) : undefined;
      if (!m || parent === undefined) return undefined;
      return { response: m[2] === '1' && names.size < INVENTED ? [invent(parent)] : [] };
    });
  }

  /** The operation stopped itself within a quarter of the hourly budget, and said why. */
  function stoppedWithinCap(r: { code: number; stderr: string }): void {
    const listings = rw.calls.filter((c) => c.includes('/storage/index/')).length;
    expect(listings, rw.calls.slice(-5).join('\n')).toBeLessThanOrEqual(HOURLY / 4);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/stopped after \d+ API calls/);
  }

  it('a storage that invents a new subfolder in every folder', async () => {
    rw = await inventingStorage();
    stoppedWithinCap(await pullEverything('tree'));
  }, 120_000);

  it('the storage browser: get of a folder in a storage that invents subfolders', async () => {
    rw = await inventingStorage();
    await emu.seedFile(KEY, 'tree/real.txt', 'real');
    await emu.clock.advance(2);
    stoppedWithinCap(await cliHere(['get', 'tree', join(root, 'dest')], { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: `${rw.origin}${new URL(emu.url).pathname}`, CLOUDHPC_SYNC_HOME: join(root, 'home') }));
  }, 120_000);

  it('pages that are always full of new rows', async () => {
    const listing = /\/storage\/index\/[^/]+\/[^/]+\/parent_id\/(\d+)\/(\d+)$/;
    let folderId = -1;
    rw = await startRewriter(new URL(emu.url).origin, (_m, url, json) => {
      const m = listing.exec(url);
      const env = json as { response?: Item[] };
      if (m && m[2] === '1' && Array.isArray(env.response) && env.response.length > 0) folderId = Number(m[1]);
      return undefined;
    }, (_m, url) => {
      const m = listing.exec(url);
      if (!m || Number(m[1]) !== folderId || m[2] === '1') return undefined;
      const page = Number(m[2]);
      if (page > INVENTED) return { response: [] };
      return { response: Array.from({ length: 100 }, (_, i) => ({ id: 1_000_000 + page * 100 + i, name: `full/f${page}-${i}.txt`, type: 'file', size: 1 })) };
    });
    stoppedWithinCap(await pullEverything('full'));
  }, 120_000);
});
