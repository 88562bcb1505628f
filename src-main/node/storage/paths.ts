// Storage paths: '/'-separated, relative to the storage root, no leading or trailing '/'; '' is the
// root. What a person types ('/caseA/run 2/') is normalised here; a '.' or '..' component is refused
// (the service has no such thing, and it would be a way out of a download's destination).
import { StorageRefused } from './errors';
import { storageText } from './messages';

export function normaliseStoragePath(input: string): string {
  const parts = input.replace(/\\/g, '/').split('/').filter((p) => p !== '');
  for (const p of parts) {
    if (p === '.' || p === '..' || /[\u0000-\u001f]/.test(p)) throw new StorageRefused('invalid-path', storageText.invalidPath(input));
  }
  return parts.join('/');
}

/** The folder holding `path` ('' for a top-level item); null for the root itself. */
export function storageParent(path: string): string | null {
  if (path === '') return null;
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function storageBase(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinStorage(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** `path` is `folder` or inside it. */
export function isUnder(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

/** The path of `path` relative to `folder` ('' when equal); `path` must be under it. */
export function relativeTo(path: string, folder: string): string {
  return path === folder ? '' : folder === '' ? path : path.slice(folder.length + 1);
}

/** The top-level folder of a path ('' for the root). */
export function topFolder(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? path : path.slice(0, i);
}
