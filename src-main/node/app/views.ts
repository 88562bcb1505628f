// Pure builders of what the UI shows: budget line, tray summary, simulation views.
import type { BudgetView, ProjectView, SimulationStatusName, SimulationView, TraySummary } from '../../common/contract';
import { STATUS_NAMES } from '../../common/contract';
import type { BudgetState } from '../api/types';

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

export function statusName(status: number): SimulationStatusName {
  return STATUS_NAMES[status] ?? 'ERROR';
}

/** "YYYY-MM-DD HH:MM:SS" (the service's UTC-less format, read as UTC) → ISO 8601. */
export function serviceDateToIso(s: string | null): string | null {
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function traySummary(projects: ProjectView[], sims: SimulationView[], budget: BudgetView, offline: boolean): TraySummary {
  const running = sims.filter((s) => s.active);
  const syncing = projects.filter((p) => p.state === 'pushing' || p.state === 'pulling' || p.state === 'scanning');
  const attention = projects.filter((p) => p.state === 'error' || p.conflicts.length > 0);
  const conflicts = projects.reduce((n, p) => n + p.conflicts.length, 0);
  const allPaused = projects.length > 0 && projects.every((p) => p.paused);
  const parts: string[] = [];
  if (offline) parts.push('Offline');
  if (running.length > 0) parts.push(`${plural(running.length, 'simulation')} running`);
  if (syncing.length > 0) parts.push(`syncing ${plural(syncing.length, 'project')}`);
  if (conflicts > 0) parts.push(plural(conflicts, 'conflict'));
  else if (attention.length > 0) parts.push(`${plural(attention.length, 'project')} need attention`);
  if (parts.length === 0) parts.push(projects.length === 0 ? 'No projects yet' : allPaused ? 'Sync paused' : `${plural(projects.length, 'project')} up to date`);
  if (budget.known && budget.hourlyLimit > 0) parts.push(budget.summary);
  const icon = attention.length > 0 || offline ? 'attention' : syncing.length > 0 ? 'syncing' : running.length > 0 ? 'running' : 'idle';
  return {
    icon,
    line: parts.join(' · '),
    running: running.map((s) => ({ id: s.id, label: `#${s.id} ${s.folder} (${s.statusName.toLowerCase()})` })),
    allPaused,
  };
}
