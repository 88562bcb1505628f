// The registry of projects: which local folders sync with which storage folders, with their
// settings. One JSON file in the app data folder, replaced atomically; each project's sync index
// lives in its own folder beside it (projects/<id>/index.sqlite).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { isWithin } from '../rooted-path';
import { appDataDir } from './app-data';
import { isAppFolder } from './case-folder';
import { writeFileAtomicSync } from './atomic-write';
import { type ProjectSettings, ProjectSettingsSchema } from './settings';
import { checkStorageName } from './storage-name';

export interface Project {
  id: string;
  /** Absolute, resolved local case folder. */
  localDir: string;
  /** Top-level folder in the user's cloudHPC storage. */
  storageFolder: string;
  createdAt: number;
  settings: ProjectSettings;
}

const ProjectSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{4,64}$/),
  localDir: z.string().min(1),
  storageFolder: z.string().min(1),
  createdAt: z.number(),
  settings: ProjectSettingsSchema,
});
const FileSchema = z.object({ version: z.literal(1), projects: z.array(ProjectSchema) });

/** A refusal the user can act on (the CLI prints `message` and exits with the usage code). */
export class ProjectError extends Error {
  readonly suggestion: string | undefined;
  constructor(message: string, suggestion?: string) {
    super(message);
    this.name = 'ProjectError';
    this.suggestion = suggestion;
  }
}

function canonicalDir(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new ProjectError(`The folder ${abs} does not exist. Create it or pick an existing case folder.`);
  if (!statSync(abs).isDirectory()) throw new ProjectError(`${abs} is a file, not a folder. Pick the case folder that holds it.`);
  return realpathSync(abs);
}

export class ProjectRegistry {
  readonly home: string;
  readonly file: string;

  constructor(home: string = appDataDir()) {
    this.home = home;
    this.file = join(home, 'projects.json');
  }

  /** Folder for a project's own state (its index). */
  projectDir(id: string): string {
    return join(this.home, 'projects', id);
  }

  indexPath(id: string): string {
    return join(this.projectDir(id), 'index.sqlite');
  }

  list(): Project[] {
    if (!existsSync(this.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new ProjectError(`The project list ${this.file} is not valid JSON (${(err as Error).message}). Move it away to start with an empty list.`);
    }
    const parsed = FileSchema.safeParse(raw);
    if (!parsed.success) throw new ProjectError(`The project list ${this.file} is not in the expected format. Move it away to start with an empty list.`);
    return parsed.data.projects;
  }

  private save(projects: Project[]): void {
    writeFileAtomicSync(this.file, `${JSON.stringify({ version: 1, projects }, null, 2)}\n`);
  }

  get(id: string): Project | undefined {
    return this.list().find((p) => p.id === id);
  }

  /** The project whose folder is dir (resolved), if any. */
  findByDir(dir: string): Project | undefined {
    let abs: string;
    try { abs = realpathSync(resolve(dir)); } catch { abs = resolve(dir); }
    return this.list().find((p) => p.localDir === abs);
  }

  /**
   * Adds a project. The storage folder defaults to the local folder's name; an invalid name is
   * refused with a suggestion. Two projects may not share a storage folder or nest their folders.
   */
  add(dir: string, opts: { storageFolder?: string; settings?: Partial<ProjectSettings> } = {}): Project {
    const localDir = canonicalDir(dir);
    if (isAppFolder(localDir, [this.home])) throw new ProjectError(`${localDir} is the app's own data folder (or inside it): it cannot be a case. Pick the folder of a simulation case.`);
    const storageFolder = opts.storageFolder ?? basename(localDir);
    const check = checkStorageName(storageFolder);
    if (!check.ok) throw new ProjectError(check.message, check.suggestion);
    const projects = this.list();
    for (const p of projects) {
      if (p.localDir === localDir) throw new ProjectError(`${localDir} is already a project (storage folder "${p.storageFolder}").`);
      if (p.storageFolder === storageFolder) throw new ProjectError(`The storage folder "${storageFolder}" is already used by ${p.localDir}. Choose another name.`, `${storageFolder}_2`);
      if (isWithin(p.localDir, localDir) || isWithin(localDir, p.localDir)) {
        throw new ProjectError(`${localDir} and the project folder ${p.localDir} are inside one another; a folder can belong to one project only.`);
      }
    }
    const project: Project = {
      id: randomUUID().slice(0, 8),
      localDir,
      storageFolder,
      createdAt: Date.now(),
      settings: ProjectSettingsSchema.parse(opts.settings ?? {}),
    };
    this.save([...projects, project]);
    return project;
  }

  /** The project for dir, adding it when it is not registered yet. */
  ensure(dir: string, opts: { storageFolder?: string; settings?: Partial<ProjectSettings> } = {}): Project {
    const found = this.findByDir(dir);
    if (found) {
      if (opts.storageFolder && opts.storageFolder !== found.storageFolder) {
        throw new ProjectError(`${found.localDir} already syncs with the storage folder "${found.storageFolder}", not "${opts.storageFolder}". Remove the project first to change it.`);
      }
      return found;
    }
    return this.add(dir, opts);
  }

  updateSettings(id: string, patch: Partial<ProjectSettings>): Project {
    const projects = this.list();
    const i = projects.findIndex((p) => p.id === id);
    const current = projects[i];
    if (!current) throw new ProjectError(`No project with id ${id}.`);
    const next: Project = { ...current, settings: ProjectSettingsSchema.parse({ ...current.settings, ...patch }) };
    projects[i] = next;
    this.save(projects);
    return next;
  }

  /** Forgets a project (its local folder and cloud storage are left untouched). Returns whether it existed. */
  remove(id: string): boolean {
    const projects = this.list();
    const next = projects.filter((p) => p.id !== id);
    if (next.length === projects.length) return false;
    this.save(next);
    return true;
  }
}
