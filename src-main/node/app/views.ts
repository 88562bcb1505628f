// Pure builders of what the UI shows from the workspace's typed data: budget line, tray summary,
// simulation views, pre-flight reports, launch options, conflicts.
import type {
  BudgetView, ConflictView, LaunchOptionsView, PreflightReport as UiReport, ProjectView, RunProgressBriefView, SimulationView, TraySummary, UnavailableFeatureView,
} from '../../common/contract';
import { statusName } from '../../common/contract';
import { plural } from '../../common/format';
import type { ServiceClock } from '../api/service-clock';
import { ACTIVE_STATUSES, type BudgetState, type UnavailableFeature } from '../api/types';
import { availability } from '../simulation/control';
import { INSTANCE_KINDS, explainRam, type SimulationOptions } from '../simulation/options';
import type { PreflightReport } from '../simulation/preflight';
import { remoteAccess, serviceDateIso } from '../simulation/run-summary';
import { FAMILY_LABEL, solverFamily } from '../simulation/solver-family';
import type { PullConflict } from '../sync/pull';
import type { RunInfo } from '../workspace';

export function budgetView(s: BudgetState): BudgetView {
  const unlimited = !s.known || s.hourlyLimit === 0;
  return {
    known: s.known,
    hourlyLimit: s.hourlyLimit,
    hourlyUsed: s.hourlyUsed,
    hourlyLeft: unlimited || !Number.isFinite(s.hourlyLeft) ? null : Math.max(0, s.hourlyLeft),
    dailyLimit: s.dailyLimit,
    dailyUsed: s.dailyUsed,
    pausedUntil: s.pausedUntil === null ? null : new Date(s.pausedUntil).toISOString(),
    low: s.pausedUntil !== null || s.waiting > 0,
    summary: s.summary,
  };
}

export function reportView(r: PreflightReport): UiReport {
  return {
    solverFamily: FAMILY_LABEL[r.family] ?? r.family,
    findings: r.findings.map((f) => ({ severity: f.severity, code: f.id, message: f.message, fix: f.fix, ...(f.path ? { path: f.path } : {}), ...(f.action ? { action: f.action } : {}) })),
    blocking: r.blocking,
    needsConfirmation: r.needsConfirmation,
  };
}

export function launchOptionsView(o: SimulationOptions): LaunchOptionsView {
  return {
    cpus: o.cpus,
    rams: o.rams.map((r) => ({ value: r, description: explainRam(r) })),
    scripts: o.scripts.map((s) => ({ value: s, family: FAMILY_LABEL[solverFamily(s).family] ?? 'unknown' })),
    instanceHelp: { regular: INSTANCE_KINDS.regular, spot: INSTANCE_KINDS.spot },
    fetchedAt: new Date(o.fetchedAt).toISOString(),
    cached: o.cached,
    stale: o.stale ?? false,
    problem: o.problem ?? null,
  };
}

export function conflictView(c: PullConflict): ConflictView {
  return { id: c.id, path: c.path, cloudCopyPath: c.copy, code: c.code, reason: c.reason, detectedAt: new Date(c.at).toISOString() };
}

/** A feature the key may not use ("Unauthorized." on that endpoint only), with the service's own text. */
export function unavailableFeatureView(f: UnavailableFeature): UnavailableFeatureView {
  return { feature: f.feature, message: f.serviceText, since: new Date(f.since).toISOString() };
}

/** `clock`: the service's clock (its dates carry no time zone), for elapsed times. */
export function simulationView(run: RunInfo, watched: number | null, clock: Pick<ServiceClock, 'elapsedSeconds'>, now = Date.now(), progress: RunProgressBriefView | null = null): SimulationView {
  const s = run.simulation;
  const startedAt = serviceDateIso(s.idate);
  const endedAt = serviceDateIso(s.edate);
  const active = ACTIVE_STATUSES.includes(s.status);
  const can = availability(s);
  const access = remoteAccess(s);
  return {
    id: s.id,
    projectId: run.projectId,
    folder: s.folder,
    mesh: s.mesh,
    script: s.script,
    cpu: s.cpu,
    ram: s.ram,
    regular: s.nopre === 1,
    status: s.status,
    statusName: statusName(s.status),
    active,
    startedAt,
    endedAt,
    // the service's dates have no time zone: edate − idate, or now − idate once its clock offset is known;
    // until then, the time since this app saw it running
    elapsedSeconds: runElapsed(clock.elapsedSeconds(s, active, now), active ? run.seenRunningAt : null, now),
    cpuHours: s.cpuHours,
    cost: s.cost,
    completedWithErrors: run.outcome === 'completed with errors',
    diagnosisSummary: run.cause?.cause ?? null,
    vncUrl: access?.vncUrl ?? null,
    sshCommand: access?.ssh ?? null,
    can: { softStop: can.softStop, hardStop: can.hardStop, sync: can.sync },
    pending: run.pending,
    watched: watched === s.id,
    progress: active ? progress : null,
  };
}

/**
 * The service's dates carry no time zone (and a test or demo service may run its own clock): while a
 * run is active and its dates give nothing sensible (none, or a start "in the future"), the time since
 * this app first saw it running is shown instead, so Running and Stopping never read "0 s".
 */
export function runElapsed(fromDates: number | null, seenRunningAt: number | null, now: number): number | null {
  if (seenRunningAt === null || (fromDates !== null && fromDates > 0)) return fromDates;
  return Math.max(0, Math.round((now - seenRunningAt) / 1000));
}

export function traySummary(projects: ProjectView[], sims: SimulationView[], budget: BudgetView, offline: boolean): TraySummary {
  const running = sims.filter((s) => s.active);
  const syncing = projects.filter((p) => p.state === 'pushing' || p.state === 'pulling' || p.state === 'scanning');
  const attention = projects.filter((p) => p.state === 'error' || p.conflicts.length > 0 || p.attentions.some((a) => a.severity === 'error') || p.leftOutCount > 0);
  const conflicts = projects.reduce((n, p) => n + p.conflicts.length, 0);
  const allPaused = projects.length > 0 && projects.every((p) => p.paused);
  const parts: string[] = [];
  if (offline) parts.push('Offline');
  if (running.length > 0) {
    const pct = running.filter((s) => s.progress?.percent != null).map((s) => `${running.length > 1 ? `#${s.id} ` : ''}${Math.floor(s.progress!.percent!)} %`);
    parts.push(`${plural(running.length, 'simulation')} running${pct.length > 0 ? ` (${pct.join(', ')})` : ''}`);
  }
  if (syncing.length > 0) parts.push(`syncing ${plural(syncing.length, 'project')}`);
  if (conflicts > 0) parts.push(plural(conflicts, 'conflict'));
  else if (attention.length > 0) parts.push(`${plural(attention.length, 'project')} need${attention.length === 1 ? 's' : ''} attention`);
  if (parts.length === 0) parts.push(projects.length === 0 ? 'No projects yet' : allPaused ? 'Sync paused' : `${plural(projects.length, 'project')} up to date`);
  if (budget.known && budget.hourlyLimit > 0) parts.push(budget.summary);
  const icon = attention.length > 0 || offline ? 'attention' : syncing.length > 0 ? 'syncing' : running.length > 0 ? 'running' : 'idle';
  return {
    icon,
    line: parts.join(' · '),
    running: running.map((s) => ({ id: s.id, label: `#${s.id} ${s.folder} (${s.statusName.toLowerCase()})`, percent: s.progress?.percent ?? null })),
    allPaused,
  };
}
