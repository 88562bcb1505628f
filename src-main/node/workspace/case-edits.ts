// The fixes that edit the case folder itself, through the case's one rooted folder (project/case-folder:
// the app's own areas refused, as for pulls and drops): lines added to .cloudhpcignore (what is already
// there is not added twice), and a rename that never replaces an existing file (a name cloudHPC
// refuses → one it accepts).
import { lstat, readFile, rename } from 'node:fs/promises';
import { caseFolder, writeFileAtomicSync } from '../project';
import { IGNORE_FILE } from '../sync/ignore-rules';
import { WorkspaceError } from './errors';

/** Appends the lines missing from the case's .cloudhpcignore; returns the lines added. `appHome`: the app's data folder. */
export async function addIgnoreLines(caseDir: string, lines: readonly string[], appHome?: string | null): Promise<string[]> {
  const root = caseFolder(caseDir, appHome);
  const wanted = lines.map((l) => l.trim()).filter((l) => l !== '' && !/[\r\n\0]/.test(l));
  if (wanted.length === 0) throw new WorkspaceError('not-allowed', 'There is no line to add to .cloudhpcignore.');
  const file = root.join(IGNORE_FILE);
  let text = '';
  try {
    const st = await lstat(file);
    if (!st.isFile()) throw new WorkspaceError('not-allowed', `${IGNORE_FILE} in the case folder is not a plain file: edit it by hand.`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const added = wanted.filter((l, i) => !have.has(l) && wanted.indexOf(l) === i);
  if (added.length === 0) return [];
  await root.parentForWrite(IGNORE_FILE);
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  writeFileAtomicSync(file, `${text}${sep}${added.join('\n')}\n`);
  return added;
}

/** Renames a file or folder of the case; refuses to replace anything, and the app's own areas either way. */
export async function renameInCase(caseDir: string, from: string, to: string, appHome?: string | null): Promise<void> {
  const root = caseFolder(caseDir, appHome);
  const src = root.join(from);
  const dest = root.join(to);
  await root.checkParentForWrite(from); // never move a file out through a linked folder on the way
  try {
    await lstat(src);
  } catch {
    throw new WorkspaceError('not-found', `"${from}" is no longer in the case folder.`);
  }
  try {
    await lstat(dest);
    throw new WorkspaceError('not-allowed', `"${to}" exists already: rename "${from}" by hand.`);
  } catch (e) {
    if (e instanceof WorkspaceError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await root.parentForWrite(to);
  await rename(src, dest);
}
