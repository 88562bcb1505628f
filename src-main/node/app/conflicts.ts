// The conflicts a project has to resolve: a local file kept, the cloud version written beside it
// as `name (cloudHPC ...).ext` (the pull never overwrites). Recorded per project in a small JSON
// file; a conflict is listed while its cloud copy exists. Resolving: keep local = remove the cloud
// copy; keep cloud = the cloud copy replaces the local file (rename, atomic).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { ConflictView } from '../../common/contract';
import { writeFileAtomicSync } from '../project/atomic-write';
import { AppError } from './errors';

const Stored = z.object({ id: z.string(), path: z.string(), copy: z.string(), reason: z.string(), at: z.number() });
type StoredConflict = z.infer<typeof Stored>;
const FileSchema = z.object({ version: z.literal(1), conflicts: z.array(Stored) });

/** "kept the local a.txt; the cloud version is a (cloudHPC ...).txt (reason)" — the pull's activity text. */
const MESSAGE = /^kept the local (.+); the cloud version is (.*\(cloudHPC \d{4}-\d{2}-\d{2} \d{6}(?: \d+)?\)\S*) \((.*)\)$/;

export function parseConflictMessage(message: string, path: string | null): { path: string; copy: string; reason: string } | null {
  const m = MESSAGE.exec(message);
  if (m && m[1] && m[2]) return { path: path ?? m[1], copy: m[2], reason: m[3] ?? '' };
  return null;
}

/** Resolves a relative path inside root; refuses anything that leaves it. */
export function insideProject(root: string, rel: string): string {
  const base = realpathSync(root);
  const full = resolve(base, rel);
  const back = relative(base, full);
  if (back === '' || back.startsWith('..') || back.startsWith(sep) || /^[a-zA-Z]:/.test(back)) {
    throw new AppError('not-allowed', 'That path is outside the project folder.');
  }
  return full;
}

export class ConflictBook {
  constructor(private readonly stateDir: (projectId: string) => string) {}

  private file(projectId: string): string {
    return join(this.stateDir(projectId), 'conflicts.json');
  }

  private read(projectId: string): StoredConflict[] {
    const f = this.file(projectId);
    if (!existsSync(f)) return [];
    try {
      const parsed = FileSchema.safeParse(JSON.parse(readFileSync(f, 'utf8')));
      return parsed.success ? parsed.data.conflicts : [];
    } catch {
      return [];
    }
  }

  private write(projectId: string, list: StoredConflict[]): void {
    writeFileAtomicSync(this.file(projectId), `${JSON.stringify({ version: 1, conflicts: list }, null, 1)}\n`);
  }

  add(projectId: string, c: { path: string; copy: string; reason: string; at?: number }): void {
    const id = createHash('sha256').update(c.copy).digest('hex').slice(0, 16);
    const known = this.read(projectId);
    if (known.some((x) => x.id === id)) return;
    const list = known;
    list.push({ id, path: c.path, copy: c.copy, reason: c.reason, at: c.at ?? Date.now() });
    this.write(projectId, list);
  }

  /** Conflicts whose cloud copy is still in the folder. */
  list(projectId: string, localDir: string): ConflictView[] {
    return this.read(projectId)
      .filter((c) => existsSync(join(localDir, c.copy)))
      .map((c) => ({ id: c.id, path: c.path, cloudCopyPath: c.copy, reason: c.reason || 'Changed both here and in the cloud.', detectedAt: new Date(c.at).toISOString() }));
  }

  find(projectId: string, conflictId: string): StoredConflict {
    const c = this.read(projectId).find((x) => x.id === conflictId);
    if (!c) throw new AppError('not-found', 'This conflict is no longer listed: refresh the project.');
    return c;
  }

  async resolve(projectId: string, localDir: string, conflictId: string, keep: 'local' | 'cloud'): Promise<void> {
    const c = this.find(projectId, conflictId);
    const copy = insideProject(localDir, c.copy);
    const local = insideProject(localDir, c.path);
    if (!existsSync(copy)) throw new AppError('not-found', `The cloud version ${c.copy} is no longer in the folder: nothing to resolve.`);
    if (keep === 'local') await rm(copy, { force: true });
    else {
      if (dirname(copy) !== dirname(local)) throw new AppError('not-allowed', 'The cloud version is not beside the local file: move it by hand.');
      await rename(copy, local);
    }
    this.write(projectId, this.read(projectId).filter((x) => x.id !== conflictId));
  }
}
