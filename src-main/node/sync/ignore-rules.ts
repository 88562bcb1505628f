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
  '#*#',
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

export class IgnoreRules {
  private readonly matcher: Ignore;
  readonly userPatterns: readonly string[];

  constructor(userPatterns: readonly string[] = []) {
    this.userPatterns = userPatterns;
    this.matcher = ignore().add([...DEFAULT_IGNORES]).add([...userPatterns]);
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

  /** rel is '/'-separated and relative to the project root; isDir marks folders (gitignore's trailing-slash rules). */
  ignores(rel: string, isDir = false): boolean {
    if (rel === '' || rel === '.') return false;
    return this.matcher.ignores(isDir ? `${rel}/` : rel);
  }
}
