// Everything the app knows about one run's progress, built from the log text it already reads (no
// API call of its own): feed it the appended text of view/{id} (feedText) or the last-lines window
// of view-short (feedWindow) with the wall-clock time it was observed, the run's status and cost
// fields (update), the hardware monitor files when pulled (setMonitor); ask for a RunInsightView.
// Serialisable (toJSON / fromJSON) so the series survive an app restart.

import type { InsightFamily, InsightWarningView, RunInsightView, RunProgressView } from '../../../common/insight';
import { ACTIVE_STATUSES, SimStatus, TERMINAL_STATUSES } from '../../api/types';
import { solverFamily } from '../solver-family';
import { buildCharts } from './charts';
import { costView } from './cost';
import { estimateEta, type Reading } from './eta';
import { LineSplitter, WindowReader, type LineEvent } from './lines';
import { parseMonitorCsv, type MonitorSeries } from './monitor-csv';
import { FdsParser } from './parsers/fds';
import { AsterParser, CalculixParser, SaturneParser } from './parsers/fea';
import { OpenFoamParser } from './parsers/openfoam';
import type { LogParser, LogRecord } from './records';
import { DEFAULT_CAP, SeriesStore, type SeriesData } from './series-store';
import type { RunWindow } from './end-time';
import { DEFAULT_THRESHOLDS, type Detected, type WarningThresholds, courantHigh, failureWarning, residualsRising, stalled } from './warnings';

/** The end of the run as the case states it; `start` null = take the first solver time the log shows. */
export type CaseWindow = Omit<RunWindow, 'start'> & { start: number | null };

export interface RunInsightOptions {
  id: number;
  /** cloudHPC script name (e.g. "openFoam-v2406"): chooses the parser. */
  script: string;
  /** From ./end-time.ts on the local case; null when the case does not say (no progress then). */
  window: CaseWindow | null;
  cpu?: number | null;
  /** Why `window` is null, when the caller knows better than "the case states no end" (e.g. the case folder is not here). */
  noWindowReason?: string | null;
  /** EUR per vCPU hour for the cost estimate while running (learnPricePerCpuHour). */
  pricePerCpuHour?: number | null;
  thresholds?: Partial<WarningThresholds>;
  /** Points kept per series. */
  seriesCap?: number;
}

export interface RunState {
  status?: number;
  /** Wall-clock ms the run started running, when the caller knows it better than the first reading. */
  startedAtMs?: number | null;
  endedAtMs?: number | null;
  cost?: number | null;
  cpuHours?: number | null;
  cpu?: number | null;
}

const MAX_READINGS = 400;
const MAX_READS = 50;

export function insightFamily(script: string): { family: InsightFamily; meshing: boolean } {
  const { family, meshing } = solverFamily(script);
  const map: Record<string, InsightFamily> = { fds: 'fds', openfoam: 'openfoam', code_saturne: 'code_saturne', code_aster: 'code_aster', calculix: 'calculix' };
  return { family: map[family] ?? 'other', meshing };
}

function parserFor(family: InsightFamily, window: CaseWindow | null): LogParser | null {
  switch (family) {
    case 'fds': return new FdsParser();
    case 'openfoam': return new OpenFoamParser();
    case 'code_saturne': return new SaturneParser(window?.unit === 'step' ? 'step' : 'time');
    case 'code_aster': return new AsterParser();
    case 'calculix': return new CalculixParser();
    default: return null;
  }
}

interface PersistedV1 {
  v: 1;
  id: number;
  script: string;
  window: CaseWindow | null;
  noWindowReason?: string | null;
  cpu: number | null;
  pricePerCpuHour: number | null;
  series: Record<string, SeriesData>;
  readings: Reading[];
  reads: number[];
  lastTime: number | null;
  firstTime: number | null;
  stepsSeen: number;
  printStep: number;
  restarts: number;
  failure: { code: 'fds-instability' | 'floating-point-exception'; text: string; at: number | null } | null;
  ended: boolean;
  run: RunState;
  runningSince: number | null;
  warnings: { detected: Detected; since: number }[];
  announced: string[];
  monitor: { cpu: MonitorSeries[]; ram: MonitorSeries[] };
  updatedAt: number | null;
}

export class RunInsight {
  readonly id: number;
  readonly family: InsightFamily;
  private readonly script: string;
  private readonly meshing: boolean;
  private window: CaseWindow | null;
  private noWindowReason: string | null;
  private cpu: number | null;
  private price: number | null;
  private readonly th: WarningThresholds;
  private readonly parser: LogParser | null;
  private splitter = new LineSplitter();
  private windows = new WindowReader();
  private store: SeriesStore;
  /** Which kind of read fed the last lines: a switch makes what was already read history (see feed). */
  private source: 'text' | 'window' | null = null;

  private readings: Reading[] = [];
  /** Wall-clock ms of every read of the log (bounded), for the stall check. */
  private reads: number[] = [];
  private lastTime: number | null = null;
  private firstTime: number | null = null;
  private stepsSeen = 0;
  /** Typical solver-time increment between two progress lines (reading resolution). */
  private printStep = 0;
  private restarts = 0;
  private bannerAfterSteps = false;
  /** After fromJSON: the log is read again from its start; times up to lastTime are history, not a restart. */
  private replayUntil: number | null = null;
  private failure: PersistedV1['failure'] = null;
  private ended = false;
  private run: RunState = {};
  private runningSince: number | null = null;
  private readonly raised = new Map<string, { detected: Detected; since: number }>();
  private readonly announced = new Set<string>();
  private monitor: { cpu: MonitorSeries[]; ram: MonitorSeries[] } = { cpu: [], ram: [] };
  private updatedAt: number | null = null;

  constructor(o: RunInsightOptions) {
    this.id = o.id;
    this.script = o.script;
    const f = insightFamily(o.script);
    this.family = f.family;
    this.meshing = f.meshing;
    this.window = o.window;
    this.noWindowReason = o.noWindowReason ?? null;
    this.cpu = o.cpu ?? null;
    this.price = o.pricePerCpuHour ?? null;
    this.th = { ...DEFAULT_THRESHOLDS, ...o.thresholds };
    this.parser = this.meshing ? null : parserFor(this.family, o.window);
    this.store = new SeriesStore(o.seriesCap ?? DEFAULT_CAP);
  }

  /** The case's end changed (e.g. read once the case folder is known); `reason` says why there is none. */
  setWindow(w: CaseWindow | null, reason: string | null = null): void {
    this.window = w;
    this.noWindowReason = w ? null : reason;
  }

  get hasWindow(): boolean {
    return this.window !== null;
  }

  setPricePerCpuHour(p: number | null): void {
    this.price = p;
  }

  /**
   * Appended log text (any chunking), observed at wall-clock `atMs`. Fed after windows (or the other
   * way round), the two sources overlap: lines up to the solver time already read count as history,
   * not as a restart.
   */
  feedText(chunk: string, atMs: number): void {
    this.switchTo('text');
    this.consume(this.splitter.feed(chunk), atMs);
  }

  /** The log's last lines (view-short `logs`), observed at `atMs`: only lines not seen before count. */
  feedWindow(lastLines: string, atMs: number): void {
    this.switchTo('window');
    this.consume(this.windows.feed(lastLines), atMs);
  }

  private switchTo(source: 'text' | 'window'): void {
    if (this.source === source) return;
    if (this.source !== null) {
      if (source === 'text') this.splitter = new LineSplitter();
      else this.windows = new WindowReader();
      this.parser?.gap();
      if (this.lastTime !== null) this.replayUntil = Math.max(this.replayUntil ?? this.lastTime, this.lastTime);
    }
    this.source = source;
  }

  /** The log is complete (the run ended): its last unterminated line counts. */
  endOfLog(atMs: number): void {
    this.consume(this.splitter.end(), atMs);
  }

  /** Status, start/end and cost fields of the run as the tracker knows them. */
  update(s: RunState, atMs: number): void {
    this.run = { ...this.run, ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) };
    if (s.cpu !== undefined && s.cpu !== null) this.cpu = s.cpu;
    if (s.status === SimStatus.RUNNING && this.runningSince === null) this.runningSince = atMs;
    if (s.status !== undefined && TERMINAL_STATUSES.includes(s.status) && this.run.endedAtMs == null) this.run.endedAtMs = atMs;
  }

  /** cpu.csv / ram.csv from the case folder (after a SYNC or at the end). */
  setMonitor(kind: 'cpu' | 'ram', csvText: string): void {
    this.monitor = { ...this.monitor, [kind]: parseMonitorCsv(csvText) };
  }

  private consume(events: LineEvent[], atMs: number): void {
    this.reads.push(atMs);
    if (this.reads.length > MAX_READS) this.reads.splice(0, this.reads.length - MAX_READS);
    this.updatedAt = atMs;
    if (!this.parser) return;
    const before = this.lastTime;
    for (const e of events) {
      if (e.kind === 'gap') { this.parser.gap(); continue; }
      for (const r of this.parser.line(e.text)) this.record(r, atMs);
    }
    if (this.lastTime !== null && this.lastTime !== before && this.replayUntil === null) {
      const last = this.readings[this.readings.length - 1];
      if (last && last.at === atMs) last.t = this.lastTime;
      else this.readings.push({ at: atMs, t: this.lastTime });
      if (this.readings.length > MAX_READINGS) this.readings = thin(this.readings, MAX_READINGS);
      if (this.runningSince === null) this.runningSince = atMs;
    }
  }

  private record(r: LogRecord, atMs: number): void {
    switch (r.kind) {
      case 'time': {
        const t = r.time;
        if (this.replayUntil !== null) {
          if (t <= this.replayUntil) return;
          this.replayUntil = null;
        }
        const prev = this.lastTime;
        if (prev !== null && t < prev - Math.max(1e-9, Math.abs(prev) * 1e-9)) {
          // the solver clock went back: a restart from an earlier time redoes what follows
          this.restarts++;
          this.store.truncateFrom(t);
          this.readings = [];
          this.bannerAfterSteps = false;
        } else if (this.bannerAfterSteps) {
          // restarted from where it stopped: a new pace
          this.restarts++;
          this.readings = [];
          this.bannerAfterSteps = false;
        }
        if (prev !== null && t > prev) {
          const d = t - prev;
          this.printStep = this.printStep === 0 ? d : this.printStep * 0.9 + d * 0.1;
        }
        if (this.firstTime === null) this.firstTime = t;
        this.lastTime = t;
        this.stepsSeen++;
        return;
      }
      case 'value':
        if (this.replayUntil !== null && r.x <= this.replayUntil) return;
        this.store.add(r.series, r.x, r.y, r.combine);
        return;
      case 'banner':
        if (this.stepsSeen > 0 && this.replayUntil === null) this.bannerAfterSteps = true;
        return;
      case 'failure':
        if (!this.failure) this.failure = { code: r.code, text: r.text, at: this.lastTime };
        this.raise(failureWarning(r.code, r.text, this.lastTime), atMs);
        return;
      case 'end':
        this.ended = true;
        return;
    }
  }

  private raise(d: Detected, atMs: number): void {
    const cur = this.raised.get(d.code);
    this.raised.set(d.code, { detected: d, since: cur?.since ?? atMs });
  }

  /** Runs the detectors; warnings whose condition cleared are dropped (failures stay). */
  private evaluate(nowMs: number): InsightWarningView[] {
    const active = this.run.status === undefined || ACTIVE_STATUSES.includes(this.run.status);
    const found: Detected[] = [];
    const series = new Map(this.store.keys().map((k) => [k, this.store.get(k)!] as const));
    const rr = residualsRising(series, this.th);
    if (rr) found.push(rr);
    const co = courantHigh(this.store.get('courant:max'), this.th);
    if (co) found.push(co);
    if (active && !this.ended && !this.failure) {
      const st = stalled(this.readings, this.reads, nowMs, this.th);
      if (st) found.push(st);
    }
    const codes = new Set(found.map((d) => d.code));
    for (const code of [...this.raised.keys()]) {
      if (code === 'fds-instability' || code === 'solver-crashed') continue;
      if (!codes.has(code as Detected['code'])) this.raised.delete(code);
    }
    for (const d of found) this.raise(d, nowMs);
    return [...this.raised.values()].map(({ detected, since }) => ({ ...detected, since }));
  }

  /** Warnings raised since the last call (for a notification once per warning and run). */
  newWarnings(nowMs: number): InsightWarningView[] {
    const fresh = this.evaluate(nowMs).filter((w) => !this.announced.has(w.code));
    for (const w of fresh) this.announced.add(w.code);
    return fresh;
  }

  progress(nowMs: number): RunProgressView {
    const endedAt = this.run.endedAtMs ?? null;
    // The service's start date, unless it says nothing sensible (none, or "in the future": its dates carry
    // no time zone); then since this app saw the run running (as the run list's elapsed time).
    const started = this.run.startedAtMs ?? null;
    const since = started !== null && (started < (endedAt ?? nowMs) || this.runningSince === null) ? started : this.runningSince;
    const elapsedSeconds = since !== null ? Math.max(0, ((endedAt ?? nowMs) - since) / 1000) : null;
    const base = { elapsedSeconds, restarts: this.restarts, lastAdvanceAt: this.readings[this.readings.length - 1]?.at ?? null };
    const unknown = (reason: string): RunProgressView => ({ known: false, reason, percent: null, solverTime: this.lastTime, window: null, etaSeconds: null, etaUncertaintySeconds: null, rate: null, ...base });
    if (this.meshing) return unknown('meshing runs print no time against a known end');
    if (!this.parser) return unknown('this solver prints no step or time against a known end');
    if (!this.window) return unknown(this.noWindowReason ?? (this.family === 'openfoam' ? 'system/controlDict states no endTime to stop at' : 'the case states no end time or step count'));
    if (this.updatedAt === null) return unknown('the log has not been read yet');
    if (this.lastTime === null) return unknown('the log shows no solver time yet');
    const start = this.window.start ?? this.firstTime;
    if (start === null) return unknown('the log shows no solver time yet');
    const w = { ...this.window, start };
    const span = w.end - w.start;
    if (!(span > 0)) return unknown(`the case's end (${w.end}) is not after its start (${w.start})`);
    const t = this.lastTime;
    const finished = this.ended || (this.run.status !== undefined && TERMINAL_STATUSES.includes(this.run.status));
    const percent = t === null ? 0 : Math.round(Math.min(100, Math.max(0, ((t - w.start) / span) * 100)) * 10) / 10;
    const eta = finished ? { rate: null, etaSeconds: 0, etaUncertaintySeconds: 0 } : estimateEta(this.readings, w.end, nowMs, this.printStep);
    return { known: true, reason: null, percent, solverTime: t, window: w, etaSeconds: eta.etaSeconds, etaUncertaintySeconds: eta.etaUncertaintySeconds, rate: eta.rate, ...base };
  }

  view(nowMs: number): RunInsightView {
    const progress = this.progress(nowMs);
    const ended = this.ended || (this.run.status !== undefined && TERMINAL_STATUSES.includes(this.run.status));
    const cost = costView({
      serviceCost: this.run.cost ?? null,
      serviceCpuHours: this.run.cpuHours ?? null,
      cpu: this.cpu,
      elapsedSeconds: progress.elapsedSeconds,
      etaSeconds: progress.etaSeconds,
      pricePerCpuHour: this.price,
      ended,
    });
    return {
      id: this.id,
      family: this.family,
      progress,
      cost,
      warnings: this.evaluate(nowMs),
      charts: buildCharts(this.family, this.store, this.monitor),
      updatedAt: this.updatedAt,
    };
  }

  /** The parsed series as CSV with a header (`cloudhpc-sync log <id> --series`). */
  csv(): string {
    return this.store.csv(this.window?.unit === 'step' ? 'step' : 'time');
  }

  toJSON(): PersistedV1 {
    return {
      v: 1,
      id: this.id,
      script: this.script,
      window: this.window,
      noWindowReason: this.noWindowReason,
      cpu: this.cpu,
      pricePerCpuHour: this.price,
      series: this.store.toJSON(),
      readings: [...this.readings],
      reads: [...this.reads],
      lastTime: this.lastTime,
      firstTime: this.firstTime,
      stepsSeen: this.stepsSeen,
      printStep: this.printStep,
      restarts: this.restarts,
      failure: this.failure,
      ended: this.ended,
      run: { ...this.run },
      runningSince: this.runningSince,
      warnings: [...this.raised.values()],
      announced: [...this.announced],
      monitor: this.monitor,
      updatedAt: this.updatedAt,
    };
  }

  /**
   * Rebuilds a run's insight saved by toJSON(); throws on a shape it does not know. The log will be
   * read again from its start after a restart: times up to the saved one are taken as history.
   */
  static fromJSON(data: unknown, o: Pick<RunInsightOptions, 'thresholds' | 'seriesCap'> = {}): RunInsight {
    const d = data as Partial<PersistedV1>;
    if (!d || d.v !== 1 || typeof d.id !== 'number' || typeof d.script !== 'string') throw new Error('not a saved run insight (version 1)');
    const ins = new RunInsight({ id: d.id, script: d.script, window: validWindow(d.window), noWindowReason: typeof d.noWindowReason === 'string' ? d.noWindowReason : null, cpu: numOrNull(d.cpu), pricePerCpuHour: numOrNull(d.pricePerCpuHour), ...o });
    ins.store = SeriesStore.fromJSON(d.series, o.seriesCap ?? DEFAULT_CAP);
    ins.readings = Array.isArray(d.readings) ? d.readings.filter((r) => r && Number.isFinite(r.at) && Number.isFinite(r.t)).slice(-MAX_READINGS) : [];
    ins.reads = Array.isArray(d.reads) ? d.reads.filter(Number.isFinite).slice(-MAX_READS) : [];
    ins.lastTime = numOrNull(d.lastTime);
    ins.firstTime = numOrNull(d.firstTime);
    ins.stepsSeen = Number.isFinite(d.stepsSeen) ? (d.stepsSeen as number) : 0;
    ins.printStep = Number.isFinite(d.printStep) ? (d.printStep as number) : 0;
    ins.restarts = Number.isFinite(d.restarts) ? (d.restarts as number) : 0;
    ins.failure = d.failure && typeof d.failure.text === 'string' ? d.failure : null;
    ins.ended = d.ended === true;
    ins.run = d.run && typeof d.run === 'object' ? d.run : {};
    ins.runningSince = numOrNull(d.runningSince);
    for (const w of Array.isArray(d.warnings) ? d.warnings : []) if (w?.detected?.code) ins.raised.set(w.detected.code, w);
    for (const a of Array.isArray(d.announced) ? d.announced : []) if (typeof a === 'string') ins.announced.add(a);
    if (d.monitor && Array.isArray(d.monitor.cpu) && Array.isArray(d.monitor.ram)) ins.monitor = d.monitor;
    ins.updatedAt = numOrNull(d.updatedAt);
    ins.replayUntil = ins.lastTime;
    return ins;
  }
}

function numOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function validWindow(w: unknown): CaseWindow | null {
  if (!w || typeof w !== 'object') return null;
  const x = w as CaseWindow;
  if (!Number.isFinite(x.end) || !(x.start === null || Number.isFinite(x.start))) return null;
  if (!['s', 'step', ''].includes(x.unit)) return null;
  return { start: x.start, end: x.end, unit: x.unit, source: typeof x.source === 'string' ? x.source : '' };
}

/** Keeps the first and the newest readings, thinning the older half. */
function thin(r: Reading[], max: number): Reading[] {
  const keepNew = Math.floor(max / 2);
  const old = r.slice(0, r.length - keepNew).filter((_, i) => i % 2 === 0);
  return [...old, ...r.slice(r.length - keepNew)];
}
