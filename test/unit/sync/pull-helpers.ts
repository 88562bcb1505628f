// Test helpers of the pull suites: hand-built (hostile) tar archives and folder snapshots.
import { gzipSync } from 'node:zlib';
import { readdir, lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Header, Pax } from 'tar';

export interface TarMember {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  data?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

function pad512(b: Buffer): Buffer {
  const rest = b.length % 512;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(512 - rest)]);
}

/**
 * A gzipped tar written header by header, so it can hold what tar.c would never write:
 * absolute paths, '..', links out, device files, names of any length (via a pax header).
 */
export function buildTarGz(members: TarMember[]): Buffer {
  const blocks: Buffer[] = [];
  const mtime = new Date('2026-01-01T00:00:00Z');
  for (const m of members) {
    const data = m.data === undefined ? Buffer.alloc(0) : Buffer.from(m.data);
    const type = m.type ?? 'File';
    const size = type === 'File' ? data.length : 0;
    if (Buffer.byteLength(m.path) > 99 || (m.linkpath && Buffer.byteLength(m.linkpath) > 99)) {
      const pax = new Pax({ path: m.path, linkpath: m.linkpath, mtime }, false);
      blocks.push(pax.encode());
    }
    const h = new Header({ path: m.path.slice(0, 99), type, size, mode: m.mode ?? (type === 'Directory' ? 0o755 : 0o644), mtime, linkpath: m.linkpath?.slice(0, 99), uid: 0, gid: 0 });
    h.encode();
    blocks.push(h.block!);
    if (size > 0) blocks.push(pad512(data));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Every path under dir (relative, '/'-separated) with its kind and content hash-free text of small files. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      const st = await lstat(full);
      if (st.isDirectory()) {
        out[rel] = 'dir';
        await walk(full);
      } else if (st.isFile()) out[rel] = `file:${st.size}:${(await readFile(full)).toString('base64').slice(0, 64)}`;
      else out[rel] = st.isSymbolicLink() ? 'symlink' : 'special';
    }
  };
  await walk(dir);
  return out;
}
