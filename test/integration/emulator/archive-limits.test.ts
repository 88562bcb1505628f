// Issue 16, hole 12 (emulator): input archives are sized before anything is extracted; a zip bomb, a
// zip member that inflates past its declared size, or archives past the total of one run end the run
// in ERROR with a clear `@@@ ERROR` line, and nothing of the refused archive is written.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tar from 'tar';
import type { SimulationRecord } from '../../../emulator/index';
import { KEY, emulator, makeZip, ok, tempDir, upload } from './helpers';

const FDS = "&HEAD CHID='room', TITLE='t' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n";
const durations = { pendingSeconds: 30, runSeconds: 180, stoppingSeconds: 20 };
const limits = { maxRatio: 100, ratioFloorBytes: 1024 ** 2, maxTotalBytes: 8 * 1024 ** 2 };

/** A .tar.gz of real files (Buffers allowed, unlike the shared helper). */
async function tarGzOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const dir = await tempDir('emu-bomb-');
  for (const [rel, content] of Object.entries(files)) await fsp.writeFile(join(dir, rel), content);
  const out = join(dir, '..', `${dir.split('/').pop()}.tar.gz`);
  await tar.c({ gzip: true, file: out, cwd: dir }, Object.keys(files));
  const buf = await fsp.readFile(out);
  await fsp.rm(out, { force: true });
  return buf;
}

async function runOn(emu: Awaited<ReturnType<typeof emulator>>, folder: string): Promise<SimulationRecord> {
  await ok(emu, 'DELETE', '/user/delete-cache');
  const id = await ok<number>(emu, 'POST', '/simulation/add', { cpu: 1, ram: 'standard', folder, script: 'fds6.9.1' });
  await emu.clock.advance(31);
  return ok<SimulationRecord>(emu, 'GET', `/simulation/view/${id}`);
}

describe('emulator: input archive expansion limits', () => {
  it('a zip bomb in tar.gz (16 MiB of zeros in a few KB) ends the run in ERROR; nothing of it is written', async () => {
    const emu = await emulator({ durations, archiveLimits: limits });
    const bomb = await tarGzOf({ 'room.fds': FDS, 'zeros.bin': Buffer.alloc(16 * 1024 ** 2) });
    expect(bomb.length).toBeLessThan(100_000);
    await upload(emu, 'bomb', 'upload.tar.gz', bomb);
    const s = await runOn(emu, 'bomb');
    expect(s.status).toBe(60);
    expect(s.output).toMatch(/@@@ ERROR: upload\.tar\.gz would expand more than 1000 times its size, past the limit of 100 times: nothing of it was extracted/);
    expect(Object.keys(await emu.files(KEY, 'bomb'))).not.toContain('zeros.bin');
  });

  it('an archive past the ratio limit (repetitive, under node-tar\'s own 1000×) ends the run in ERROR', async () => {
    const emu = await emulator({ durations, archiveLimits: limits });
    const block = randomBytes(2048);
    const repetitive = Buffer.concat(Array.from({ length: 2048 }, () => block)); // 4 MiB, ~150-250× smaller gzipped
    await upload(emu, 'dense', 'upload.tar.gz', await tarGzOf({ 'room.fds': FDS, 'rep.bin': repetitive }));
    const s = await runOn(emu, 'dense');
    expect(s.status).toBe(60);
    expect(s.output).toMatch(/@@@ ERROR: upload\.tar\.gz would expand \d+ times its size \(4 MiB\), past the limit of 100 times: nothing of it was extracted/);
    expect(Object.keys(await emu.files(KEY, 'dense'))).not.toContain('rep.bin');
  });

  it('a zip member that inflates past its declared size ends the run in ERROR', async () => {
    const emu = await emulator({ durations, archiveLimits: limits });
    const zip = makeZip([{ name: 'room.fds', data: FDS }, { name: 'zeros.bin', data: '\0'.repeat(4 * 1024 ** 2), deflate: true }]);
    // the central directory says 10 bytes: a lie the extraction must not believe
    const cen = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(10, cen + 24);
    await upload(emu, 'liar', 'case.zip', zip);
    const s = await runOn(emu, 'liar');
    expect(s.status).toBe(60);
    expect(s.output).toMatch(/@@@ ERROR: cannot extract case\.zip: zeros\.bin inflates past its declared size/);
  });

  it('honest archives past the total of one run: the run ends in ERROR and names the limit', async () => {
    const emu = await emulator({ durations, archiveLimits: limits });
    await upload(emu, 'big', 'a.tar.gz', await tarGzOf({ 'room.fds': FDS, 'a.bin': randomBytes(5 * 1024 ** 2) }));
    await upload(emu, 'big', 'b.tar.gz', await tarGzOf({ 'b.bin': randomBytes(5 * 1024 ** 2) }));
    const s = await runOn(emu, 'big');
    expect(s.status).toBe(60);
    expect(s.output).toMatch(/@@@ ERROR: b\.tar\.gz would expand to 5 MiB, past the limit of 8 MiB for the input archives of one run/);
    expect(Object.keys(await emu.files(KEY, 'big'))).not.toContain('b.bin');
  });
});
