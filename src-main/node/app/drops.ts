// Files and folders dropped on a project are copied into its case folder — after a plan the user
// confirms (what is added, what would be replaced) — and then pushed. A folder dropped outside any
// project becomes a new project. Sources are re-checked here (exist, readable, not the app's own
// data); browser drops arrive as staged uploads under the staging root. Plan and copy use the case's
// one rooted folder (as pulls do): no '..', no symlinked folder on the way, real path inside, never
// the app's own areas; what the rule refuses is left out of the plan with the reason.
import { randomUUID } from 'node:crypto';
import { constants, realpathSync } from 'node:fs';
import { copyFile, link, lstat, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DropPlan, DropPlanItem, DropResult, DropSource } from '../../common/contract';
import { caseFolder } from '../project';
import { isPathRefused, isWithin, readDirNames, type RootedFolder } from '../rooted-path';
import { acceptedName, FORBIDDEN_NAME_CHARS } from '../simulation/preflight';
import { sha256File } from '../sync/hasher';
import { AppError } from './errors';

const PLAN_TTL_MS = 15 * 60_000;

/** The path a dropped file is copied to: every component cloudHPC would refuse gets a name it accepts. */
function acceptedPath(rel: string): string {
  return rel.split('/').map((c) => (FORBIDDEN_NAME_CHARS.some((x) => c.includes(x)) ? acceptedName(c) : c)).join('/');
}
const MAX_FILES = 50_000;

interface SourceFile {
  abs: string;
  rel: string;
  size: number;
}

interface StoredPlan {
  plan: DropPlan;
  files: Map<string, SourceFile>;
  targetDir: string | null;
  stagingIds: string[];
}

export interface DropTarget {
  id: string;
  localDir: string;
}

async function sameContent(a: string, b: string, size: number): Promise<boolean> {
  const sb = await stat(b);
  if (!sb.isFile() || sb.size !== size) return false;
  return (await sha256File(a)) === (await sha256File(b));
}

export class DropPlanner {
  private readonly plans = new Map<string, StoredPlan>();

  constructor(private readonly o: {
    /** The app's own data folder: never a drop source. */
    home: string;
    stagingRoot: string;
    project: (id: string) => DropTarget;
    suggestStorageName: (dir: string) => string;
    now?: () => number;
  }) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private resolveSource(s: DropSource): { abs: string; name: string; stagingId: string | null } {
    if (s.kind === 'staged') {
      if (s.name.includes('/') || s.name.includes('\\') || s.name === '.' || s.name === '..') throw new AppError('invalid-params', 'Bad staged name.');
      const abs = join(this.o.stagingRoot, s.stagingId, 'files', s.name);
      return { abs, name: s.name, stagingId: s.stagingId };
    }
    let abs: string;
    try {
      abs = realpathSync(resolve(s.path));
    } catch {
      throw new AppError('invalid-input', `${s.path} does not exist (or cannot be read): drop it again.`);
    }
    const home = (() => { try { return realpathSync(this.o.home); } catch { return resolve(this.o.home); } })();
    if (isWithin(home, abs) || isWithin(abs, home)) throw new AppError('not-allowed', 'That is the app\'s own data folder: it cannot be added to a case.');
    return { abs, name: basename(abs), stagingId: null };
  }

  private async walk(abs: string, rel: string, out: SourceFile[], warnings: string[]): Promise<void> {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) {
      warnings.push(`${rel} is a link: left out.`);
      return;
    }
    if (st.isFile()) {
      if (out.length >= MAX_FILES) throw new AppError('invalid-input', `More than ${MAX_FILES} files dropped at once: copy them into the case folder directly.`);
      out.push({ abs, rel, size: st.size });
      return;
    }
    if (!st.isDirectory()) {
      warnings.push(`${rel} is not a regular file: left out.`);
      return;
    }
    let names: string[];
    try {
      const listed = await readDirNames(abs);
      names = listed.entries.map((d) => d.name).sort();
      for (const u of listed.undecodable) warnings.push(`${rel ? `${rel}/` : ''}${u.shown}: its name is not valid UTF-8 (rename it to copy it): left out.`);
    } catch {
      warnings.push(`${rel} cannot be read: left out.`);
      return;
    }
    for (const n of names) await this.walk(join(abs, n), rel ? `${rel}/${n}` : n, out, warnings);
  }

  async plan(projectId: string | null, sources: DropSource[]): Promise<DropPlan> {
    const resolved = sources.map((s) => this.resolveSource(s));
    const stagingIds = [...new Set(resolved.map((r) => r.stagingId).filter((x): x is string => x !== null))];
    const warnings: string[] = [];

    if (projectId === null) {
      const first = resolved[0];
      const firstIsFolder = first ? await stat(first.abs).then((st) => st.isDirectory(), () => false) : false;
      const what = first ? `"${first.name}" is a ${firstIsFolder ? 'folder' : 'file'}` : 'Nothing was dropped';
      if (resolved.length !== 1) throw new AppError('invalid-input', 'Drop one case folder at a time to make it a project (files go onto a project, to be copied into its case).');
      if (!firstIsFolder) throw new AppError('invalid-input', `${what}: only a case folder becomes a project. To copy files into a case, drop them on that project.`);
      if (first?.stagingId !== null) {
        throw new AppError('invalid-input', `${what} uploaded from the browser, so it has no place on the server to sync from: type the folder's path on the server in Add project instead (or drop its files on a project to copy them in).`);
      }
      const src = first;
      const files: SourceFile[] = [];
      await this.walk(src.abs, '', files, warnings);
      const plan: DropPlan = {
        planId: randomUUID(),
        projectId: null,
        newProject: { dir: src.abs, storageFolder: this.o.suggestStorageName(src.abs) },
        items: files.map((f) => ({ path: f.rel, size: f.size, action: 'same' as const })),
        totalBytes: files.reduce((n, f) => n + f.size, 0),
        replaceCount: 0,
        warnings,
        expiresAt: new Date(this.now() + PLAN_TTL_MS).toISOString(),
      };
      this.plans.set(plan.planId, { plan, files: new Map(), targetDir: null, stagingIds });
      return plan;
    }

    const target = this.o.project(projectId);
    const caseDir = realpathSync(target.localDir);
    const files: SourceFile[] = [];
    for (const r of resolved) {
      if (r.stagingId === null && isWithin(r.abs, caseDir)) throw new AppError('not-allowed', `${r.abs} holds the case folder itself: it cannot be copied into it.`);
      if (r.stagingId === null && isWithin(caseDir, r.abs)) {
        warnings.push(`${r.name} is already in the case folder.`);
        continue;
      }
      await this.walk(r.abs, r.name, files, warnings);
    }
    const items: DropPlanItem[] = [];
    const byPath = new Map<string, SourceFile>();
    const root = this.caseRoot(caseDir);
    for (const f of files) {
      let dest: string;
      const rel = acceptedPath(f.rel);
      try {
        dest = root.join(rel);
        await root.checkParentForWrite(rel);
      } catch (e) {
        if (!isPathRefused(e)) throw e;
        warnings.push(`${f.rel}: ${e.reason}; left out.`);
        continue;
      }
      let action: DropPlanItem['action'] = 'add';
      try {
        const st = await lstat(dest);
        if (!st.isFile()) {
          warnings.push(`${f.rel}: the case has a folder or link with that name; left out.`);
          continue;
        }
        action = (await sameContent(f.abs, dest, f.size)) ? 'same' : 'replace';
      } catch {
        action = 'add';
      }
      items.push({ path: f.rel, size: f.size, action, ...(rel !== f.rel ? { renamedTo: rel } : {}) });
      byPath.set(f.rel, f);
    }
    if (items.length === 0 && warnings.length === 0) warnings.push('Nothing to add: the drop held no files.');
    const plan: DropPlan = {
      planId: randomUUID(),
      projectId,
      newProject: null,
      items,
      totalBytes: items.reduce((n, i) => n + i.size, 0),
      replaceCount: items.filter((i) => i.action === 'replace').length,
      warnings,
      expiresAt: new Date(this.now() + PLAN_TTL_MS).toISOString(),
    };
    this.plans.set(plan.planId, { plan, files: byPath, targetDir: caseDir, stagingIds });
    return plan;
  }

  /** The case as the one rooted folder of pulls and drops (the app's data folder reserved when inside). */
  private caseRoot(dir: string): RootedFolder {
    return caseFolder(dir, this.o.home);
  }

  take(planId: string): StoredPlan {
    const p = this.plans.get(planId);
    if (!p || Date.parse(p.plan.expiresAt) < this.now()) {
      this.plans.delete(planId);
      throw new AppError('not-found', 'This drop has expired: drop the files again.');
    }
    this.plans.delete(planId);
    return p;
  }

  /** Copies the planned files (temp file + rename; never clobbers a file that was not planned to be replaced). */
  async copy(stored: StoredPlan, replace: 'all' | 'none' | string[]): Promise<DropResult> {
    const { plan, files, targetDir } = stored;
    if (!targetDir || !plan.projectId) throw new AppError('internal', 'This drop has no target folder.');
    const allowed = replace === 'all' ? null : new Set(replace === 'none' ? [] : replace);
    const result: DropResult = { projectId: plan.projectId, copied: 0, replaced: 0, skipped: 0 };
    const root = this.caseRoot(targetDir);
    try {
      for (const item of plan.items) {
        const src = files.get(item.path);
        if (!src || item.action === 'same' || (item.action === 'replace' && allowed && !allowed.has(item.path))) {
          result.skipped++;
          continue;
        }
        let dest: string;
        const rel = item.renamedTo ?? item.path;
        try {
          dest = root.join(rel);
          await root.parentForWrite(rel);
        } catch (e) {
          if (!isPathRefused(e)) throw e;
          result.skipped++; // a folder on the way became a link since the plan: never write through it
          continue;
        }
        const tmp = join(dirname(dest), `.${basename(dest)}.${randomUUID().slice(0, 8)}.drop-tmp`);
        await copyFile(src.abs, tmp, constants.COPYFILE_EXCL);
        try {
          if (item.action === 'replace') {
            await rename(tmp, dest);
            result.replaced++;
          } else {
            try {
              await link(tmp, dest); // no clobber: a file created meanwhile wins
              result.copied++;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'EEXIST') result.skipped++;
              else {
                await copyFile(tmp, dest, constants.COPYFILE_EXCL); // filesystems without hard links
                result.copied++;
              }
            }
            await unlink(tmp);
          }
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      }
    } finally {
      await this.discardStaging(stored.stagingIds);
    }
    return result;
  }

  async cancel(planId: string): Promise<void> {
    const p = this.plans.get(planId);
    this.plans.delete(planId);
    if (p) await this.discardStaging(p.stagingIds);
  }

  async discardStaging(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => rm(join(this.o.stagingRoot, id), { recursive: true, force: true })));
  }
}
