// The one rooted folder of a case: every write into a case folder (pulls, drops, conflict
// resolutions) goes through the RootedFolder this returns, so they all refuse the same things:
// '..' and absolute paths, a symlinked folder on the way, a real location outside the case, and the
// app's own areas inside it (its `.cloudhpc-sync/` folder on any letter case, and its data folder when
// a case holds it, e.g. a case at the home folder).
import { RootedFolder } from '../rooted-path';

/** Folder inside a case for the app's own files (temp downloads of pulls); never synced, never written by a pull or a drop. */
export const APP_DIR_NAME = '.cloudhpc-sync';

/** The case folder `dir` as a rooted folder; `appHome`: the app's data folder (reserved when inside the case). */
export function caseFolder(dir: string, appHome?: string | null): RootedFolder {
  return new RootedFolder(dir, { reserved: { names: [APP_DIR_NAME], dirs: appHome ? [appHome] : [] } });
}
