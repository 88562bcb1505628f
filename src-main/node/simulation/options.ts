// What a new simulation may be: vCPU counts, RAM classes and solver scripts from the service
// (view-cpu, view-ram, view-scripts: 3 API calls), cached on disk for a day per service URL,
// refreshable; with what each choice means (reference: RAM classes per vCPU, REG vs SPOT).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Priority } from '../api/types';
import { appDataDir, writeFileAtomicSync } from '../project';
import { errorText } from '../sync/cloud-port';

export interface SimulationOptions {
  cpus: number[];
  rams: string[];
  scripts: string[];
  /** When they were asked (epoch ms). */
  fetchedAt: number;
  /** True when they came from the cache file. */
  cached: boolean;
  /** The service could not be asked (offline, budget, an error): these are the last known lists, whatever their age. */
  stale?: boolean;
  /** Why they could not be asked, for a person (set with `stale`). */
  problem?: string | null;
}

export interface OptionsSource {
  viewCpu(o?: { priority?: Priority }): Promise<number[]>;
  viewRam(o?: { priority?: Priority }): Promise<string[]>;
  viewScripts(o?: { priority?: Priority }): Promise<string[]>;
}

export const OPTIONS_TTL_MS = 24 * 3_600_000;

const CacheFile = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), z.object({ cpus: z.array(z.number()), rams: z.array(z.string()), scripts: z.array(z.string()), fetchedAt: z.number() })),
});
type CacheFileT = z.infer<typeof CacheFile>;

export interface OptionsCacheDeps {
  /** Folder of the cache file; default the app data folder. */
  dir?: string;
  now?: () => number;
  ttlMs?: number;
}

/** The cache of the three option lists, one entry per service base URL (no key is stored). */
export class SimulationOptionsCache {
  private readonly file: string;
  private readonly now: () => number;
  private readonly ttl: number;
  private inflight: Promise<SimulationOptions> | null = null;

  constructor(deps: OptionsCacheDeps = {}) {
    this.file = join(deps.dir ?? appDataDir(), 'simulation-options.json');
    this.now = deps.now ?? Date.now;
    this.ttl = deps.ttlMs ?? OPTIONS_TTL_MS;
  }

  /** Cached lists when younger than a day (unless `refresh`), else asked from the service (3 calls). */
  get(source: OptionsSource, baseUrl: string, o: { refresh?: boolean; priority?: Priority } = {}): Promise<SimulationOptions> {
    if (!o.refresh) {
      const e = this.read().entries[baseUrl];
      if (e && this.now() - e.fetchedAt < this.ttl && this.now() >= e.fetchedAt) return Promise.resolve({ ...e, cached: true });
    }
    if (this.inflight) return this.inflight;
    const p = (async () => {
      const priority = o.priority ?? 'user';
      let lists: [number[], string[], string[]];
      try {
        lists = await Promise.all([source.viewCpu({ priority }), source.viewRam({ priority }), source.viewScripts({ priority })]);
      } catch (e) {
        // Offline (or refused): the last known lists, whatever their age, say what can be chosen; the
        // launch itself still checks with the service.
        const last = this.peek(baseUrl);
        if (!last) throw e;
        return { ...last, stale: true, problem: errorText(e) };
      }
      const [cpus, rams, scripts] = lists;
      const entry = { cpus, rams, scripts, fetchedAt: this.now() };
      const all = this.read();
      all.entries[baseUrl] = entry;
      writeFileAtomicSync(this.file, JSON.stringify(all, null, 1));
      return { ...entry, cached: false };
    })();
    this.inflight = p;
    p.then(() => { this.inflight = null; }, () => { this.inflight = null; });
    return p;
  }

  /** The last lists asked from this service, whatever their age, or null (no call). */
  peek(baseUrl: string): SimulationOptions | null {
    const e = this.read().entries[baseUrl];
    return e ? { ...e, cached: true } : null;
  }

  private read(): CacheFileT {
    try {
      return CacheFile.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      return { version: 1, entries: {} };
    }
  }
}

/** RAM per vCPU of each class (reference, provider's docs). */
export const RAM_CLASSES: Record<string, { gbPerCpu: number; note: string }> = {
  highcpu: { gbPerCpu: 1, note: '1 GB per vCPU (hyper-thread): light meshes, the cheapest' },
  standard: { gbPerCpu: 4, note: '4 GB per vCPU (hyper-thread): most CFD cases' },
  highmem: { gbPerCpu: 8, note: '8 GB per vCPU (hyper-thread): large meshes, FEA with direct solvers' },
  highcore: { gbPerCpu: 2, note: '2 GB per vCPU on physical cores: MPI-bound solvers' },
  hypercpu: { gbPerCpu: 1, note: '1 GB per vCPU, premium CPUs' },
  hypercore: { gbPerCpu: 2, note: '2 GB per vCPU on premium physical cores' },
  basegpu: { gbPerCpu: 8, note: '8 GB per vCPU plus one NVIDIA T4 GPU per 2 vCPU' },
};

export function explainRam(ram: string, cpu?: number): string {
  const c = RAM_CLASSES[ram];
  if (!c) return `${ram}: a RAM class this app has no description for`;
  return cpu ? `${ram}: ${c.note}; ${cpu} vCPU = ${cpu * c.gbPerCpu} GB` : `${ram}: ${c.note}`;
}

export const INSTANCE_KINDS = {
  regular: 'REGULAR (the default, nopre 1): a dedicated machine that runs to the end; costs more.',
  spot: 'SPOT (nopre 0): cheaper, but the provider may reclaim the machine and the run restarts (from the last saved results where the solver can); not enabled on new accounts.',
} as const;

export function formatOptions(o: SimulationOptions): string {
  const lines = [
    `vCPU: ${o.cpus.join(', ')}`,
    'RAM classes:',
    ...o.rams.map((r) => `  ${explainRam(r)}`),
    `Scripts: ${o.scripts.join(', ')}`,
    'Instances:',
    `  ${INSTANCE_KINDS.regular}`,
    `  ${INSTANCE_KINDS.spot}`,
    `(${o.cached ? 'cached' : 'asked'} ${new Date(o.fetchedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC; --refresh asks again)`,
  ];
  return lines.join('\n');
}

export interface LaunchChoice {
  cpu: number;
  ram: string;
  script: string;
}

/** Checks a choice against the offered lists; returns clear messages, empty when valid. */
export function checkChoice(c: LaunchChoice, o: SimulationOptions): string[] {
  const errs: string[] = [];
  if (!o.cpus.includes(c.cpu)) errs.push(`${c.cpu} vCPU is not offered; choose one of ${o.cpus.join(', ')}.`);
  if (!o.rams.includes(c.ram)) errs.push(`RAM class "${c.ram}" is not offered; choose one of ${o.rams.join(', ')}.`);
  if (!o.scripts.includes(c.script)) {
    const near = o.scripts.filter((s) => s.toLowerCase().startsWith(c.script.toLowerCase().slice(0, 3)));
    errs.push(`Script "${c.script}" is not offered${near.length ? `; did you mean ${near.join(', ')}?` : `; choose one of ${o.scripts.join(', ')}.`}`);
  }
  return errs;
}
