// Remote names are untrusted: a storage item name or an archive member path decides where we
// write on the user's disk. This module turns such a name into a safe relative path, or refuses
// it with a reason a human can read. Rules are checked for every platform the case folder may
// travel to (Windows reserved names everywhere), plus the limits of the platform we run on.
import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';

export type NameCheck = { ok: true; rel: string; parts: string[] } | { ok: false; reason: string };

export interface NameRules {
  /** Platform whose separators/limits apply to the final path (default process.platform). */
  platform?: NodeJS.Platform;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
// Characters Windows refuses in a name (besides separators); legal elsewhere, so only on Windows.
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Longest component and whole absolute path (in bytes on POSIX, UTF-16 units on Windows). */
export function pathLimits(platform: NodeJS.Platform = process.platform): { name: number; path: number } {
  if (platform === 'win32') return { name: 255, path: 259 }; // MAX_PATH 260 incl. the NUL
  if (platform === 'darwin') return { name: 255, path: 1023 };
  return { name: 255, path: 4095 };
}

function nameLength(s: string, platform: NodeJS.Platform): number {
  return platform === 'win32' ? s.length : Buffer.byteLength(s, 'utf8');
}

/**
 * Check one component. Returns a reason when it is not acceptable, undefined when it is.
 */
export function checkComponent(part: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (part === '') return 'empty path component';
  if (part === '.' || part === '..') return `'${part}' path component (could leave the project folder)`;
  if (part.includes('\u0000')) return 'NUL character in the name';
  if (CONTROL.test(part)) return 'control character in the name';
  if (part.includes('\\')) return 'backslash in the name (a path separator on Windows)';
  if (platform === 'win32' && WINDOWS_FORBIDDEN.test(part)) return `character not allowed on Windows in '${part}'`;
  // Windows ignores everything after the first dot and trailing spaces when matching device names.
  const stem = part.split('.')[0]!.trimEnd();
  if (WINDOWS_RESERVED.test(stem)) return `reserved Windows device name '${part}'`;
  if (/[. ]$/.test(part)) {
    // Windows strips trailing dots/spaces silently, so 'a.' would overwrite 'a'.
    if (platform === 'win32') return `trailing dot or space in '${part}' (not allowed on Windows)`;
  }
  if (nameLength(part, platform) > pathLimits(platform).name) return `name longer than ${pathLimits(platform).name} characters`;
  return undefined;
}

/**
 * Validate a remote relative path ('a/b/c.txt'; '/' separated, as storage and tar use).
 * Refuses absolute paths, drive letters, UNC, '..', NUL, backslashes, reserved Windows names,
 * over-long names. A single trailing '/' (tar directories) is accepted.
 */
export function checkRemoteName(name: string, rules: NameRules = {}): NameCheck {
  const platform = rules.platform ?? process.platform;
  if (typeof name !== 'string' || name.length === 0) return { ok: false, reason: 'empty name' };
  if (name.includes('\u0000')) return { ok: false, reason: 'NUL character in the name' };
  if (name.startsWith('/') || name.startsWith('\\')) return { ok: false, reason: 'absolute path' };
  if (/^[a-zA-Z]:/.test(name)) return { ok: false, reason: 'absolute path (drive letter)' };
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  const parts = trimmed.split('/');
  for (const part of parts) {
    const reason = checkComponent(part, platform);
    if (reason) return { ok: false, reason };
  }
  return { ok: true, rel: parts.join('/'), parts };
}

/** Is `child` (absolute) inside `root` (absolute), or equal to it when allowEqual? */
export function isInside(root: string, child: string, allowEqual = false): boolean {
  const r = path.resolve(root);
  const c = path.resolve(child);
  if (c === r) return allowEqual;
  const prefix = r.endsWith(path.sep) ? r : r + path.sep;
  return c.startsWith(prefix);
}

/**
 * The absolute target of a checked relative path inside the project, after a resolve+prefix check
 * and a length check against the platform limit. Throws UnsafePathError otherwise.
 */
export function targetPath(projectDir: string, rel: string, platform: NodeJS.Platform = process.platform): string {
  const abs = path.resolve(projectDir, ...rel.split('/'));
  if (!isInside(projectDir, abs)) throw new UnsafePathError(rel, 'resolves outside the project folder');
  // Room for our temp/conflict suffixes is not reserved here: conflict names are re-checked.
  if (nameLength(abs, platform) > pathLimits(platform).path) {
    throw new UnsafePathError(rel, `path longer than the platform allows (${pathLimits(platform).path})`);
  }
  return abs;
}

export class UnsafePathError extends Error {
  constructor(
    readonly rel: string,
    readonly reason: string,
  ) {
    super(`refused '${rel}': ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * Create the parent folders of `rel` inside the project, one component at a time, refusing when
 * an existing component is not a real folder (a symlink, even one pointing inside, or a file),
 * and finally checking that the realpath of the parent stays inside the realpath of the project.
 * Returns the absolute parent directory.
 */
export async function ensureParentInside(projectDir: string, rel: string, verified?: Set<string>): Promise<string> {
  const parts = rel.split('/');
  parts.pop();
  // Within one extraction a folder checked once stays checked (archives cannot create links: all are refused).
  const key = parts.join('/');
  if (verified?.has(key)) return path.resolve(projectDir, ...parts);
  const rootReal = await realpath(projectDir);
  let dir = path.resolve(projectDir);
  for (const part of parts) {
    dir = path.join(dir, part);
    let st;
    try {
      st = await lstat(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      st = await lstat(dir);
    }
    if (st.isSymbolicLink()) throw new UnsafePathError(rel, `folder '${path.relative(projectDir, dir)}' is a symbolic link`);
    if (!st.isDirectory()) throw new UnsafePathError(rel, `'${path.relative(projectDir, dir)}' exists and is not a folder`);
  }
  const real = await realpath(dir);
  if (!isInside(rootReal, real, true)) throw new UnsafePathError(rel, 'its folder resolves outside the project folder');
  verified?.add(key);
  return dir;
}
