// Proof that a push row did its work: what the next simulation start would see in the emulator's
// storage folder (single files, overlaid by the members of our upload.tar.gz, as extraction does),
// compared with the local files the row pushed. A row whose check fails, or that made no API call,
// is reported as invalid instead of met.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { list } from 'tar';
import type { Emulator, FileDigest } from '../../emulator/index';
import { API_KEY } from './context';

/** Path → size and sha256 of what a run would see in `folder` (the archive wins over single files). */
async function cloudView(emu: Emulator, folder: string): Promise<Map<string, FileDigest>> {
  const view = new Map(Object.entries(await emu.files(API_KEY, folder)));
  view.delete('upload.tar.gz');
  const archive = join(emu.storageDir(API_KEY), folder, 'upload.tar.gz');
  if (existsSync(archive)) {
    const members: Array<Promise<void>> = [];
    await list({
      file: archive,
      onReadEntry: (e) => {
        if (e.type !== 'File') return;
        const h = createHash('sha256');
        let size = 0;
        e.on('data', (c: Buffer) => { h.update(c); size += c.length; });
        members.push(new Promise((resolve) => e.on('end', () => { view.set(e.path.replace(/^\.\//, ''), { size, sha256: h.digest('hex') }); resolve(); })));
      },
    });
    await Promise.all(members);
  }
  return view;
}

export interface PushCheck {
  ok: boolean;
  /** Why the row is invalid (empty when ok). */
  problems: string[];
}

/** Every expected file is in the cloud view with its content, and the push made at least one API call. */
export async function checkPushed(emu: Emulator, folder: string, expected: Record<string, FileDigest>, calls: number): Promise<PushCheck> {
  const problems: string[] = [];
  if (calls < 1) problems.push('no API call was made');
  const view = await cloudView(emu, folder);
  let missing = 0;
  let differ = 0;
  for (const [p, d] of Object.entries(expected)) {
    const c = view.get(p);
    if (!c) missing++;
    else if (c.sha256 !== d.sha256 || c.size !== d.size) differ++;
  }
  if (missing) problems.push(`${missing} of ${Object.keys(expected).length} files missing in storage`);
  if (differ) problems.push(`${differ} files with other content in storage`);
  return { ok: problems.length === 0, problems };
}

/** sha256 and size of local files (relative paths under root). */
export async function localDigests(root: string, paths: readonly string[]): Promise<Record<string, FileDigest>> {
  const { createReadStream } = await import('node:fs');
  const out: Record<string, FileDigest> = {};
  for (const p of paths) {
    const h = createHash('sha256');
    let size = 0;
    for await (const c of createReadStream(join(root, p), { highWaterMark: 1 << 20 })) {
      h.update(c as Buffer);
      size += (c as Buffer).length;
    }
    out[p] = { size, sha256: h.digest('hex') };
  }
  return out;
}
