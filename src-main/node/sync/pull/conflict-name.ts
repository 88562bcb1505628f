// The name a cloud version gets when it cannot take the local file's place:
// `name.cloudhpc-YYYYMMDD-HHMMSS.ext` beside the local file (UTC). No spaces or parentheses: cloudHPC
// refuses such names ("FOLDER ... not detected"), so a conflict copy must never block a launch.
// Copies named by earlier versions (`name (cloudHPC YYYY-MM-DD HHMMSS).ext`) are still recognised.

const MULTI_EXT = /\.(tar\.(gz|bz2|xz|zst)|tgz)$/i;

function splitExt(base: string): { stem: string; ext: string } {
  const multi = MULTI_EXT.exec(base);
  if (multi && multi.index > 0) return { stem: base.slice(0, multi.index), ext: base.slice(multi.index) };
  const dot = base.lastIndexOf('.');
  // '.bashrc' has no extension; 'a.' keeps its dot in the stem.
  if (dot <= 0 || dot === base.length - 1) return { stem: base, ext: '' };
  return { stem: base.slice(0, dot), ext: base.slice(dot) };
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * Conflict copy name for a relative path ('a/b/case.fds' → 'a/b/case.cloudhpc-20261126-214500.fds').
 * `attempt` > 1 adds a counter for when that name is taken too ('…-214500-2.fds').
 */
export function conflictName(rel: string, when: Date, attempt = 1): string {
  const slash = rel.lastIndexOf('/');
  const dir = slash >= 0 ? rel.slice(0, slash + 1) : '';
  const { stem, ext } = splitExt(rel.slice(slash + 1));
  const counter = attempt > 1 ? `-${attempt}` : '';
  return `${dir}${stem}.cloudhpc-${stamp(when)}${counter}${ext}`;
}

/** Does `basename` look like a conflict copy of `rel`'s file name (any time stamp, any counter, either naming)? */
export function isConflictCopyOf(rel: string, basename: string): boolean {
  const { stem, ext } = splitExt(rel.slice(rel.lastIndexOf('/') + 1));
  if (!basename.startsWith(stem) || !basename.endsWith(ext)) return false;
  const middle = basename.slice(stem.length, basename.length - ext.length);
  return /^\.cloudhpc-\d{8}-\d{6}(-\d+)?$/.test(middle) || /^ \(cloudHPC \d{4}-\d{2}-\d{2} \d{6}( \d+)?\)$/.test(middle);
}
