// What is never pushed: the defaults below plus the project's .cloudhpcignore (gitignore syntax,
// matched by the `ignore` package). chokidar 5 has no globs, so the watcher asks this object
// through its function form of `ignored`.
import ignore, { type Ignore } from 'ignore';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DIR_NAME, ARCHIVE_NAME } from './paths';

export const IGNORE_FILE = '.cloudhpcignore';

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

  constructor(userPatterns: readonly string[] = []) {
    this.userPatterns = userPatterns;
    const real = userPatterns.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    this.matcher = real.length > 0 ? ignore().add([...userPatterns]) : null;
  }

  /** Reads <root>/.cloudhpcignore when present. */
  static load(root: string): IgnoreRules {
    let text = '';
    try {
      text = readFileSync(join(root, IGNORE_FILE), 'utf8');
    } catch {
      // no ignore file: defaults only
    }
    return new IgnoreRules(text.split(/\r?\n/));
  }

  /**
   * For a walk that never descends into ignored folders: the entry `name` at `rel` (its parents are
   * not ignored). Cheaper than ignores(): only the last segment is checked against the defaults.
   */
  ignoresEntry(rel: string, name: string, isDir: boolean): boolean {
    if (defaultIgnoresName(name, rel === name, isDir)) return true;
    return this.matcher !== null && this.matcher.ignores(isDir ? `${rel}/` : rel);
  }

  /** rel is '/'-separated and relative to the project root; isDir marks folders (gitignore's trailing-slash rules). */
  ignores(rel: string, isDir = false): boolean {
    if (rel === '' || rel === '.') return false;
    if (defaultIgnores(rel, isDir)) return true;
    return this.matcher !== null && this.matcher.ignores(isDir ? `${rel}/` : rel);
  }
}

/** The defaults through the `ignore` package (the reference the compiled form is tested against). */
export function referenceDefaultIgnores(rel: string, isDir = false): boolean {
  return ignore().add([...DEFAULT_IGNORES]).ignores(isDir ? `${rel}/` : rel);
}
