// How a project or a run looks in a list: its status glyph and its one line, from typed state only.
import type { ProjectView, SimulationView } from '../../../src-main/common/contract';

export type StatusKind = 'ok' | 'sync' | 'error' | 'warning' | 'paused' | 'idle' | 'running';

export function projectKind(p: ProjectView): StatusKind {
  if (p.attentions.some((a) => a.severity === 'error')) return 'error';
  if (p.state === 'pushing' || p.state === 'pulling' || p.state === 'scanning') return 'sync';
  if (p.paused) return 'paused';
  // something the push leaves out (issue 16): never the 'Up to date' glyph
  if (p.attentions.some((a) => a.severity === 'warning') || p.state === 'offline' || p.leftOutCount > 0) return 'warning';
  return 'ok';
}

/** The list's words for the glyph (for screen readers and the row's second line). */
export const KIND_WORDS: Record<StatusKind, string> = {
  ok: 'Up to date', sync: 'Syncing', error: 'Needs you', warning: 'Attention', paused: 'Paused', idle: 'Idle', running: 'Running',
};

export function runKind(s: SimulationView): StatusKind {
  if (s.statusName === 'ERROR' || s.completedWithErrors) return 'error';
  if (s.statusName === 'RUNNING') return 'running';
  if (s.statusName === 'PENDING' || s.statusName === 'STOPPING') return 'sync';
  if (s.statusName === 'STOPPED') return 'paused';
  if (s.statusName === 'COMPLETED') return 'ok';
  return 'idle';
}

export const RUN_WORDS: Record<SimulationView['statusName'], string> = {
  PENDING: 'Pending', RUNNING: 'Running', STOPPING: 'Stopping', STOPPED: 'Stopped', COMPLETED: 'Completed', ERROR: 'Error', UNKNOWN: 'Unknown',
};
