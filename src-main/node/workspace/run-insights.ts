// Run insight inside the run lifecycle: one RunInsight per followed run, fed only from the replies the
// tracker and the log readers already get. `tap(client)` wraps the client they call: every
// index-short / view-short reply hands its runs' status, cost and `logs` window on, every view/{id}
// reply its `output` (the new tail of it), so run insight never makes an API call of its own.
// - Which runs: those on a project folder (or asked for: `want(id)`, the CLI's `wait` and `log`),
//   from the first reply that shows them active, or whose full log is read (a run that ended).
// - Sources: the full log is the better one. While it was read in the last TEXT_FRESH_MS the short
//   forms' windows of the same run are not fed (they hold the same lines, fewer of them).
// - The case's end is read once from the project's local folder (./case-window.ts).
// - Saved in the app data folder (InsightFiles: newest 200 runs, bounded series) at most every
//   `saveEveryMs` while fed, at once when the run ends, and on close; restored when the run shows
//   up again (after a restart the log is read again from its start: what was saved is history).
// - After each fed read: warnings raised for the first time (onWarning) and a change (onChange).
import { join } from 'node:path';
import type { InsightWarningView, RunInsightView } from '../../common/insight';
import { ACTIVE_STATUSES, SimStatus, TERMINAL_STATUSES, type CallOptions, type Simulation } from '../api/types';
import { readCaseWindow, readInputText } from '../simulation/insight/case-window';
import { learnPricePerCpuHour } from '../simulation/insight/cost';
import { InsightFiles } from '../simulation/insight/insight-files';
import { OutputTail } from '../simulation/insight/lines';
import { RunInsight } from '../simulation/insight/run-insight';
import { parseServiceDate } from '../simulation/run-summary';
import type { Scheduler } from '../simulation/scheduler';
import type { TrackerClient } from '../simulation/tracker';

/** A full log read this recently makes the short forms' windows of the same run redundant. */
const TEXT_FRESH_MS = 20 * 60_000;
/** Insights kept in memory (ended runs beyond this are saved and dropped, reloaded when asked). */
const MAX_LIVE = 50;

export interface RunProgressBrief {
  percent: number | null;
  etaSeconds: number | null;
  etaUncertaintySeconds: number | null;
}

export interface RunInsightsDeps {
  home: string;
  scheduler: Scheduler;
  /** The local case folder of a run (its project's), or null when no project syncs its storage folder. */
  caseDir: (s: Pick<Simulation, 'id' | 'folder'>) => string | null;
  /** A run the workspace follows by itself (on a project folder). */
  belongs: (s: Simulation) => boolean;
  /** Runs known now: the finished ones teach the price per vCPU hour. */
  known: () => Simulation[];
  /** The insight of a run changed; `status` is the run's status in the reply that changed it. */
  onChange: (id: number, status: number) => void;
  onWarning: (id: number, w: InsightWarningView) => void;
  onError: (what: string, error: unknown) => void;
  saveEveryMs?: number;
}

interface Entry {
  insight: RunInsight;
  tail: OutputTail;
  status: number | null;
  /** Scheduler ms of the last full-log feed. */
  textAt: number | null;
  savedAt: number;
  dirty: boolean;
  /** A price per vCPU hour was learnt (else it is tried again with each reply: finished runs show up later). */
  priced: boolean;
}

export class RunInsights {
  private readonly files: InsightFiles;
  private readonly live = new Map<number, Entry>();
  private readonly wanted = new Set<number>();
  private readonly saveEveryMs: number;

  constructor(private readonly d: RunInsightsDeps) {
    this.files = new InsightFiles(d.home);
    this.saveEveryMs = d.saveEveryMs ?? 10_000;
  }

  /** The client the tracker and the log readers call, handing each reply on to the insights. */
  tap(client: TrackerClient): TrackerClient {
    return {
      get budget() { return client.budget; },
      indexShort: async (page?: number, field?: string, order?: 'asc' | 'desc', o?: CallOptions) => {
        const list = await client.indexShort(page, field, order, o);
        this.saw(list, 'short');
        return list;
      },
      viewShort: async (id: number, o?: CallOptions) => {
        const s = await client.viewShort(id, o);
        this.saw([s], 'short');
        return s;
      },
      view: async (id: number, o?: CallOptions) => {
        const s = await client.view(id, o);
        this.saw([s], 'full');
        return s;
      },
    };
  }

  /** Keep an insight for this run even when it is on no project folder (the CLI's `wait`, a log read). */
  want(id: number): void {
    this.wanted.add(id);
  }

  /** The insight of a run: live, saved, or new (not fed yet) when `sim` is given; null otherwise. */
  view(id: number, sim?: Simulation): RunInsightView | null {
    const e = this.live.get(id) ?? (sim ? this.entry(sim, true, true) : this.restored(id));
    return e ? e.insight.view(this.d.scheduler.now()) : null;
  }

  /** Percent and ETA of a run followed now (null when it has no insight in memory). */
  brief(id: number): RunProgressBrief | null {
    const e = this.live.get(id);
    if (!e) return null;
    const p = e.insight.progress(this.d.scheduler.now());
    return p.known ? { percent: p.percent, etaSeconds: p.etaSeconds, etaUncertaintySeconds: p.etaUncertaintySeconds } : null;
  }

  /** The parsed series as CSV with a header, or null when the run has no insight. */
  csv(id: number): string | null {
    return (this.live.get(id) ?? this.restored(id))?.insight.csv() ?? null;
  }

  /** cpu.csv / ram.csv pulled into a run's case folder. */
  monitorPulled(id: number, caseDir: string, names: string[]): void {
    const e = this.live.get(id) ?? this.restored(id);
    if (!e) return;
    let changed = false;
    for (const kind of ['cpu', 'ram'] as const) {
      if (!names.includes(`${kind}.csv`)) continue;
      const text = readInputText(join(caseDir, `${kind}.csv`));
      if (text === null) continue;
      e.insight.setMonitor(kind, text);
      changed = true;
    }
    if (!changed) return;
    e.dirty = true;
    this.save(id, e);
    this.d.onChange(id, e.status ?? SimStatus.COMPLETED);
  }

  /** Saves what changed since the last save. */
  close(): void {
    for (const [id, e] of this.live) if (e.dirty) this.save(id, e);
  }

  // ---- feeding

  private saw(sims: Simulation[], kind: 'short' | 'full'): void {
    const now = this.d.scheduler.now();
    for (const s of sims) {
      try {
        this.feed(s, kind, now);
      } catch (error) {
        this.d.onError(`Run insight of simulation ${s.id} could not be updated`, error);
      }
    }
  }

  private feed(s: Simulation, kind: 'short' | 'full', now: number): void {
    const active = ACTIVE_STATUSES.includes(s.status);
    const e = this.live.get(s.id) ?? this.entry(s, active || kind === 'full', false);
    if (!e) return;
    const ins = e.insight;
    if (!e.priced) this.price(e, s);
    ins.update({ status: s.status, cost: s.cost, cpuHours: s.cpuHours, cpu: s.cpu }, now);
    let fed = false;
    if (kind === 'full' && s.output !== null) {
      ins.feedText(e.tail.next(s.output), now);
      if (!active) ins.endOfLog(now);
      e.textAt = now;
      fed = true;
    } else if (kind === 'short' && s.logs && !(e.textAt !== null && now - e.textAt < TEXT_FRESH_MS)) {
      ins.feedWindow(s.logs, now);
      fed = true;
    }
    const statusChanged = e.status !== s.status;
    e.status = s.status;
    if (!fed && !statusChanged) return;
    e.dirty = true;
    for (const w of ins.newWarnings(now)) this.d.onWarning(s.id, w);
    if (!active || now - e.savedAt >= this.saveEveryMs) this.save(s.id, e);
    this.d.onChange(s.id, s.status);
  }

  // ---- keeping

  /** A new or saved insight for a run; null when the run is not followed here (or `create` is false and none was saved). */
  private entry(s: Simulation, create: boolean, always: boolean): Entry | null {
    if (!always && !this.wanted.has(s.id) && !this.d.belongs(s)) return null;
    const saved = this.load(s.id);
    if (!saved && !create) return null;
    const now = this.d.scheduler.now();
    const insight = saved ?? new RunInsight({ id: s.id, script: s.script, window: null, cpu: s.cpu });
    if (!insight.hasWindow) {
      const w = readCaseWindow(this.d.caseDir(s), s.script);
      insight.setWindow(w.window, w.reason);
    }
    if (!saved) {
      // first seen already running (discovered, or the app started meanwhile): elapsed from its start
      const started = parseServiceDate(s.idate);
      if (s.status !== SimStatus.PENDING && started !== null && started <= now) insight.update({ startedAtMs: started }, now);
    }
    const e: Entry = { insight, tail: new OutputTail(), status: null, textAt: null, savedAt: saved ? now : Number.NEGATIVE_INFINITY, dirty: false, priced: false };
    this.price(e, s);
    this.live.set(s.id, e);
    this.evict(s.id);
    return e;
  }

  /** The median price per vCPU hour of the finished runs of the same RAM class (cost / cpu_hrs). */
  private price(e: Entry, s: Simulation): void {
    const p = learnPricePerCpuHour(this.d.known().filter((k) => TERMINAL_STATUSES.includes(k.status)), s.ram);
    if (p === null) return;
    e.insight.setPricePerCpuHour(p);
    e.priced = true;
  }

  private restored(id: number): Entry | null {
    const insight = this.load(id);
    if (!insight) return null;
    const e: Entry = { insight, tail: new OutputTail(), status: null, textAt: null, savedAt: this.d.scheduler.now(), dirty: false, priced: true };
    this.live.set(id, e);
    this.evict(id);
    return e;
  }

  private load(id: number): RunInsight | null {
    try {
      return this.files.load(id);
    } catch (error) {
      this.d.onError(`The saved run insight of simulation ${id} could not be read`, error);
      return null;
    }
  }

  private save(id: number, e: Entry): void {
    try {
      this.files.save(e.insight);
      e.savedAt = this.d.scheduler.now();
      e.dirty = false;
    } catch (error) {
      this.d.onError(`The run insight of simulation ${id} could not be saved`, error);
    }
  }

  /** Drops ended runs from memory, oldest first, once more than MAX_LIVE are held (saved first). */
  private evict(keep: number): void {
    if (this.live.size <= MAX_LIVE) return;
    const ended = [...this.live.entries()].filter(([id, e]) => id !== keep && (e.status === null || !ACTIVE_STATUSES.includes(e.status))).sort((a, b) => a[0] - b[0]);
    for (const [id, e] of ended) {
      if (this.live.size <= MAX_LIVE) break;
      if (e.dirty) this.save(id, e);
      this.live.delete(id);
    }
  }
}
