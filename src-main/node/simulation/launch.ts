// A launch: check the choice against the offered options, run the pre-flight checks on the local
// case (errors refuse, warnings ask), wait until the project's push is complete (the storage
// equals the local case), call simulation/add exactly once (the client finds the run of a lost
// reply instead of sending again), and record the simulation against the project.

import type { CallOptions, NewSimulation, Priority } from '../api/types';
import { FORBIDDEN_CHARS } from '../project';
import { scanCase, type ScanCaseOptions } from './case-scan';
import { checkChoice, SimulationOptionsCache, type OptionsSource, type SimulationOptions } from './options';
import { preflight, type PreflightReport } from './preflight';
import type { SimulationRecords } from './records';

/** What a launch needs from the sync engine (SyncService satisfies it). */
export interface LaunchSync {
  ensurePushed(projectId: string, o?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
  noteSimulationStarted?(projectId: string): void;
  /** Seen RUNNING or later: the run has extracted the project's archive (sync/README, "two cloud hashes"). */
  noteSimulationRunning?(projectId: string): void;
  /** Ended without being seen running (stopped while pending). */
  noteSimulationEnded?(projectId: string): void;
}

export interface LaunchClient extends OptionsSource {
  readonly baseUrl: string;
  addSimulation(sim: NewSimulation, o?: CallOptions & { priority?: Priority }): Promise<number>;
}

export interface LaunchRequest {
  projectId: string;
  localDir: string;
  storageFolder: string;
  cpu: number;
  ram: string;
  script: string;
  mesh?: string;
  /** REGULAR instance (nopre 1, the default everywhere: SPOT is not enabled on new accounts); false = SPOT. */
  regular?: boolean;
  /** Asked when the pre-flight has warnings (no errors); false or missing refuses. */
  confirm?: (report: PreflightReport) => Promise<boolean> | boolean;
  signal?: AbortSignal;
  /** Ask the options again instead of the day-old cache. */
  refreshOptions?: boolean;
  /** Told the pre-flight report as soon as it is known (before any refusal or question). */
  onReport?: (report: PreflightReport) => void;
  /** Told each step as it starts. */
  onStep?: (step: LaunchStep, detail?: string) => void;
  /** The runs active on the storage folder now (ids); a launch is refused while there is one, unless `force`. */
  activeRuns?: () => Promise<number[]>;
  /** Launch even though a run is active on the storage folder. */
  force?: boolean;
  /** Files the app pulled, unchanged since: never pushed, so the pre-flight leaves them out. */
  pulled?: ScanCaseOptions['pulled'];
}

export type LaunchStep = 'options' | 'preflight' | 'push' | 'add' | 'recorded';

/** The instance kind when none is chosen: REGULAR (SPOT is not enabled on new accounts). */
export const DEFAULT_REGULAR = true;

export interface LaunchResult {
  id: number;
  report: PreflightReport;
  options: SimulationOptions;
}

export type LaunchRefusal = 'invalid-choice' | 'preflight-errors' | 'warnings-declined' | 'bad-mesh' | 'run-active';

/** A launch refused before anything was started; the message is a whole sentence (no "Launch refused:" needed). */
export class LaunchRefused extends Error {
  constructor(message: string, readonly code: LaunchRefusal, readonly report?: PreflightReport, readonly activeRuns: number[] = []) {
    super(message);
    this.name = 'LaunchRefused';
  }
}

export interface LauncherDeps {
  client: LaunchClient;
  sync: LaunchSync;
  records: SimulationRecords;
  optionsCache?: SimulationOptionsCache;
  now?: () => number;
}

export class Launcher {
  private readonly inflight = new Map<string, Promise<LaunchResult>>();
  private readonly cache: SimulationOptionsCache;

  constructor(private readonly deps: LauncherDeps) {
    this.cache = deps.optionsCache ?? new SimulationOptionsCache();
  }

  /** Launches; a second launch of the same project while one is in flight gets the same promise. */
  launch(req: LaunchRequest): Promise<LaunchResult> {
    const running = this.inflight.get(req.projectId);
    if (running) return running;
    const p = this.run(req).finally(() => this.inflight.delete(req.projectId));
    this.inflight.set(req.projectId, p);
    return p;
  }

  private async run(req: LaunchRequest): Promise<LaunchResult> {
    const { client, sync, records } = this.deps;
    const onStep = req.onStep;
    const mesh = req.mesh?.trim() ?? '';
    if (mesh && (mesh.includes('/') || FORBIDDEN_CHARS.some((c) => mesh.includes(c)) || /\s/.test(mesh))) {
      throw new LaunchRefused(`The mesh folder "${mesh}" is not a valid top-level storage folder name: use letters, digits, - _ and . only.`, 'bad-mesh');
    }
    onStep?.('options');
    const options = await this.cache.get(client, client.baseUrl, { refresh: req.refreshOptions, priority: 'user' });
    const bad = checkChoice({ cpu: req.cpu, ram: req.ram, script: req.script }, options);
    if (bad.length) throw new LaunchRefused(bad.join(' '), 'invalid-choice');

    onStep?.('preflight');
    const report = preflight(await scanCase(req.localDir, { pulled: req.pulled }), { script: req.script, cpu: req.cpu, mesh: mesh || undefined, offeredCpus: options.cpus });
    req.onReport?.(report);
    if (report.blocking) {
      throw new LaunchRefused(`Not launched: the case has ${report.errors} problem${report.errors === 1 ? '' : 's'} that would make the run fail; fix ${report.errors === 1 ? 'it' : 'them'} and launch again.`, 'preflight-errors', report);
    }
    if (report.needsConfirmation && !(await req.confirm?.(report))) {
      throw new LaunchRefused('Not launched: the pre-flight warnings were not accepted.', 'warnings-declined', report);
    }
    if (!req.force && req.activeRuns) {
      const active = await req.activeRuns();
      if (active.length > 0) {
        const which = active.length === 1 ? `Simulation ${active[0]} is` : `Simulations ${active.join(', ')} are`;
        throw new LaunchRefused(`Not launched: ${which} still active on the storage folder "${req.storageFolder}", and a second run would work on the same files. Wait for it to end, or launch anyway.`, 'run-active', report, active);
      }
    }

    onStep?.('push', 'making the storage equal the local case');
    await sync.ensurePushed(req.projectId, { signal: req.signal });
    req.signal?.throwIfAborted();

    onStep?.('add');
    const sim: NewSimulation = { cpu: req.cpu, ram: req.ram, script: req.script, folder: req.storageFolder };
    const regular = req.regular ?? DEFAULT_REGULAR;
    if (mesh) sim.mesh = mesh;
    sim.regular = regular;
    const id = await client.addSimulation(sim, { priority: 'user', signal: req.signal });
    sync.noteSimulationStarted?.(req.projectId);
    records.put({
      id, projectId: req.projectId, folder: req.storageFolder, script: req.script, cpu: req.cpu, ram: req.ram, mesh,
      regular, launchedAt: (this.deps.now ?? Date.now)(), status: null, outcome: null, finishedAt: null,
    });
    onStep?.('recorded', String(id));
    return { id, report, options };
  }
}
