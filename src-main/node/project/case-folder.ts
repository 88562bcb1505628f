// The one rooted folder of a case: every write into a case folder (pulls, drops, conflict
// resolutions) goes through the RootedFolder this returns, so they all refuse the same things:
// '..' and absolute paths, a symlinked folder on the way, a real location outside the case, and the
// app's own areas inside it (its `.cloudhpc-sync/` folder on any letter case, and its data folder when
// a case holds it, e.g. a case at the home folder).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isWithin, RootedFolder } from '../rooted-path';

/** Folder inside a case for the app's own files (temp downloads of pulls); never synced, never written by a pull or a drop. */
export const APP_DIR_NAME = '.cloudhpc-sync';

/** The case folder `dir` as a rooted folder; `appHome`: the app's data folder (reserved when inside the case). */
export function caseFolder(dir: string, appHome?: string | null): RootedFolder {
  return new RootedFolder(dir, { reserved: { names: [APP_DIR_NAME], dirs: appHome ? [appHome] : [] } });
}

/** The real path of `p`, or its absolute path when it does not exist (yet). */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The app's folders (its data folder, a project's state folder) that lie inside the case `dir`, as
 * '/'-separated paths relative to it: a case at the home folder holds the app's data folder, which is
 * never synced (its index changes at every push, and it is the app's own state).
 */
export function appFoldersIn(dir: string, appFolders: ReadonlyArray<string | null | undefined>): string[] {
  const root = real(dir);
  const out: string[] = [];
  for (const f of appFolders) {
    if (!f) continue;
    const abs = real(f);
    if (!isWithin(root, abs, { allowEqual: false })) continue;
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (!out.includes(rel)) out.push(rel);
  }
  return out;
}

/** Whether `dir` is one of the app's folders or inside one (never a case). */
export function isAppFolder(dir: string, appFolders: ReadonlyArray<string | null | undefined>): boolean {
  const abs = real(dir);
  return appFolders.some((f) => !!f && isWithin(real(f), abs));
}
