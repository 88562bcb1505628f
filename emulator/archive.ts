// Archives: safe extraction of input archives (hostile members refused) and creation of result archives.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';

/**
 * Limits on what the input archives of one run may expand to (a zip bomb: 407 KB → 400 MB). The
 * provider's public code and recorded replies say nothing about such limits (its clients only pack
 * the case; the service extracts it): these are the emulator's assumption, so a client sees a clear
 * ERROR run instead of a disk filled by the emulator. An archive is refused before anything of it is
 * written when its members' sizes add up past `maxTotalBytes` (with the archives extracted before it
 * in this run), or past `maxRatio` times its own size once they exceed `ratioFloorBytes` (small
 * archives of repetitive text compress far more than 100× and are harmless).
 */
export interface ArchiveLimits {
  maxRatio: number;
  maxTotalBytes: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxRatio: 200, maxTotalBytes: 8 * 1024 ** 3, ratioFloorBytes: 64 * 1024 ** 2 };

/** Thrown when an archive would expand past the limits; its message is the run's `@@@ ERROR` line text. */
export class ExpansionRefused extends Error {}

/** Checks what an archive of `archiveBytes` would expand to (`expanded`), after `before` bytes of this run. */
export function checkExpansion(name: string, archiveBytes: number, expanded: number, before: number, limits: ArchiveLimits): void {
  if (before + expanded > limits.maxTotalBytes) {
    throw new ExpansionRefused(`${name} would expand to ${mib(expanded)} MiB, past the limit of ${mib(limits.maxTotalBytes)} MiB for the input archives of one run: nothing of it was extracted`);
  }
  if (expanded > limits.ratioFloorBytes && expanded > limits.maxRatio * Math.max(1, archiveBytes)) {
    throw new ExpansionRefused(`${name} would expand ${Math.round(expanded / Math.max(1, archiveBytes))} times its size (${mib(expanded)} MiB), past the limit of ${limits.maxRatio} times: nothing of it was extracted`);
  }
}

const mib = (n: number): number => Math.round((n / 1024 ** 2) * 10) / 10;

/**
 * The bytes a tar archive's members would write (one read of the archive, nothing written). node-tar
 * itself stops reading a gzip stream past 1000× (its own bomb guard): that is a refusal too.
 */
export async function tarExpandedBytes(archive: string, name: string, limits: ArchiveLimits): Promise<number> {
  let total = 0;
  try {
    await tar.t({ file: archive, onReadEntry: (e) => { total += e.size ?? 0; } });
  } catch (e) {
    if (/decompression ratio/i.test((e as Error).message)) {
      throw new ExpansionRefused(`${name} would expand more than 1000 times its size, past the limit of ${limits.maxRatio} times: nothing of it was extracted`);
    }
    throw e;
  }
  return total;
}

export interface ExtractOutcome {
  /** Member paths written (files and folders). */
  extracted: string[];
  /** Member paths refused, with the reason. */
  refused: { path: string; reason: string }[];
}

function refusal(path: string, type: string, linkpath: string | undefined): string | undefined {
  if (path.includes('\0')) return 'NUL in member name';
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.startsWith('\\')) return 'absolute member path';
  const parts = path.split(/[\\/]+/);
  if (parts.includes('..')) return '".." in member path';
  if (type === 'SymbolicLink' || type === 'Link') return `link member${linkpath ? ` to "${linkpath}"` : ''}`;
  if (!['File', 'OldFile', 'ContiguousFile', 'Directory'].includes(type)) return `unsupported member type ${type}`;
  return undefined;
}

/**
 * Extracts a .tar.gz/.tgz/.tar archive into `dest`. Members with absolute paths, ".." segments,
 * links or special types are refused (skipped and reported), never written.
 */
export async function extractArchiveSafely(archive: string, dest: string): Promise<ExtractOutcome> {
  const outcome: ExtractOutcome = { extracted: [], refused: [] };
  await tar.x({
    file: archive,
    cwd: dest,
    preservePaths: false,
    noChmod: true,
    preserveOwner: false,
    filter: (path, entry) => {
      const type = 'type' in entry ? String(entry.type) : 'File';
      const linkpath = 'linkpath' in entry ? entry.linkpath : undefined;
      const why = refusal(path, type, linkpath);
      if (why) {
        outcome.refused.push({ path, reason: why });
        return false;
      }
      const clean = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
      if (clean) outcome.extracted.push(clean);
      return true;
    },
    onwarn: (_code, message) => {
      outcome.refused.push({ path: '', reason: message });
    },
  });
  return outcome;
}

/** Writes `files` (relative path → content) as a gzip tar archive at `target`, via a staging folder. */
export async function createArchive(target: string, staging: string, files: Record<string, string | Buffer>): Promise<void> {
  await fsp.mkdir(staging, { recursive: true });
  try {
    for (const [rel, content] of Object.entries(files)) {
      const full = join(staging, ...rel.split('/'));
      await fsp.mkdir(join(full, '..'), { recursive: true });
      await fsp.writeFile(full, content);
    }
    const tops = [...new Set(Object.keys(files).map((p) => p.split('/')[0] ?? p))].sort();
    await tar.c({ gzip: true, file: target, cwd: staging, portable: true }, tops);
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}
