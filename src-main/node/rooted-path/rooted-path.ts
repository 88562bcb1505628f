// A folder that paths are joined to and never leave (in the spirit of Syncthing's rooted filesystem).
// Every place that turns a relative path into a file on disk goes through here:
// - `join(rel)`: lexical (checkRelativePath + containment + the platform's path length);
// - `resolve(rel)`: for reading or opening an existing path: its real location (symlinks resolved)
//   must be inside the folder's real location;
// - `parentForWrite(rel)`: for writing: the parent folders are created one component at a time, an
//   existing component that is a symbolic link (even one pointing inside) or not a folder is refused,
//   and the parent's real location must be inside the folder's;
// - `checkParentForWrite(rel)`: the same check without creating anything (rename targets).
// A folder may reserve areas no caller may write or read through it (`reserved`: top-level names, any
// letter case, and absolute folders inside it): the app's own folder inside a case, its data folder.
// `isWithin(parent, child)` is the one lexical containment test for two absolute paths.
import { realpathSync } from 'node:fs';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { checkRelativePath, nameLength, pathLimits } from './name-rules';
import { PathRefused, refusal } from './refusals';

export interface WithinOptions {
  /** `child` equal to `parent` counts as inside (default true). */
  allowEqual?: boolean;
  /** Compare ignoring case (default: on Windows and macOS, whose usual file systems do). */
  caseInsensitive?: boolean;
}

const defaultCaseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/** Lexical: is the absolute path `child` inside `parent` (or equal to it when allowEqual)? */
export function isWithin(parent: string, child: string, o: WithinOptions = {}): boolean {
  const fold = (s: string): string => ((o.caseInsensitive ?? defaultCaseInsensitive) ? s.toLowerCase() : s);
  const p = fold(path.resolve(parent));
  const c = fold(path.resolve(child));
  if (p === c) return o.allowEqual ?? true;
  const rel = path.relative(p, c);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

export interface RootedFolderOptions {
  platform?: NodeJS.Platform;
  /** Areas of the folder no path may reach (refused as 'app-area'). */
  reserved?: {
    /** Top-level names, compared ignoring letter case (on macOS and Windows they are one folder). */
    names?: readonly string[];
    /** Absolute folders; only those inside this folder matter. */
    dirs?: readonly string[];
  };
}

export class RootedFolder {
  readonly dir: string;
  private readonly platform: NodeJS.Platform;
  private readonly reservedNames: ReadonlySet<string>;
  private readonly reservedDirs: readonly string[];

  constructor(dir: string, opts: RootedFolderOptions = {}) {
    this.dir = path.resolve(dir);
    this.platform = opts.platform ?? process.platform;
    this.reservedNames = new Set((opts.reserved?.names ?? []).map((n) => n.toLowerCase()));
    this.reservedDirs = (opts.reserved?.dirs ?? []).map((d) => path.resolve(d)).filter((d) => isWithin(this.dir, d, { allowEqual: false }));
  }

  /** The checked relative path is in a reserved area (lexical; `parts` as checkRelativePath gives them). */
  private reservedPath(parts: readonly string[], abs: string): boolean {
    if (parts.length > 0 && this.reservedNames.has((parts[0] as string).toLowerCase())) return true;
    return this.reservedDirs.some((d) => isWithin(d, abs));
  }

  /** Is `rel` in a reserved area? (false for a path the rules refuse for another reason) */
  isReserved(rel: string): boolean {
    const check = checkRelativePath(rel);
    return check.ok && this.reservedPath(check.parts, path.resolve(this.dir, ...check.parts));
  }

  /** The absolute path of `rel` ('/'-separated) inside the folder. Throws PathRefused. */
  join(rel: string): string {
    const check = checkRelativePath(rel);
    if (!check.ok) throw new PathRefused(String(rel), check);
    const abs = path.resolve(this.dir, ...check.parts);
    if (!isWithin(this.dir, abs, { allowEqual: false, caseInsensitive: false })) throw new PathRefused(rel, refusal('outside'));
    if (this.reservedPath(check.parts, abs)) throw new PathRefused(rel, refusal('app-area'));
    const limit = pathLimits(this.platform).path;
    if (nameLength(abs, this.platform) > limit) throw new PathRefused(rel, refusal('path-too-long', String(limit)));
    return abs;
  }

  /** Lexical: the absolute path is this folder or inside it. */
  contains(abs: string): boolean {
    return isWithin(this.dir, abs, { caseInsensitive: false });
  }

  /** An existing path to read or open: its real location must be inside the folder's. Returns the joined path. */
  async resolve(rel: string): Promise<string> {
    const abs = this.join(rel);
    const [root, real] = await Promise.all([realpath(this.dir), realpath(abs)]);
    if (!isWithin(root, real, { caseInsensitive: false })) throw new PathRefused(rel, refusal('outside'));
    return abs;
  }

  /** resolve(), synchronously (small request handlers). */
  resolveSync(rel: string): string {
    const abs = this.join(rel);
    if (!isWithin(realpathSync(this.dir), realpathSync(abs), { caseInsensitive: false })) throw new PathRefused(rel, refusal('outside'));
    return abs;
  }

  /**
   * Creates the parent folders of `rel` one component at a time and returns the parent's absolute
   * path. Refuses a component that is a symbolic link (even one pointing inside) or not a folder,
   * and a parent whose real location is outside the folder's. `verified` (per batch of writes)
   * skips folders already checked.
   */
  async parentForWrite(rel: string, verified?: Set<string>): Promise<string> {
    return this.walkParent(rel, true, verified);
  }

  /** The check of parentForWrite without creating anything (missing components are fine). */
  async checkParentForWrite(rel: string): Promise<string> {
    return this.walkParent(rel, false);
  }

  private async walkParent(rel: string, create: boolean, verified?: Set<string>): Promise<string> {
    this.join(rel);
    const parts = rel.replace(/\/$/, '').split('/');
    parts.pop();
    const key = parts.join('/');
    if (verified?.has(key)) return path.resolve(this.dir, ...parts);
    const rootReal = await realpath(this.dir);
    let dir = this.dir;
    let existing = dir;
    for (const part of parts) {
      dir = path.join(dir, part);
      let st;
      try {
        st = await lstat(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        if (!create) break;
        await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
        st = await lstat(dir);
      }
      const shown = path.relative(this.dir, dir).split(path.sep).join('/');
      if (st.isSymbolicLink()) throw new PathRefused(rel, refusal('symlink', shown));
      if (!st.isDirectory()) throw new PathRefused(rel, refusal('not-a-folder', shown));
      existing = dir;
    }
    if (!isWithin(rootReal, await realpath(existing), { caseInsensitive: false })) throw new PathRefused(rel, refusal('outside'));
    verified?.add(key);
    return path.resolve(this.dir, ...parts);
  }
}
