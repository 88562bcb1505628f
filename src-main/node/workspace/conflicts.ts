// Resolving a conflict a pull left (the local file kept, the cloud version beside it as
// `name.cloudhpc-YYYYMMDD-HHMMSS.ext`): keep local removes the cloud copy; keep cloud moves the copy over the
// local file (one rename, atomic). Both paths go through the rooted-path rule. The conflict's row in
// the project's index is removed by the caller once the files are as the user chose; the next scan
// reconciles the index (a cloud version kept over a local input is pushed like any local change).
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { caseFolder } from '../project';
import type { PullConflict } from '../sync/pull';
import { WorkspaceError } from './errors';

export type Keep = 'local' | 'cloud';

export async function resolveConflictFiles(localDir: string, c: Pick<PullConflict, 'path' | 'copy'>, keep: Keep, appHome?: string): Promise<void> {
  const root = caseFolder(localDir, appHome);
  let copy: string;
  try {
    copy = await root.resolve(c.copy);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new WorkspaceError('not-found', `The cloud version ${c.copy} is no longer in the folder: nothing to resolve.`);
    throw e;
  }
  if (keep === 'local') {
    await rm(copy, { force: true });
    return;
  }
  const local = root.join(c.path);
  if (dirname(copy) !== dirname(local)) throw new WorkspaceError('not-allowed', 'The cloud version is not beside the local file: move it by hand.');
  await root.checkParentForWrite(c.path);
  await rename(copy, local);
}
