// Small helpers for the workspace tests: the CLI in this process, and waiting for a typed event.
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import type { Emulator } from '../../../emulator/index';
import { main } from '../../../src-main/cli/main';
import type { Reply } from '../../../src-main/common/contract';
import type { AppCore } from '../../../src-main/node/app/app-core';
import type { Workspace, WorkspaceEvents } from '../../../src-main/node/workspace';

export interface CliRun { code: number; stdout: string; stderr: string }

/** The CLI's dispatcher in this process (the same code as the bin, without a process start). */
export async function cliHere(args: string[], env: Record<string, string>, signal?: AbortSignal): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write(c, _e, cb) { stdout += String(c); cb(); } });
  const err = new Writable({ write(c, _e, cb) { stderr += String(c); cb(); } });
  const code = await main(args, { stdout: out, stderr: err, env }, signal);
  return { code, stdout, stderr };
}

/** The last JSON document a --json command printed. */
export function lastJson<T>(out: string): T {
  return JSON.parse(out.trim().split('\n').pop() ?? 'null') as T;
}

/** Resolves with the first event of that name that `pred` accepts; rejects after `ms`. */
export function nextEvent<K extends keyof WorkspaceEvents>(ws: Workspace, name: K, pred: (v: WorkspaceEvents[K]) => boolean = () => true, ms = 30_000): Promise<WorkspaceEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${String(name)} event within ${ms} ms`)); }, ms);
    const off = ws.on(name, (v) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

/** The value of a contract Reply, or the error as an exception. */
export function ok<T>(r: Reply<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** What a test started: the app over the emulator (a Workspace or an AppCore), the emulator, its temp folder. */
export interface Started { app: Workspace | AppCore | null; emu: Emulator | null; root: string }

/**
 * The teardown every test of a file needs: after each, the app is closed, then the emulator stopped,
 * then the temp folder removed. `started` reads the file's variables at that time (null or '' for what
 * the test did not get to start).
 */
export function cleanUpAfterEach(started: () => Started): void {
  afterEach(async () => {
    const { app, emu, root } = started();
    try {
      if (app) await ('close' in app ? app.close() : app.stop());
    } finally {
      await emu?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    }
  });
}
