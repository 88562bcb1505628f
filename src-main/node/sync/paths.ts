// Relative paths of the case: '/'-separated keys used in the index and in storage names.
import { sep } from 'node:path';

/** Folder inside a project for the app's own files (temp downloads of pulls); never synced. */
export { APP_DIR_NAME } from '../project/case-folder';
/** The one archive we ever put in a storage folder (see README: why only one). */
export const ARCHIVE_NAME = 'upload.tar.gz';

export function toPosix(rel: string): string {
  return sep === '/' ? rel : rel.split(sep).join('/');
}

export function parentDir(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export function baseName(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? rel : rel.slice(i + 1);
}

/** Storage path of a case-relative path: "<storageFolder>/<rel>". */
export function storagePath(storageFolder: string, rel: string): string {
  return rel === '' ? storageFolder : `${storageFolder}/${rel}`;
}
