// What a push leaves out of the case and why, typed: the UI's project state and the CLI's --json carry
// these, and "up to date" is never said while the list is not empty. Ignored files are not here (the
// user chose that); these are files the user may expect in the cloud.
export type LeftOutCode =
  /** The name is not valid UTF-8 (e.g. Latin-1 'été'): no name the service accepts says it faithfully. */
  | 'name-not-utf8'
  /** A symbolic link: links are never followed (a link could push files from outside the case). */
  | 'symlink'
  /** A FIFO, socket or device. */
  | 'special-file';

export interface LeftOut {
  /** Relative path, '/'-separated; bytes that are not valid UTF-8 shown as \xNN. */
  path: string;
  code: LeftOutCode;
  reason: string;
}

const REASON: Record<LeftOutCode, string> = {
  'name-not-utf8': 'its name is not valid UTF-8 (e.g. written in Latin-1), so it cannot be sent under a faithful name: rename it, or list it in .cloudhpcignore',
  symlink: 'a symbolic link: links are not followed (copy what it points to into the case, or list it in .cloudhpcignore)',
  'special-file': 'not a regular file (a FIFO, socket or device): list it in .cloudhpcignore',
};

export function leftOut(path: string, code: LeftOutCode): LeftOut {
  return { path, code, reason: REASON[code] };
}

/** "2 items cannot be synced" */
export function leftOutSummary(n: number): string {
  return `${n} item${n === 1 ? '' : 's'} cannot be synced`;
}
