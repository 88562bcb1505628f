// Why a path is refused: a code programs act on, and a sentence for a person. The wording lives here
// and only here; nothing reads it back (tests and callers compare codes).

export type PathRefusalCode =
  | 'empty'
  | 'empty-component'
  | 'dot-component'
  | 'nul'
  | 'absolute'
  | 'drive-letter'
  | 'control-char'
  | 'backslash'
  | 'windows-char'
  | 'reserved-name'
  | 'trailing-dot'
  | 'name-too-long'
  | 'path-too-long'
  | 'outside'
  | 'symlink'
  | 'not-a-folder'
  /** The app's own area (its folder inside a case, its data folder): never written by a pull or a drop. */
  | 'app-area';

export interface PathRefusal {
  code: PathRefusalCode;
  reason: string;
}

const TEXT: Record<PathRefusalCode, (detail: string) => string> = {
  empty: () => 'empty name',
  'empty-component': () => 'empty path component',
  'dot-component': (d) => `'${d}' path component (could leave the folder)`,
  nul: () => 'NUL character in the name',
  absolute: () => 'absolute path',
  'drive-letter': () => 'absolute path (drive letter)',
  'control-char': () => 'control character in the name',
  backslash: () => 'backslash in the name (a path separator on Windows)',
  'windows-char': (d) => `character not allowed on Windows in '${d}'`,
  'reserved-name': (d) => `reserved Windows device name '${d}'`,
  'trailing-dot': (d) => `trailing dot or space in '${d}' (not allowed on Windows)`,
  'name-too-long': (d) => `name longer than ${d} characters`,
  'path-too-long': (d) => `path longer than the platform allows (${d})`,
  outside: () => 'resolves outside the folder',
  symlink: (d) => `folder '${d}' is a symbolic link`,
  'not-a-folder': (d) => `'${d}' exists and is not a folder`,
  'app-area': () => "path reserved for the app's own files",
};

export function refusal(code: PathRefusalCode, detail = ''): PathRefusal {
  return { code, reason: TEXT[code](detail) };
}

/** A path refused by the rooted-path rules: `code` and `reason` as above, `rel` the path asked for. */
export class PathRefused extends Error {
  readonly code: PathRefusalCode;
  readonly reason: string;
  constructor(readonly rel: string, r: PathRefusal) {
    super(`refused '${rel.replace(/[\u0000-\u001f]/g, '?')}': ${r.reason}`);
    this.name = 'PathRefused';
    this.code = r.code;
    this.reason = r.reason;
  }
}

export function isPathRefused(e: unknown): e is PathRefused {
  return e instanceof PathRefused;
}
