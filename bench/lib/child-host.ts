// Starts the engine child (bench/engine-child.ts) and talks to it. The child is bundled once per run
// with esbuild (installed with tsx and vite) into the run's temp folder and started with plain
// `node`, like the app's bundled main process: no TypeScript loader thread inflates its RSS. Only
// the native modules (better-sqlite3, @parcel/watcher) stay outside the bundle, imported by absolute
// path (bundled, @parcel/watcher could not find its prebuilt binary and the chokidar fallback would run). If esbuild is not
// available the child runs through tsx instead (its loader adds a few tens of MB of RSS; the report
// says which).
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildCommand, ChildReply } from './child-protocol';
import { type ProcSample, sampleProc } from './proc';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

export interface Launcher {
  script: string;
  execArgv: string[];
  mode: 'esbuild bundle' | 'tsx';
}

interface EsbuildPlugin {
  name: string;
  setup(b: { onResolve(o: { filter: RegExp }, cb: (a: { path: string }) => { path: string; external: boolean }): void }): void;
}
interface EsbuildModule {
  build(o: Record<string, unknown> & { plugins?: EsbuildPlugin[] }): Promise<unknown>;
}

export async function prepareLauncher(tmpDir: string): Promise<Launcher> {
  const entry = join(repo, 'bench', 'engine-child.ts');
  try {
    const esbuild = (await import('esbuild')) as unknown as EsbuildModule;
    const req = createRequire(join(repo, 'package.json'));
    const native = ['better-sqlite3', 'keytar', '@parcel/watcher'];
    const outfile = join(tmpDir, 'engine-child.mjs');
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      plugins: [{
        name: 'native-absolute',
        setup(b) {
          b.onResolve({ filter: new RegExp(`^(${native.join('|')})$`) }, (a) => ({ path: req.resolve(a.path), external: true }));
        },
      }],
    });
    return { script: outfile, execArgv: [], mode: 'esbuild bundle' };
  } catch {
    return { script: entry, execArgv: ['--import', 'tsx'], mode: 'tsx' };
  }
}

export class EngineChild {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: ((r: ChildReply) => void) | null = null;
  private exited = false;
  private exitError: Error | null = null;

  private constructor(private readonly proc: ChildProcess) {
    proc.on('message', (m: ChildReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(m);
    });
    proc.on('exit', (code, sig) => {
      this.exited = true;
      this.exitError = new Error(`engine child exited (${code ?? sig})`);
      const w = this.waiting;
      this.waiting = null;
      w?.({ ok: false, error: this.exitError.message });
    });
  }

  static async start(l: Launcher, env: Record<string, string> = {}): Promise<EngineChild> {
    const proc = fork(l.script, [], {
      execArgv: l.execArgv,
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const c = new EngineChild(proc);
    const first = await new Promise<ChildReply>((res) => { c.waiting = res; });
    if (!first.ok) throw new Error(first.error ?? 'engine child failed to start');
    return c;
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  sample(): ProcSample {
    return sampleProc(this.pid);
  }

  /** Sends one command and waits for its reply (commands are serialised). */
  send(cmd: ChildCommand): Promise<ChildReply> {
    const run = async (): Promise<ChildReply> => {
      if (this.exited) throw this.exitError ?? new Error('engine child has exited');
      const reply = new Promise<ChildReply>((res) => { this.waiting = res; });
      this.proc.send(cmd);
      const r = await reply;
      if (!r.ok) throw new Error(`engine child, ${cmd.cmd}: ${r.error ?? 'failed'}`);
      return r;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Closes the engine and ends the process (killed if it does not leave within 10 s). */
  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.send({ cmd: 'close' }), new Promise((r) => setTimeout(r, 10_000))]);
    } catch {
      // already gone
    }
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.disconnect();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
}
