// What is never pushed: the defaults below plus the project's .cloudhpcignore (gitignore syntax,
// matched by the `ignore` package). chokidar 5 has no globs, so the watcher asks this object
// through its function form of `ignored`.
import ignore, { type Ignore } from 'ignore';
import { closeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { isLocalFileChanged, openRegularFileSync } from '../api/local-file';
import { APP_DIR_NAME, ARCHIVE_NAME } from './paths';

export const IGNORE_FILE = '.cloudhpcignore';
/** A longer ignore file is refused (it is a few lines of patterns; this bounds what is read). */
export const IGNORE_FILE_MAX_BYTES = 1024 * 1024;

/** The project's .cloudhpcignore cannot be used: its rules are unknown, so nothing is pushed until it is fixed. */
export class IgnoreFileError extends Error {
  constructor(readonly path: string, why: string) {
    super(`${IGNORE_FILE} ${why}: replace it with a plain text file of patterns (at most ${IGNORE_FILE_MAX_BYTES / 1024 / 1024} MiB), or remove it. Nothing is pushed until then (its rules are unknown).`);
    this.name = 'IgnoreFileError';
  }
}

/**
 * The text of <root>/.cloudhpcignore ('' when there is none). Opened without following a link and
 * without waiting on a FIFO, checked on the descriptor (a regular file, at most the cap), read up to
 * the cap: a FIFO, a link to /dev/zero or a huge file is an IgnoreFileError, never a hang.
 */
function readIgnoreFile(root: string): string {
  const path = join(root, IGNORE_FILE);
  let opened: ReturnType<typeof openRegularFileSync>;
  try {
    opened = openRegularFileSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return '';
    if (isLocalFileChanged(e)) throw new IgnoreFileError(path, 'is not a regular file (a link, a folder, a FIFO or a device)');
    throw new IgnoreFileError(path, `cannot be read (${(e as Error).message})`);
  }
  try {
    if (opened.stat.size > IGNORE_FILE_MAX_BYTES) throw new IgnoreFileError(path, `is larger than ${IGNORE_FILE_MAX_BYTES / 1024 / 1024} MiB`);
    // not zero-filled (1.4 ms at every scan): only the bytes read, 0..n, are decoded
    const buf = Buffer.allocUnsafe(IGNORE_FILE_MAX_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(opened.fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
      if (n > IGNORE_FILE_MAX_BYTES) throw new IgnoreFileError(path, `is larger than ${IGNORE_FILE_MAX_BYTES / 1024 / 1024} MiB`);
    }
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(opened.fd);
  }
}

/** Editor swap/temp files, VCS and OS junk, the app's own files. Conflict copies are user files: not here. */
export const DEFAULT_IGNORES: readonly string[] = [
  '*~',
  '.*.swp',
  '.*.swo',
  '.*.swx',
  '.#*',
  '\\#*#',
  '.git/',
  '.svn/',
  '.hg/',
  '.DS_Store',
  '._*',
  'Thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  '$RECYCLE.BIN/',
  `${APP_DIR_NAME}/`,
  '*.cloudhpc-tmp',
  `/${IGNORE_FILE}`,
  // A local file of this name would overwrite our snapshot archive in storage.
  `/${ARCHIVE_NAME}`,
];

// The defaults above, compiled for speed (a scan asks once per entry; 100,000 entries must cost
// milliseconds, and the `ignore` package is several times slower). Names at any depth; folder-only
// names; names that only count at the project root. Kept equivalent to DEFAULT_IGNORES (unit-tested).
const DEFAULT_NAME_RE = /~$|^\..*\.sw[pox]$|^\.#|^#.*#$|^\.DS_Store$|^\._|^Thumbs\.db$|^ehthumbs\.db$|^desktop\.ini$|\.cloudhpc-tmp$/;
export const DEFAULT_DIR_NAMES: ReadonlySet<string> = new Set(['.git', '.svn', '.hg', '$RECYCLE.BIN', APP_DIR_NAME]);
const DEFAULT_ROOT_FILES: ReadonlySet<string> = new Set([IGNORE_FILE, ARCHIVE_NAME]);

/** The defaults for one entry whose parent folders are known not to be ignored. */
function defaultIgnoresName(name: string, atRoot: boolean, isDir: boolean): boolean {
  if (isDir && DEFAULT_DIR_NAMES.has(name)) return true;
  if (DEFAULT_NAME_RE.test(name)) return true;
  return atRoot && DEFAULT_ROOT_FILES.has(name);
}

function defaultIgnores(rel: string, isDir: boolean): boolean {
  const parts = rel.split('/');
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    if (defaultIgnoresName(parts[i] as string, i === 0, i < last || isDir)) return true;
  }
  return false;
}

export class IgnoreRules {
  private readonly matcher: Ignore | null;
  readonly userPatterns: readonly string[];

  /** Folders of the app inside the case ('/'-separated, relative): never synced, whatever the patterns say. */
  readonly appDirs: readonly string[];

  constructor(userPatterns: readonly string[] = [], appDirs: readonly string[] = []) {
    this.userPatterns = userPatterns;
    this.appDirs = appDirs;
    const real = userPatterns.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    this.matcher = real.length > 0 ? ignore().add([...userPatterns]) : null;
  }

  /** Reads <root>/.cloudhpcignore when present. Throws IgnoreFileError when it cannot be used (see readIgnoreFile). */
  static load(root: string, appDirs: readonly string[] = []): IgnoreRules {
    return new IgnoreRules(readIgnoreFile(root).split(/\r?\n/), appDirs);
  }

  private inAppDir(rel: string): boolean {
    for (const d of this.appDirs) if (rel === d || rel.startsWith(`${d}/`)) return true;
    return false;
  }

  /**
   * For a walk that never descends into ignored folders: the entry `name` at `rel` (its parents are
   * not ignored). Cheaper than ignores(): only the last segment is checked against the defaults.
   */
  ignoresEntry(rel: string, name: string, isDir: boolean): boolean {
    if (defaultIgnoresName(name, rel === name, isDir)) return true;
    if (this.appDirs.length > 0 && this.inAppDir(rel)) return true;
    return this.matcher !== null && this.matcher.ignores(isDir ? `${rel}/` : rel);
  }

  /** rel is '/'-separated and relative to the project root; isDir marks folders (gitignore's trailing-slash rules). */
  ignores(rel: string, isDir = false): boolean {
    if (rel === '' || rel === '.') return false;
    if (defaultIgnores(rel, isDir)) return true;
    if (this.appDirs.length > 0 && this.inAppDir(rel)) return true;
    return this.matcher !== null && this.matcher.ignores(isDir ? `${rel}/` : rel);
  }
}

/** The defaults through the `ignore` package (the reference the compiled form is tested against). */
export function referenceDefaultIgnores(rel: string, isDir = false): boolean {
  return ignore().add([...DEFAULT_IGNORES]).ignores(isDir ? `${rel}/` : rel);
}
