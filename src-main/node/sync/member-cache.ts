// The compressed members of the last snapshot we built, so that the next one is mostly a copy.
// On disk, in the project's app-data folder (never in the case): `archive.tar.gz` (the last archive)
// and `members.json` (where each member's compressed bytes lie in it, keyed by path, size, mtime and
// sha256). It is only an accelerator: anything missing, stale or damaged is ignored and the member is
// compressed again; a copied range is checked against its CRC-32 before it is used.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedMember {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  /** Byte range of the member's compressed pieces in archive.tar.gz. */
  offset: number;
  length: number;
  /** Uncompressed length (tar header(s) + data + padding) and its CRC-32. */
  rawLength: number;
  crc: number;
  /** CRC-32 of the compressed bytes (checked when copied). */
  ccrc: number;
}

interface CacheFile {
  version: 1;
  archiveSize: number;
  members: CachedMember[];
}

export const CACHE_ARCHIVE = 'archive.tar.gz';
const CACHE_MAP = 'members.json';

export function memberKey(m: { path: string; size: number; mtimeMs: number; sha256: string }): string {
  return `${m.path}\0${m.size}\0${m.mtimeMs}\0${m.sha256}`;
}

export class MemberCache {
  private constructor(readonly dir: string, readonly members: ReadonlyMap<string, CachedMember>) {}

  get archivePath(): string {
    return join(this.dir, CACHE_ARCHIVE);
  }

  /** The cache in dir, or an empty one when there is none or it does not match its archive. */
  static async load(dir: string): Promise<MemberCache> {
    const empty = new MemberCache(dir, new Map());
    try {
      const parsed = JSON.parse(await readFile(join(dir, CACHE_MAP), 'utf8')) as CacheFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.members)) return empty;
      const st = await stat(join(dir, CACHE_ARCHIVE));
      if (st.size !== parsed.archiveSize) return empty;
      return new MemberCache(dir, new Map(parsed.members.map((m) => [memberKey(m), m])));
    } catch {
      return empty;
    }
  }

  get(m: { path: string; size: number; mtimeMs: number; sha256: string }): CachedMember | undefined {
    return this.members.get(memberKey(m));
  }

  /**
   * Makes `builtArchive` the cached archive with its member map. The map goes first under a temp
   * name, then the archive, then the map: a crash in between leaves a map whose size check fails.
   */
  static async replace(dir: string, builtArchive: string, members: CachedMember[]): Promise<MemberCache> {
    const map = join(dir, CACHE_MAP);
    const tmpMap = `${map}.tmp`;
    const st = await stat(builtArchive);
    const body: CacheFile = { version: 1, archiveSize: st.size, members };
    await writeFile(tmpMap, JSON.stringify(body), { mode: 0o600 });
    await rm(map, { force: true });
    await rename(builtArchive, join(dir, CACHE_ARCHIVE));
    await rename(tmpMap, map);
    return new MemberCache(dir, new Map(members.map((m) => [memberKey(m), m])));
  }
}
