// How a simulation is described to the user (status names: common/contract.ts statusName): the after-run summary (duration,
// cpu_hrs, cost when reported) and the remote access of a running one (VNC link, SSH command).

import { formatDuration } from '../../common/format';
import { ACTIVE_STATUSES, SimStatus, type Simulation } from '../api/types';

export function isActive(s: Pick<Simulation, 'status'>): boolean {
  return ACTIVE_STATUSES.includes(s.status);
}

/** "YYYY-MM-DD HH:MM:SS" (the service's format, UTC assumed) to epoch ms, or null. */
export function parseServiceDate(d: string | null): number | null {
  if (!d) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(d);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The service's date as ISO 8601 (UTC assumed), or null. */
export function serviceDateIso(d: string | null): string | null {
  const t = parseServiceDate(d);
  return t === null ? null : new Date(t).toISOString();
}

export interface RunSummary {
  durationMs: number | null;
  cpuHours: number | null;
  cost: number | null;
}

export function runSummary(s: Simulation): RunSummary {
  const a = parseServiceDate(s.idate);
  const b = parseServiceDate(s.edate);
  return { durationMs: a !== null && b !== null && b >= a ? b - a : null, cpuHours: s.cpuHours, cost: s.cost };
}

/** One line: "duration 3 min 20 s, 0.0556 CPU hours, cost 0.0011 EUR" (parts the service did not report are left out). */
export function formatRunSummary(s: Simulation): string {
  const r = runSummary(s);
  const parts: string[] = [];
  if (r.durationMs !== null) parts.push(`duration ${formatDuration(r.durationMs / 1000)}`);
  if (r.cpuHours !== null) parts.push(`${r.cpuHours} CPU hours`);
  if (r.cost !== null) parts.push(`cost ${r.cost} EUR`);
  return parts.length ? parts.join(', ') : 'no duration or cost reported yet';
}

export interface RemoteAccess {
  vncUrl: string | null;
  ssh: string | null;
}

/** Remote desktop link and SSH command of a running simulation, when the service gives them. */
export function remoteAccess(s: Simulation): RemoteAccess | null {
  if (s.status !== SimStatus.RUNNING) return null;
  const vncUrl = s.vncUrl || null;
  const ssh = s.ipAddress && /^[0-9A-Za-z.:-]+$/.test(s.ipAddress) ? `ssh cloudhpc@${s.ipAddress}` : null;
  return vncUrl || ssh ? { vncUrl, ssh } : null;
}
