import { describe, expect, it } from 'vitest';
import type { BudgetView, ProjectView, SimulationView } from '../../../src-main/common/contract';
import { budgetView, runElapsed, traySummary } from '../../../src-main/node/app/views';
import { serviceDateIso } from '../../../src-main/node/simulation/run-summary';

const budget: BudgetView = { known: true, hourlyLimit: 500, hourlyUsed: 88, hourlyLeft: 412, dailyLimit: 0, dailyUsed: 0, pausedUntil: null, low: false, summary: '412 of 500 API calls left this hour' };

function project(over: Partial<ProjectView> = {}): ProjectView {
  return {
    id: 'p1', name: 'case', dir: '/x/case', storageFolder: 'case', state: 'idle', stateText: 'Up to date', paused: false, progress: null,
    pendingFiles: 0, nextAction: null, lastError: null, conflicts: [], activity: [], lastPushAt: null, lastPullAt: null, watchMode: 'watching', leftOut: [], leftOutCount: 0, attentions: [], massDelete: null, syncedAt: null, ...over,
  };
}

function sim(over: Partial<SimulationView> = {}): SimulationView {
  return {
    id: 7, projectId: 'p1', folder: 'case', mesh: '', script: 'fds6.9.1', cpu: 4, ram: 'standard', regular: true, status: 30, statusName: 'RUNNING', active: true,
    startedAt: null, endedAt: null, elapsedSeconds: null, cpuHours: null, cost: null, completedWithErrors: false, diagnosisSummary: null, vncUrl: null, sshCommand: null,
    can: { softStop: true, hardStop: true, sync: true }, pending: null, watched: false, progress: null, ...over,
  };
}

describe('tray summary (the tray tooltip and the browser summary line)', () => {
  it('says when there is nothing yet, and carries the budget line', () => {
    const t = traySummary([], [], budget, false);
    expect(t).toMatchObject({ icon: 'idle', line: 'No projects yet · 412 of 500 API calls left this hour', running: [], allPaused: false });
  });

  it('shows running simulations with their stop targets', () => {
    const t = traySummary([project()], [sim(), sim({ id: 6, active: false, status: 10, statusName: 'COMPLETED' })], budget, false);
    expect(t.icon).toBe('running');
    expect(t.line).toMatch(/^1 simulation running/);
    expect(t.running).toEqual([{ id: 7, label: '#7 case (running)', percent: null }]);
  });

  it('names the percent of running simulations when run insight knows it', () => {
    const brief = (percent: number | null) => ({ percent, etaSeconds: 600, etaUncertaintySeconds: 60 });
    const one = traySummary([project()], [sim({ progress: brief(42.7) })], budget, false);
    expect(one.line).toBe('1 simulation running (42 %) · 412 of 500 API calls left this hour');
    expect(one.running).toEqual([{ id: 7, label: '#7 case (running)', percent: 42.7 }]);
    const two = traySummary([project()], [sim({ progress: brief(42.7) }), sim({ id: 8, progress: null }), sim({ id: 9, progress: brief(5) })], budget, false);
    expect(two.line).toMatch(/^3 simulations running \(#7 42 %, #9 5 %\)/);
  });

  it('prefers attention (conflicts, errors, offline) over syncing and running', () => {
    const conflict = { id: 'c', path: 'a', cloudCopyPath: 'a (cloudHPC 2026-01-01 000000)', code: 'local-differs' as const, reason: 'r', detectedAt: '' };
    expect(traySummary([project({ conflicts: [conflict], state: 'pushing' })], [sim()], budget, false)).toMatchObject({ icon: 'attention' });
    expect(traySummary([project({ conflicts: [conflict] })], [], budget, false).line).toMatch(/1 conflict/);
    expect(traySummary([project({ state: 'error' })], [], budget, false).line).toMatch(/1 project needs attention/);
    expect(traySummary([project({ state: 'error' }), project({ id: 'p2', state: 'error' })], [], budget, false).line).toMatch(/2 projects need attention/);
    expect(traySummary([project()], [], budget, true)).toMatchObject({ icon: 'attention', line: expect.stringMatching(/^Offline/) });
    expect(traySummary([project({ state: 'pushing' })], [], budget, false)).toMatchObject({ icon: 'syncing', line: expect.stringMatching(/syncing 1 project/) });
  });

  it('knows when all syncing is paused', () => {
    expect(traySummary([project({ paused: true, state: 'paused' })], [], budget, false)).toMatchObject({ allPaused: true, line: expect.stringMatching(/^Sync paused/) });
  });
});

describe('elapsed time of an active run', () => {
  it('the dates when they make sense; else the time since this app saw it running (never a stuck "0 s")', () => {
    const now = Date.UTC(2026, 10, 29, 12, 0, 0);
    expect(runElapsed(200, now - 50_000, now)).toBe(200);
    expect(runElapsed(0, now - 50_000, now)).toBe(50); // a start "in the future" (another clock) clamps to 0
    expect(runElapsed(null, now - 50_000, now)).toBe(50);
    expect(runElapsed(0, null, now)).toBe(0);
    expect(runElapsed(null, null, now)).toBeNull();
  });
});

describe('budget and dates', () => {
  it('leaves the calls left unknown until the service said, and unlimited as null', () => {
    const unknown = budgetView({ known: false, hourlyLimit: 0, hourlyUsed: 0, dailyLimit: 0, dailyUsed: 0, reserve: 5, hourlyLeft: Infinity, waiting: 0, pausedUntil: null, summary: 'API budget unknown' });
    expect(unknown.hourlyLeft).toBeNull();
    const low = budgetView({ known: true, hourlyLimit: 100, hourlyUsed: 97, dailyLimit: 0, dailyUsed: 0, reserve: 5, hourlyLeft: 3, waiting: 2, pausedUntil: Date.UTC(2026, 0, 1, 10), summary: '3 of 100 API calls left this hour' });
    expect(low).toMatchObject({ hourlyLeft: 3, low: true, pausedUntil: '2026-01-01T10:00:00.000Z' });
  });

  it('reads the service dates (elapsed times: test/unit/api/service-clock.test.ts)', () => {
    expect(serviceDateIso('2026-09-24 09:31:20')).toBe('2026-09-24T09:31:20.000Z');
    expect(serviceDateIso('')).toBeNull();
    expect(serviceDateIso('garbage')).toBeNull();
  });
});
