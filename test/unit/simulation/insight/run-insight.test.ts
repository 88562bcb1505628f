import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimStatus } from '../../../../src-main/node/api/types';
import { InsightFiles } from '../../../../src-main/node/simulation/insight/insight-files';
import { RunInsight } from '../../../../src-main/node/simulation/insight/run-insight';
import { notificationText } from '../../../../src-main/node/simulation/insight/warnings';
import * as F from './fixtures';

const T0 = Date.parse('2026-09-24T10:00:00Z');
const MIN = 60_000;

function foamStep(t: number, p: number, co = 0.5): string {
  return `Courant Number mean: ${co / 3} max: ${co}\nTime = ${t}\n\nsmoothSolver:  Solving for Ux, Initial residual = ${p / 2}, Final residual = ${p / 200}, No Iterations 3\nGAMG:  Solving for p, Initial residual = ${p}, Final residual = ${p / 100}, No Iterations 7\ntime step continuity errors : sum local = ${p * 1e-4}, global = ${p * 1e-6}, cumulative = 1e-6\nExecutionTime = 1 s  ClockTime = 1 s\n\n`;
}

const foam = (window: { start: number | null; end: number } | null = { start: 0, end: 100 }): RunInsight =>
  new RunInsight({ id: 10001, script: 'openFoam-v2406', window: window && { ...window, unit: '', source: 'endTime in system/controlDict' }, cpu: 4, pricePerCpuHour: 0.016 });

describe('RunInsight', () => {
  it('progress, ETA, elapsed and cost from appended log text read at a fake clock', () => {
    const ins = foam();
    ins.update({ status: SimStatus.RUNNING }, T0);
    let text = '';
    for (let t = 1; t <= 25; t++) text += foamStep(t, 0.1 * Math.exp(-t / 10));
    ins.feedText(text, T0 + 5 * MIN); // 25 s of solver time after 5 min
    let v = ins.view(T0 + 5 * MIN);
    expect(v.progress).toMatchObject({ known: true, percent: 25, solverTime: 25, etaSeconds: null, elapsedSeconds: 300 });
    let more = '';
    for (let t = 26; t <= 50; t++) more += foamStep(t, 0.1 * Math.exp(-t / 10));
    ins.feedText(more, T0 + 10 * MIN);
    v = ins.view(T0 + 10 * MIN);
    expect(v.progress.percent).toBe(50);
    expect(v.progress.rate).toBeCloseTo(25 / 300, 9);
    expect(v.progress.etaSeconds).toBeCloseTo(600, 6);
    expect(v.cost.costSoFar).toBeCloseTo((4 * 600 / 3600) * 0.016, 9);
    expect(v.cost.projectedCost).toBeCloseTo(2 * v.cost.costSoFar!, 9);
    const residuals = v.charts.find((c) => c.id === 'residuals')!;
    expect(residuals.logY).toBe(true);
    expect(residuals.series.map((s) => s.label)).toEqual(['Ux', 'p']);
    expect(residuals.series[1]!.x).toHaveLength(50);
    expect(v.charts.map((c) => c.id)).toEqual(['residuals', 'courant', 'continuity']);
    expect(v.warnings).toEqual([]);
    expect(ins.csv().split('\n')[0]).toBe('time,continuity:cumulative,continuity:global,continuity:local,courant:max,courant:mean,residual:Ux,residual:p');
  });

  it('elapsed: from the service\'s start date, else (none, or "in the future": no time zone) since seen running', () => {
    const ins = foam();
    ins.update({ status: SimStatus.RUNNING, startedAtMs: T0 + 60 * MIN }, T0); // a local time read as UTC
    expect(ins.view(T0 + 2 * MIN).progress.elapsedSeconds).toBe(120);
    const sane = foam();
    sane.update({ status: SimStatus.RUNNING, startedAtMs: T0 - 3 * MIN }, T0);
    expect(sane.view(T0 + 2 * MIN).progress.elapsedSeconds).toBe(300);
  });

  it('works from view-short windows of the last lines only, with gaps between them', () => {
    const ins = foam();
    const lines = Array.from({ length: 60 }, (_, i) => foamStep(i + 1, 0.01)).join('').trimEnd().split('\n');
    // each poll sees only the last 20 lines; between polls many lines pass
    let at = T0;
    for (const upTo of [40, 120, 200, 330, lines.length]) {
      at += MIN;
      ins.feedWindow(lines.slice(Math.max(0, upTo - 20), upTo).join('\n'), at);
    }
    const v = ins.view(at);
    expect(v.progress.solverTime).toBe(60);
    expect(v.progress.percent).toBe(60);
    expect(v.progress.etaSeconds).not.toBeNull();
    const p = v.charts.find((c) => c.id === 'residuals')!.series.find((s) => s.label === 'p')!;
    expect(p.x.length).toBeGreaterThan(4);
    expect([...p.x].sort((a, b) => a - b)).toEqual(p.x);
  });

  it('a restart from an earlier time redoes the series after it and starts a new pace', () => {
    const ins = foam();
    let text = '';
    for (let t = 1; t <= 30; t++) text += foamStep(t, 0.01);
    ins.feedText(text, T0 + MIN);
    ins.feedText(foamStep(31, 0.01), T0 + 2 * MIN);
    text = `${F.FOAM_BANNER}Starting time loop\n`;
    for (let t = 21; t <= 25; t++) text += foamStep(t, 0.02);
    ins.feedText(text, T0 + 10 * MIN);
    const v = ins.view(T0 + 10 * MIN);
    expect(v.progress.restarts).toBe(1);
    expect(v.progress.solverTime).toBe(25);
    expect(v.progress.etaSeconds).toBeNull(); // one reading since the restart
    const p = v.charts.find((c) => c.id === 'residuals')!.series.find((s) => s.label === 'p')!;
    expect(p.x.at(-1)).toBe(25);
    expect(p.y.at(-1)).toBe(0.02);
  });

  it('warns when residuals rise for a sustained stretch, and once only for a notification', () => {
    const ins = foam({ start: 0, end: 1000 });
    let text = '';
    for (let t = 1; t <= 30; t++) text += foamStep(t, 1e-3 * Math.exp(-t / 20));
    ins.feedText(text, T0 + MIN);
    expect(ins.newWarnings(T0 + MIN)).toEqual([]);
    text = '';
    for (let t = 31; t <= 70; t++) text += foamStep(t, 1e-3 * 10 ** ((t - 30) / 12));
    ins.feedText(text, T0 + 2 * MIN);
    const w = ins.newWarnings(T0 + 2 * MIN);
    expect(w.map((x) => x.code)).toEqual(['residuals-rising']);
    expect(w[0]!.seen).toMatch(/^Initial residuals rose over the last 40 steps: (p|Ux) from/);
    expect(w[0]!.options.map((o) => o.action)).toEqual(['soft-stop', 'sync', 'open-log']);
    expect(notificationText(10001, w[0]!).title).toBe('Simulation 10001 may be diverging');
    expect(ins.newWarnings(T0 + 3 * MIN)).toEqual([]);
    expect(ins.view(T0 + 3 * MIN).warnings.map((x) => x.code)).toEqual(['residuals-rising']);
  });

  it('sees a slow divergence too (a decade over more than 40 steps), but not a converging run', () => {
    const ins = foam({ start: 0, end: 1000 });
    let text = '';
    for (let t = 1; t <= 100; t++) text += foamStep(t, 1e-2 * Math.exp(-t / 30));
    // 0.04 decades per step: 0.8 decade between the halves of 40 steps, 1.6 over 80
    for (let t = 101; t <= 200; t++) text += foamStep(t, 1e-3 * 10 ** ((t - 100) * 0.04));
    ins.feedText(text, T0 + MIN);
    const w = ins.newWarnings(T0 + MIN);
    expect(w.map((x) => x.code)).toEqual(['residuals-rising']);
    expect(w[0]!.seen).toMatch(/over the last 80 steps/);
    const calm = foam({ start: 0, end: 1000 });
    let c = '';
    for (let t = 1; t <= 300; t++) c += foamStep(t, 1e-1 * Math.exp(-t / 30) * (1 + 0.3 * Math.sin(t)));
    calm.feedText(c, T0 + MIN);
    expect(calm.newWarnings(T0 + MIN)).toEqual([]);
  });

  it('log text after windows of the same log (and back): what was read is history, not a restart', () => {
    const ins = foam({ start: 0, end: 100 });
    const steps = Array.from({ length: 40 }, (_, i) => foamStep(i + 1, 0.01));
    ins.feedWindow(steps.slice(0, 10).join('').trimEnd().split('\n').slice(-12).join('\n'), T0);
    ins.feedWindow(steps.slice(0, 20).join('').trimEnd().split('\n').slice(-12).join('\n'), T0 + MIN);
    expect(ins.view(T0 + MIN).progress.solverTime).toBe(20);
    ins.feedText(steps.slice(0, 30).join(''), T0 + 2 * MIN); // the whole log from its start
    let v = ins.view(T0 + 2 * MIN);
    expect(v.progress).toMatchObject({ solverTime: 30, restarts: 0, percent: 30 });
    expect(v.progress.etaSeconds).not.toBeNull();
    ins.feedWindow(steps.slice(0, 40).join('').trimEnd().split('\n').slice(-12).join('\n'), T0 + 3 * MIN);
    v = ins.view(T0 + 3 * MIN);
    expect(v.progress).toMatchObject({ solverTime: 40, restarts: 0 });
    const p = v.charts.find((ch) => ch.id === 'residuals')!.series.find((se) => se.key === 'residual:p')!;
    expect(p.x.every((x, i) => i === 0 || x > p.x[i - 1]!)).toBe(true);
    // a real restart afterwards is still seen (once the log text goes past what was read)
    ins.feedText(steps.slice(30).join('') + foamStep(41, 0.01), T0 + 4 * MIN);
    expect(ins.view(T0 + 4 * MIN).progress).toMatchObject({ solverTime: 41, restarts: 0 });
    ins.feedText(foamStep(5, 0.01) + foamStep(6, 0.01), T0 + 5 * MIN);
    expect(ins.view(T0 + 5 * MIN).progress).toMatchObject({ solverTime: 6, restarts: 1 });
  });

  it('warns on a sustained high Courant number and on a floating point exception', () => {
    const ins = foam();
    let text = '';
    for (let t = 1; t <= 5; t++) text += foamStep(t, 0.01, t < 3 ? 0.8 : 12);
    ins.feedText(text + F.FOAM_DIVERGING.split('\n').slice(-2).join('\n'), T0 + MIN);
    const codes = ins.view(T0 + MIN).warnings.map((w) => [w.code, w.severity]);
    expect(codes).toEqual(expect.arrayContaining([['courant-high', 'warning'], ['solver-crashed', 'error']]));
  });

  it('FDS: instability becomes an error warning; progress against T_END', () => {
    const ins = new RunInsight({ id: 7, script: 'fds6.9.1', window: { start: 0, end: 300, unit: 's', source: 'T_END in x.fds' } });
    ins.feedText(F.FDS_INSTABILITY, T0);
    const v = ins.view(T0);
    expect(v.progress.percent).toBeCloseTo(67.7, 5);
    expect(v.warnings).toEqual([expect.objectContaining({ code: 'fds-instability', severity: 'error', headline: 'stopped on a numerical instability' })]);
  });

  it('warns when the solver clock stops advancing over several reads', () => {
    const ins = foam();
    ins.feedText(foamStep(1, 0.1), T0);
    ins.feedText(foamStep(2, 0.1), T0 + MIN);
    ins.feedText('', T0 + 10 * MIN);
    expect(ins.view(T0 + 10 * MIN).warnings).toEqual([]);
    ins.feedText('', T0 + 20 * MIN);
    const w = ins.view(T0 + 20 * MIN).warnings;
    expect(w.map((x) => x.code)).toEqual(['stalled']);
    expect(w[0]!.seen).toContain('stayed at 2 for 19 min over 2 reads');
    ins.feedText(foamStep(3, 0.1), T0 + 21 * MIN);
    expect(ins.view(T0 + 21 * MIN).warnings).toEqual([]);
  });

  it('says honestly when there is no progress information', () => {
    expect(new RunInsight({ id: 1, script: 'custom-script', window: null }).view(T0).progress).toMatchObject({ known: false, reason: 'this solver prints no step or time against a known end', percent: null });
    expect(foam(null).view(T0).progress.reason).toBe('system/controlDict states no endTime to stop at');
    expect(new RunInsight({ id: 1, script: 'snappyHexMesh-v2312', window: null }).view(T0).progress.known).toBe(false);
    // startFrom latestTime without local time folders: the first time in the log is the start
    const ins = foam({ start: null, end: 100 });
    ins.feedText(foamStep(50, 0.1) + foamStep(75, 0.1), T0);
    expect(ins.view(T0).progress).toMatchObject({ known: true, percent: 50, window: { start: 50, end: 100 } });
  });
});

describe('InsightFiles', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves atomically, survives a restart, and reading the whole log again adds nothing twice', () => {
    dir = mkdtempSync(join(tmpdir(), 'insight-'));
    const files = new InsightFiles(dir);
    const ins = foam();
    let log = '';
    for (let t = 1; t <= 20; t++) log += foamStep(t, 0.01);
    ins.feedText(log, T0);
    ins.feedText(foamStep(21, 0.01), T0 + MIN);
    files.save(ins);
    expect(readdirSync(files.dir)).toEqual(['10001.json']);
    const back = files.load(10001)!;
    expect(back.view(T0 + MIN)).toEqual(ins.view(T0 + MIN));
    // the app restarted: its log reader starts from the beginning of the log again
    back.feedText(log + foamStep(21, 0.01) + foamStep(22, 0.01), T0 + 2 * MIN);
    const v = back.view(T0 + 2 * MIN);
    expect(v.progress.restarts).toBe(0);
    expect(v.progress.solverTime).toBe(22);
    expect(v.charts[0]!.series.find((s) => s.label === 'p')!.x).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(v.progress.rate).toBeCloseTo(1 / 60, 9);
  });

  it('a corrupt or foreign file is moved aside, never trusted; ids and pruning', () => {
    dir = mkdtempSync(join(tmpdir(), 'insight-'));
    const files = new InsightFiles(dir, 2);
    files.save(foam());
    writeFileSync(join(files.dir, '5.json'), '{"v":1,"id":5');
    writeFileSync(join(files.dir, '6.json'), '{"v":9,"id":6,"script":"x"}');
    expect(files.load(5)).toBeNull();
    expect(files.load(6)).toBeNull();
    expect(readdirSync(files.dir).sort()).toEqual(['10001.json', '5.json.bad', '6.json.bad']);
    expect(files.load(123)).toBeNull();
    for (const id of [1, 2, 3]) files.save(new RunInsight({ id, script: 'fds6.9.1', window: null }));
    expect(files.ids()).toEqual([10001, 3]);
    expect(() => files.load(-1)).toThrow(/Not a simulation id/);
    expect(JSON.parse(readFileSync(join(files.dir, '3.json'), 'utf8')).v).toBe(1);
  });
});
