// What the UI may ask to open: files and folders inside a project, a conflict's two versions, and
// http(s) links on an allow-list (the cloudHPC web app and docs, a running simulation's remote
// desktop host). The core resolves and checks (the rooted-path rule: no '..', no absolute path, no
// symlink leading out of the project); the shell (Electron) opens; headless answers the path.
import type { OpenResult, OpenTarget } from '../../common/contract';
import { CLOUDHPC_WEB_HOSTS } from '../../common/web-hosts';
import { RootedFolder } from '../rooted-path';
import { AppError } from './errors';

export interface OpenContext {
  projectDir(projectId: string): string;
  conflict(projectId: string, conflictId: string): { path: string; copy: string };
  /** Hosts of running simulations' remote desktops. */
  vncHosts(): string[];
  opener?: (target: string, kind: 'path' | 'url') => Promise<void>;
}

async function inProject(dir: string, rel: string): Promise<string> {
  try {
    return await new RootedFolder(dir).resolve(rel);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not-found', `${rel} does not exist any more.`);
    throw e;
  }
}

export async function resolveOpenTarget(t: OpenTarget, ctx: OpenContext): Promise<{ target: string; kind: 'path' | 'url' }> {
  switch (t.kind) {
    case 'project-folder':
      return { target: ctx.projectDir(t.projectId), kind: 'path' };
    case 'project-file':
      return { target: await inProject(ctx.projectDir(t.projectId), t.path), kind: 'path' };
    case 'conflict': {
      const c = ctx.conflict(t.projectId, t.conflictId);
      return { target: await inProject(ctx.projectDir(t.projectId), t.side === 'local' ? c.path : c.copy), kind: 'path' };
    }
    case 'external-url': {
      let u: URL;
      try {
        u = new URL(t.url);
      } catch {
        throw new AppError('invalid-input', 'That is not a web address.');
      }
      const hosts = [...CLOUDHPC_WEB_HOSTS, ...ctx.vncHosts()];
      if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !hosts.includes(u.hostname.toLowerCase())) {
        throw new AppError('not-allowed', `Links to ${u.hostname || 'that place'} are not opened by the app.`);
      }
      return { target: u.toString(), kind: 'url' };
    }
  }
}

export async function openTarget(t: OpenTarget, ctx: OpenContext): Promise<OpenResult> {
  const r = await resolveOpenTarget(t, ctx);
  if (!ctx.opener) {
    return { opened: false, target: r.target, message: r.kind === 'path' ? `Headless mode: open it on the server machine: ${r.target}` : r.target };
  }
  await ctx.opener(r.target, r.kind);
  return { opened: true, target: r.target, message: null };
}
