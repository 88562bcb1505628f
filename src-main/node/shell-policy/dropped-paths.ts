// Paths dropped on the window come from the renderer (webUtils.getPathForFile in the preload), so the
// main process re-checks them before the core sees them: an absolute path that exists, can be read, is
// a regular file or a folder (not a device, socket or pipe), and is not inside the app's own data
// folder (symlinks resolved, so a link into it is refused too). judgeDroppedPath is the pure rule;
// checkDroppedPaths gathers the facts from the file system.
import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { isWithin } from '../rooted-path';

export interface PathFacts {
  /** The path given, as a string (after the type check). */
  path: string;
  exists: boolean;
  readable: boolean;
  kind: 'file' | 'dir' | 'other' | null;
  /** Symlinks resolved; null when it does not exist. */
  realPath: string | null;
}

export type DropVerdict = { ok: true; path: string; kind: 'file' | 'dir' } | { ok: false; path: string; reason: string };

export const MAX_DROPPED_PATHS = 1000;

export function judgeDroppedPath(facts: PathFacts, appDataRealPath: string): DropVerdict {
  const { path } = facts;
  if (path === '' || path.includes('\0')) return { ok: false, path, reason: 'This item has no usable path (was it dragged from a web page or an archive?): save it to a folder first, then drop it.' };
  if (!isAbsolute(path)) return { ok: false, path, reason: 'The dropped item has no absolute path: drop it from a file manager.' };
  if (!facts.exists || facts.realPath === null) return { ok: false, path, reason: `${path} no longer exists.` };
  if (isWithin(appDataRealPath, facts.realPath) || isWithin(facts.realPath, appDataRealPath)) {
    return { ok: false, path, reason: `${path} is (or contains) the app's own data folder, which cannot be added to a case.` };
  }
  if (facts.kind !== 'file' && facts.kind !== 'dir') return { ok: false, path, reason: `${path} is not a regular file or folder (a device, socket or pipe cannot be uploaded).` };
  if (!facts.readable) return { ok: false, path, reason: `${path} cannot be read: check its permissions.` };
  return { ok: true, path, kind: facts.kind };
}

async function factsOf(path: string): Promise<PathFacts> {
  const base: PathFacts = { path, exists: false, readable: false, kind: null, realPath: null };
  if (!isAbsolute(path) || path.includes('\0')) return base;
  try {
    await lstat(path);
  } catch {
    return base;
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return { ...base, exists: true };
  }
  let kind: PathFacts['kind'] = 'other';
  try {
    const s = await stat(real);
    kind = s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
  } catch {
    return { ...base, exists: false };
  }
  let readable = true;
  try {
    await access(real, kind === 'dir' ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch {
    readable = false;
  }
  return { path, exists: true, readable, kind, realPath: real };
}

export interface DropCheck {
  accepted: { path: string; kind: 'file' | 'dir' }[];
  refused: { path: string; reason: string }[];
}

/** Checks untrusted input (anything the renderer sent): only strings, at most MAX_DROPPED_PATHS, duplicates once. */
export async function checkDroppedPaths(input: unknown, appDataDir: string): Promise<DropCheck> {
  const out: DropCheck = { accepted: [], refused: [] };
  if (!Array.isArray(input)) {
    out.refused.push({ path: '', reason: 'Nothing usable was dropped.' });
    return out;
  }
  if (input.length > MAX_DROPPED_PATHS) {
    out.refused.push({ path: '', reason: `Too many items dropped at once (${input.length}); drop at most ${MAX_DROPPED_PATHS}, or drop their folder.` });
    return out;
  }
  let appReal: string;
  try {
    appReal = await realpath(appDataDir);
  } catch {
    appReal = appDataDir;
  }
  const seen = new Set<string>();
  for (const item of input) {
    const path = typeof item === 'string' ? item : '';
    if (seen.has(path) && path !== '') continue;
    seen.add(path);
    const v = judgeDroppedPath(await factsOf(path), appReal);
    if (v.ok) out.accepted.push({ path: v.path, kind: v.kind });
    else out.refused.push({ path: v.path, reason: v.reason });
  }
  return out;
}
