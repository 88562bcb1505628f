// Reading a folder's names as the file system holds them. Node decodes names as UTF-8 and replaces
// bytes that are not valid UTF-8 (a Latin-1 'été', bytes FF FE) with U+FFFD: such a name then names
// no file (lstat says ENOENT), so a walk would lose it silently. Here a listing that shows U+FFFD is
// read again as bytes, and names that are not valid UTF-8 come back apart, shown with \xNN escapes,
// for the caller to report ("cannot be synced: rename it"). The common case costs one readdir.
import { isUtf8 } from 'node:buffer';
import { type Dirent, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';

export interface UndecodableName {
  /** The name with each byte that is not part of valid UTF-8 written as \xNN. */
  shown: string;
  isDirectory: boolean;
}

export interface DirNames {
  /** Entries whose names are valid UTF-8 (usable as paths). */
  entries: Dirent[];
  /** Entries whose names are not. */
  undecodable: UndecodableName[];
}

/** `name` shown faithfully: valid UTF-8 sequences as text, every other byte as \xNN. */
export function showBytes(name: Buffer): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const b = name[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= name.length && isUtf8(name.subarray(i, i + len))) {
      out += name.subarray(i, i + len).toString('utf8');
      i += len;
    } else {
      out += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

function split(decoded: Dirent[], raw: () => Dirent<Buffer>[]): DirNames {
  if (!decoded.some((d) => d.name.includes('\uFFFD'))) return { entries: decoded, undecodable: [] };
  const valid = new Set<string>();
  const undecodable: UndecodableName[] = [];
  for (const d of raw()) {
    if (isUtf8(d.name)) valid.add(d.name.toString('utf8'));
    else undecodable.push({ shown: showBytes(d.name), isDirectory: d.isDirectory() });
  }
  return { entries: decoded.filter((d) => valid.has(d.name)), undecodable };
}

export function readDirNamesSync(abs: string): DirNames {
  return split(readdirSync(abs, { withFileTypes: true }), () => readdirSync(abs, { withFileTypes: true, encoding: 'buffer' }));
}

export async function readDirNames(abs: string): Promise<DirNames> {
  const decoded = await readdir(abs, { withFileTypes: true });
  if (!decoded.some((d) => d.name.includes('\uFFFD'))) return { entries: decoded, undecodable: [] };
  const raw = await readdir(abs, { withFileTypes: true, encoding: 'buffer' });
  return split(decoded, () => raw);
}
