// Synthetic inputs: a large binary file, an OpenFOAM-like case, a tree of many small files, and a
// solver result archive. Contents come from a fast seeded PRNG: case files are ASCII numbers
// (compressible like real OpenFOAM fields), the large file and the result archive are binary
// (incompressible, like binary fields and meshes). Every file gets an mtime one hour in the past, so
// the engine sees settled files (as a case that was on disk before the app started).
import { randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { runTimed } from './proc';

/** xorshift32: deterministic and fast. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x / 0x1_0000_0000;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Log-uniform between lo and hi (most files small, some larger). */
  logUniform(lo: number, hi: number): number {
    return Math.round(Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo))));
  }
}

const MiB = 1024 * 1024;

/** 4 MiB of OpenFOAM-like ASCII vectors "(x y z)". */
export function textPool(seed = 7): Buffer {
  const r = new Rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < 4 * MiB) {
    const line = `(${(r.next() * 2 - 1).toExponential(6)} ${(r.next() * 2 - 1).toExponential(6)} ${(r.next() * 0.1).toExponential(6)})\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, 4 * MiB);
}

function foamHeader(cls: string, object: string): string {
  return `FoamFile\n{\n    version     2.0;\n    format      ascii;\n    class       ${cls};\n    object      ${object};\n}\n// * * * * * //\n\n`;
}

async function writeText(path: string, size: number, pool: Buffer, r: Rng, header: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const h = Buffer.from(header);
  if (size <= 64 * 1024) {
    const body = Buffer.alloc(size);
    h.copy(body, 0, 0, Math.min(h.length, size));
    let off = Math.min(h.length, size);
    while (off < size) {
      const start = r.int(0, pool.length - 1);
      off += pool.copy(body, off, start, Math.min(pool.length, start + (size - off)));
    }
    await writeFile(path, body);
    return;
  }
  const fh = await open(path, 'w');
  try {
    await fh.write(h);
    let left = size - h.length;
    while (left > 0) {
      const start = r.int(0, pool.length - 1);
      const chunk = pool.subarray(start, Math.min(pool.length, start + left));
      await fh.write(chunk);
      left -= chunk.length;
    }
  } finally {
    await fh.close();
  }
}

/** A binary file of random bytes. */
export async function makeRandomFile(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, 'w');
  const buf = Buffer.alloc(8 * MiB);
  try {
    let left = size;
    while (left > 0) {
      const n = Math.min(left, buf.length);
      randomFillSync(buf, 0, n);
      await fh.write(buf, 0, n);
      left -= n;
    }
  } finally {
    await fh.close();
  }
}

/** Sets every file's (and folder's) mtime one hour back: a case that was on disk before the app started. */
export async function ageTree(dir: string): Promise<void> {
  const at = Math.floor(Date.now() / 1000) - 3600;
  await runTimed('find', [dir, '-exec', 'touch', '-h', '-d', `@${at}`, '{}', '+']);
}

export interface CaseInfo {
  /** Relative paths of every file. */
  files: string[];
  bytes: number;
  /** The 10 KB file the small-edit benchmark rewrites. */
  editPath: string;
}

/**
 * An OpenFOAM-like decomposed case: system/, constant/ (with large mesh and surface files), 0/,
 * processorN/<time>/<field> files of 1–50 KB (log-uniform), `count` files in all.
 */
export async function makeCase(dir: string, count: number, bigSizes: readonly number[], seed = 11): Promise<CaseInfo> {
  const r = new Rng(seed);
  const pool = textPool(seed);
  const files: string[] = [];
  let bytes = 0;
  const add = async (rel: string, size: number, cls: string): Promise<void> => {
    await writeText(join(dir, rel), size, pool, r, foamHeader(cls, rel.split('/').pop() as string));
    files.push(rel);
    bytes += size;
  };
  for (const f of ['controlDict', 'fvSchemes', 'fvSolution', 'decomposeParDict', 'blockMeshDict', 'snappyHexMeshDict']) await add(`system/${f}`, r.int(1024, 8192), 'dictionary');
  for (const f of ['transportProperties', 'turbulenceProperties']) await add(`constant/${f}`, r.int(1024, 4096), 'dictionary');
  await add('0/U', 10 * 1024, 'volVectorField');
  const bigNames = ['constant/polyMesh/faces', 'constant/polyMesh/points', 'constant/triSurface/model.stl', 'constant/polyMesh/owner', 'constant/polyMesh/neighbour'];
  for (let i = 0; i < bigSizes.length; i++) await add(bigNames[i % bigNames.length] + (i >= bigNames.length ? `.${i}` : ''), bigSizes[i] as number, 'faceList');
  const fields = ['U', 'p', 'k', 'omega', 'nut', 'phi'];
  const left = count - files.length;
  const procs = Math.max(1, Math.min(64, Math.ceil(left / 150)));
  const times = Math.ceil(left / (procs * fields.length));
  let made = 0;
  outer: for (let p = 0; p < procs; p++) {
    for (let t = 0; t < times; t++) {
      for (const f of fields) {
        if (made >= left) break outer;
        await add(`processor${p}/${(t * 0.05).toFixed(2)}/${f}`, r.logUniform(1024, 50 * 1024), 'volScalarField');
        made++;
      }
    }
  }
  await ageTree(dir);
  return { files, bytes, editPath: '0/U' };
}

/** A tree of `count` small files (200 B – 2 KB) in processor/time folders of about 100 files each. */
export async function makeTree(dir: string, count: number, seed = 23): Promise<{ files: number; bytes: number }> {
  const r = new Rng(seed);
  const pool = textPool(seed);
  let bytes = 0;
  const perDir = 100;
  const dirs = Math.ceil(count / perDir);
  let made = 0;
  const BATCH = 64;
  for (let d = 0; d < dirs; d++) {
    const folder = join(dir, `processor${d % 128}`, `${Math.floor(d / 128)}`);
    await mkdir(folder, { recursive: true });
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < perDir && made < count; i++, made++) {
      const size = r.int(200, 2048);
      bytes += size;
      const start = r.int(0, pool.length - size - 1);
      jobs.push(writeFile(join(folder, `f${i}`), pool.subarray(start, start + size)));
      if (jobs.length >= BATCH) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
  }
  await ageTree(dir);
  return { files: made, bytes };
}

/** ustar header of one regular file. */
function tarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii');
  h.write('0000000\0', 116, 8, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  h.write(`${mtime.toString(8).padStart(11, '0')}\0`, 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/**
 * A solver result archive (tar.gz) of about `targetBytes`: processorN/<time>/<field> members of
 * 1–8 MiB of binary (random) data, as binary-format fields. Written as gzip level 0: deflate stores
 * random data in stored blocks at any level, so the archive is what level 1–9 would give, made in a
 * fraction of the time. Returns the member count.
 */
export async function makeResultArchive(path: string, targetBytes: number, seed = 31): Promise<{ members: number; size: number }> {
  await mkdir(dirname(path), { recursive: true });
  const r = new Rng(seed);
  const gz = createGzip({ level: 0 });
  const out = createWriteStream(path);
  gz.pipe(out);
  const write = async (b: Buffer): Promise<void> => {
    if (!gz.write(b)) await once(gz, 'drain');
  };
  const fields = ['U', 'p', 'k', 'omega', 'nut', 'phi'];
  const mtime = Math.floor(Date.now() / 1000);
  const buf = Buffer.alloc(MiB);
  let total = 0;
  let members = 0;
  while (total < targetBytes) {
    const size = Math.min(r.int(1, 8) * MiB, Math.max(512, targetBytes - total));
    const name = `processor${members % 8}/${(Math.floor(members / 48) * 0.1 + 0.1).toFixed(1)}/${fields[Math.floor(members / 8) % fields.length]}`;
    await write(tarHeader(name, size, mtime));
    let left = size;
    while (left > 0) {
      const n = Math.min(left, buf.length);
      randomFillSync(buf, 0, n);
      await write(Buffer.from(buf.subarray(0, n)));
      left -= n;
    }
    const pad = (512 - (size % 512)) % 512;
    if (pad) await write(Buffer.alloc(pad));
    total += size;
    members++;
  }
  await write(Buffer.alloc(1024));
  gz.end();
  await once(out, 'close');
  const fh = await open(path, 'r');
  const st = await fh.stat();
  await fh.close();
  await utimes(path, new Date(), new Date());
  return { members, size: st.size };
}
