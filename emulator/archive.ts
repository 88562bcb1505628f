// Archives: safe extraction of input archives (hostile members refused) and creation of result archives.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';

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
