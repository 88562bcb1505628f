// Extracting a result archive (tar or tar.gz) into the case folder, streaming with node-tar's Parser.
// We do not use tar.x: every member goes through our own checks and through placeFile, so
// - names are checked (absolute, '..', NUL, reserved names, too long) and refused with a reason;
// - links (symbolic and hard), device files, FIFOs and other special entries are refused: a result
//   archive has no business creating them, and refusing all links is the simplest rule that can
//   never write through a link outside the folder;
// - each member is written to a temp file in the app's area, fsynced, then moved into place
//   (a crash leaves no torn file in the case folder);
// - a member equal to the local file is a no-op; a differing local file is never overwritten
//   unless it is exactly what we pulled before (see place.ts).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { checkPortableName, type RootedFolder } from '../../rooted-path';
import type { IndexStore } from '../index-store';
import { pullText } from './messages';
import { placeFile, type PlaceOutcome } from './place';
import { PendingRecords } from './records';
import { refusalOf, type RefusalCode } from './result';

/** A member not written: its path as the archive names it, with the reason code and text. */
export interface MemberRefusal {
  name: string;
  code: RefusalCode;
  reason: string;
}

export interface ExtractResult {
  outcomes: PlaceOutcome[];
  refused: MemberRefusal[];
  /** Member path → sha256 of every regular file member accepted (what the cloud holds). */
  members: Record<string, string>;
  /** Non-fatal warnings of the tar parser (e.g. a truncated archive). */
  warnings: string[];
}

export interface ExtractOptions {
  archivePath: string;
  /** The case folder. */
  root: RootedFolder;
  /** Temp area on the same filesystem as the project (e.g. <project>/.cloudhpc-sync/pull-tmp). */
  tmpDir: string;
  index: IndexStore;
  now: Date;
  /** Hash of each member as pulled last time (from the previous extraction of the same archive). */
  lastPulled?: (rel: string) => string | null;
  /** Relative paths no archive may write (the app's own area). */
  reserved?: (rel: string) => boolean;
  /** Only these members are wanted (others are skipped unread, not refused): a restore of some files. */
  only?: (rel: string) => boolean;
  platform?: NodeJS.Platform;
  signal?: AbortSignal;
  onMember?: (o: PlaceOutcome) => void;
  log?: (level: 'info' | 'warn', message: string) => void;
}

interface Staged {
  raw: string;
  rel: string;
  tmp: string;
  sha256: string;
  size: number;
}

const BATCH_FILES = 64;
const BATCH_BYTES = 64 * 1024 * 1024;
const FSYNC_PARALLEL = 8;

async function fsyncAll(files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i += FSYNC_PARALLEL) {
    await Promise.all(
      files.slice(i, i + FSYNC_PARALLEL).map(async (f) => {
        const fh = await open(f, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }),
    );
  }
}

class TruncatedMemberError extends Error {
  override name = 'TruncatedMemberError';
  constructor(readonly detail: string) {
    super(detail);
  }
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

async function writeEntryToTemp(entry: ReadEntry, tmpPath: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  const fh = await open(tmpPath, 'wx', 0o600);
  try {
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
      h.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    // A truncated archive ends the member early: such a member is never put in place.
    if (size !== entry.size) throw new TruncatedMemberError(`${size} of ${entry.size} bytes`);
    // Plain permissions: never setuid/setgid/sticky, never world-writable.
    const mode = ((entry.mode ?? 0o644) & 0o755) | 0o600;
    await fh.chmod(mode);
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), size };
}

function specialEntry(entry: ReadEntry): { code: RefusalCode; reason: string } | undefined {
  const code: Exclude<RefusalCode, 'no-room-for-copy'> | undefined = entry.type === 'SymbolicLink' ? 'symlink-member'
    : entry.type === 'Link' ? 'hardlink-member'
      : entry.type === 'CharacterDevice' || entry.type === 'BlockDevice' ? 'device-member'
        : entry.type === 'FIFO' ? 'fifo-member'
          : FILE_TYPES.has(entry.type) || entry.type === 'Directory' ? undefined : 'special-member';
  if (!code) return undefined;
  return { code, reason: pullText.refusal(code, code === 'special-member' ? entry.type : entry.linkpath ?? '') };
}

export async function extractArchive(opts: ExtractOptions): Promise<ExtractResult> {
  const result: ExtractResult = { outcomes: [], refused: [], members: {}, warnings: [] };
  const platform = opts.platform ?? process.platform;
  await mkdir(opts.tmpDir, { recursive: true });

  const refuse = (name: string, r: { code: RefusalCode; reason: string }) => {
    result.refused.push({ name, code: r.code, reason: r.reason });
    opts.log?.('warn', pullText.log.refused(name, r.reason));
  };

  const handle = async (entry: ReadEntry): Promise<void> => {
    const raw = entry.path;
    const special = specialEntry(entry);
    if (special) {
      refuse(raw, special);
      entry.resume();
      return;
    }
    // './a/b' is common in tar files: strip leading './' segments, nothing else.
    const name = raw.replace(/^(\.\/)+/, '');
    if (name === '' || name === '.' || name === './' || (opts.only && (entry.type === 'Directory' || !opts.only(name)))) {
      entry.resume();
      return;
    }
    const check = checkPortableName(name, { platform });
    if (!check.ok) {
      refuse(raw, check);
      entry.resume();
      return;
    }
    if (opts.reserved?.(check.rel)) {
      refuse(raw, { code: 'app-area', reason: pullText.refusal('app-area') });
      entry.resume();
      return;
    }
    try {
      opts.root.join(check.rel);
    } catch (e) {
      const r = refusalOf(e);
      if (!r) throw e;
      refuse(raw, r);
      entry.resume();
      return;
    }
    if (entry.type === 'Directory') {
      entry.resume();
      try {
        await opts.root.parentForWrite(`${check.rel}/x`, verifiedDirs);
      } catch (e) {
        const r = refusalOf(e);
        if (!r) throw e;
        refuse(raw, r);
      }
      return;
    }
    const tmp = path.join(opts.tmpDir, `member-${randomBytes(8).toString('hex')}`);
    try {
      const { sha256, size } = await writeEntryToTemp(entry, tmp, opts.signal);
      staged.push({ raw, rel: check.rel, tmp, sha256, size });
      stagedBytes += size;
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      if (e instanceof TruncatedMemberError) {
        refuse(raw, { code: 'truncated-member', reason: pullText.refusal('truncated-member', e.detail) });
        return;
      }
      throw e;
    }
    if (staged.length >= BATCH_FILES || stagedBytes >= BATCH_BYTES) await flush();
  };

  // Members are written to temp files as the archive streams by, then placed in batches: the temp
  // files of a batch are fsynced together (in parallel), then moved into place in archive order, and
  // their index records are committed in one transaction. A file never appears under its name
  // before its content is on disk.
  let staged: Staged[] = [];
  let stagedBytes = 0;
  const records = new PendingRecords(opts.index);
  const verifiedDirs = new Set<string>();
  const flush = async (): Promise<void> => {
    const batch = staged;
    staged = [];
    stagedBytes = 0;
    await fsyncAll(batch.map((b) => b.tmp));
    try {
      for (let i = 0; i < batch.length; i++) {
        const b = batch[i]!;
        try {
          const outcome = await placeFile({
            root: opts.root,
            rel: b.rel,
            tempPath: b.tmp,
            sha256: b.sha256,
            size: b.size,
            lastPulled: opts.lastPulled?.(b.rel) ?? null,
            index: records,
            now: opts.now,
            inStorageAsFile: false,
            platform,
            signal: opts.signal,
            verifiedDirs,
          });
          result.members[b.rel] = b.sha256;
          result.outcomes.push(outcome);
          opts.onMember?.(outcome);
        } catch (e) {
          await unlink(b.tmp).catch(() => undefined);
          const r = refusalOf(e);
          if (!r) {
            await Promise.all(batch.slice(i + 1).map((x) => unlink(x.tmp).catch(() => undefined)));
            throw e;
          }
          refuse(b.raw, r);
        }
      }
    } finally {
      records.flush();
    }
  };

  const streamed = new Promise<void>((resolve, reject) => {
    let chain: Promise<void> = Promise.resolve();
    let failed = false;
    const source = createReadStream(opts.archivePath, { highWaterMark: 1 << 20 });
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const parser = new Parser({
      strict: false,
      onwarn: (_code: string, message: string | Error) => {
        const text = typeof message === 'string' ? message : message.message;
        result.warnings.push(text);
        opts.log?.('warn', pullText.log.archiveWarning(path.basename(opts.archivePath), text));
      },
    });
    parser.on('entry', (entry: ReadEntry) => {
      if (failed) {
        entry.resume();
        return;
      }
      chain = chain
        .then(async () => {
          if (failed) entry.resume();
          else await handle(entry);
        })
        .catch(fail);
    });
    parser.on('error', fail);
    source.on('error', fail);
    parser.on('end', () => {
      chain.then(() => {
        if (!failed) resolve();
      }, fail);
    });
    const onAbort = () => fail(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('cancelled'));
    if (opts.signal) {
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    source.pipe(parser);
  });
  try {
    await streamed;
    await flush();
  } catch (e) {
    await Promise.all(staged.map((b) => unlink(b.tmp).catch(() => undefined)));
    throw e;
  }
  return result;
}
