// Shared set-up for the sync integration suites: a real emulator on loopback, a real client, a
// temp app-data folder and case folder, and the invariant check against the emulator's view of the
// case at simulation start.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, type FaultConfig, type FileDigest, type SimulationStartEvent, startEmulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { IgnoreRules } from '../../../src-main/node/sync/ignore-rules';
import { SyncService } from '../../../src-main/node/sync/service';

export const KEY = 'test-key-sync-0123456789';
/** Files the service writes into a case folder itself (allowed to be in storage without being local). */
export const SERVICE_FILES = new Set(['upload.tar.gz', 'cloudhpc.log', 'cloudhpc.err', 'cpu.csv', 'ram.csv', 'totcpu.csv']);

export interface Env {
  emu: Emulator;
  client: CloudHpcClient;
  root: string;
  home: string;
  registry: ProjectRegistry;
  service: SyncService;
  caseDir(name: string): string;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startEnv(opts: { hourlyLimit?: number; faults?: FaultConfig } = {}): Promise<Env> {
  const emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: opts.hourlyLimit ?? 0 }], timeScale: 0, durations: { pendingSeconds: 1, runSeconds: 2, stoppingSeconds: 1 }, faults: opts.faults });
  const root = mkdtempSync(join(tmpdir(), 'sync-it-'));
  const home = join(root, 'home');
  const makeClient = () => new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
  const env: Env = {
    emu,
    client: makeClient(),
    root,
    home,
    registry: new ProjectRegistry(home),
    service: undefined as unknown as SyncService,
    caseDir(name: string) {
      const d = join(root, name);
      mkdirSync(d, { recursive: true });
      return d;
    },
    async restart() {
      await env.service.close();
      await env.client.close();
      env.client = makeClient();
      env.registry = new ProjectRegistry(home);
      env.service = new SyncService({ registry: env.registry, cloud: env.client, budgetLeft: () => env.client.budget.state().hourlyLeft });
    },
    async close() {
      await env.service.close();
      await env.client.close();
      await emu.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  env.service = new SyncService({ registry: env.registry, cloud: env.client, budgetLeft: () => env.client.budget.state().hourlyLeft });
  return env;
}

/** Starts a simulation on the folder and returns the emulator's view of the case at its start. */
export async function startSimulation(env: Env, projectId: string, folder: string, opts: { seenRunning?: boolean } = {}): Promise<SimulationStartEvent> {
  const seen = new Promise<SimulationStartEvent>((resolve) => {
    const off = env.emu.onSimulationStart((e) => {
      if (e.simulation.folder === folder) {
        off();
        resolve(e);
      }
    });
  });
  await env.client.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder }, { priority: 'user' });
  env.service.noteSimulationStarted(projectId);
  await env.emu.clock.advance(2);
  const e = await withTimeout(seen, 10_000, 'simulation start');
  // The app's status poll would see it RUNNING; seenRunning=false models an app that never learns it.
  if (opts.seenRunning ?? true) env.service.noteSimulationRunning(projectId);
  // Let the run finish so its service files land and nothing stays active.
  await env.emu.clock.advance(10);
  return e;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

/** Every non-ignored local file with its sha256. */
export function localDigests(dir: string): Record<string, FileDigest> {
  const rules = IgnoreRules.load(dir);
  const out: Record<string, FileDigest> = {};
  const walk = (rel: string): void => {
    for (const d of readdirSync(rel ? join(dir, rel) : dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (!rules.ignores(r, true)) walk(r);
      } else if (d.isFile() && !rules.ignores(r)) {
        const buf = readFileSync(join(dir, r));
        out[r] = { size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
      }
    }
  };
  walk('');
  return out;
}

/**
 * The invariant: the case the solver sees holds every local file with its content, and nothing else
 * except the service's own files (and files named in `allowedExtra`, e.g. pulled results).
 */
export function invariantViolations(local: Record<string, FileDigest>, cloud: Record<string, FileDigest>, allowedExtra: ReadonlySet<string> = new Set()): string[] {
  const v: string[] = [];
  for (const [p, d] of Object.entries(local)) {
    const c = cloud[p];
    if (!c) v.push(`missing in cloud: ${p}`);
    else if (c.sha256 !== d.sha256) v.push(`different content in cloud: ${p}`);
  }
  for (const p of Object.keys(cloud)) {
    if (!(p in local) && !SERVICE_FILES.has(p) && !allowedExtra.has(p)) v.push(`survived in cloud though not local: ${p}`);
  }
  return v;
}
