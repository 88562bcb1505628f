import { describe, expect, it } from 'vitest';
import { formatEta, progressLine } from '../../../../src-main/common/insight';
import { costView, learnPricePerCpuHour } from '../../../../src-main/node/simulation/insight/cost';
import { asterWindow, calculixWindow, fdsWindow, foamTopLevel, openFoamWindow, saturneWindow } from '../../../../src-main/node/simulation/insight/end-time';
import { estimateEta, type Reading } from '../../../../src-main/node/simulation/insight/eta';
import { parseMonitorCsv } from '../../../../src-main/node/simulation/insight/monitor-csv';
import { SeriesStore, lttb } from '../../../../src-main/node/simulation/insight/series-store';

describe('case end readers', () => {
  it('FDS: T_BEGIN/T_END of &TIME, FDS defaults when absent', () => {
    expect(fdsWindow("&HEAD CHID='x' /\n&TIME T_END=1000.0, DT=1.0/\n", 'x.fds')).toEqual({ start: 0, end: 1000, unit: 's', source: 'T_END in x.fds' });
    expect(fdsWindow("&TIME T_BEGIN=10., T_END=60. /")).toMatchObject({ start: 10, end: 60 });
    expect(fdsWindow("&HEAD CHID='x' /\n")).toMatchObject({ start: 0, end: 1 });
    // a commented-out &TIME (not at a line start) does not count
    expect(fdsWindow("comment &TIME T_END=5 /\n&TIME T_END=7 /")).toMatchObject({ end: 7 });
  });

  it('OpenFOAM: endTime, startFrom startTime / latestTime, $references, stopAt, comments and sub-dictionaries', () => {
    const cd = `FoamFile { version 2.0; class dictionary; object controlDict; }
application pimpleFoam; // comment endTime 99;
startFrom latestTime;
startTime 0;
/* endTime 5; */
stopAt endTime;
tEnd 2.5;
endTime $tEnd;
deltaT 0.001;
maxCo 0.9;
functions { probes { endTime 7; } }
`;
    expect(foamTopLevel(cd).get('application')).toBe('pimpleFoam');
    expect(openFoamWindow(cd, ['0', '0.5', '1.25', 'constant', 'system'])).toEqual({ start: 1.25, end: 2.5, unit: '', source: 'endTime in system/controlDict', maxCo: 0.9 });
    expect(openFoamWindow(cd, [])?.start).toBeNull();
    expect(openFoamWindow('startFrom startTime; startTime 0.5; endTime 2;')).toMatchObject({ start: 0.5, end: 2 });
    expect(openFoamWindow('stopAt writeNow; endTime 2;')).toBeNull();
    expect(openFoamWindow('endTime #calc "2*3";')).toBeNull();
  });

  it('code_saturne, code_aster, CalculiX', () => {
    expect(saturneWindow('<code_saturne_GUI><analysis_control><time_parameters><iterations>500</iterations><time_step_ref>0.01</time_step_ref></time_parameters></analysis_control></code_saturne_GUI>')).toMatchObject({ start: 0, end: 500, unit: 'step' });
    expect(saturneWindow('<time_parameters><maximum_time>12.5</maximum_time></time_parameters>')).toMatchObject({ end: 12.5, unit: 's' });
    expect(saturneWindow('<other/>')).toBeNull();
    expect(asterWindow('L = DEFI_LIST_REEL(DEBUT=0.0, INTERVALLE=(_F(JUSQU_A=1.0, NOMBRE=10), _F(JUSQU_A=2.0, NOMBRE=5)))\n# INST_FIN=9\n')).toMatchObject({ start: 0, end: 2 });
    expect(asterWindow('STAT_NON_LINE(INCREMENT=_F(LIST_INST=L, INST_FIN=1.5))\nL=DEFI_LIST_REEL(DEBUT=0., INTERVALLE=_F(JUSQU_A=3.0, NOMBRE=3))')).toMatchObject({ end: 1.5, source: 'INST_FIN in the .comm file' });
    expect(calculixWindow('*STEP\n*STATIC\n0.1, 1.0\n*END STEP\n*STEP\n** comment\n*DYNAMIC\n0.01, 0.5, 1e-5, 0.1\n*END STEP\n*STEP\n*STATIC\n*END STEP\n')).toMatchObject({ start: 0, end: 2.5 });
    expect(calculixWindow('*NODE\n1, 0, 0, 0\n')).toBeNull();
  });
});

describe('ETA', () => {
  const steady = (n: number, everyMs: number, rate: number): Reading[] => Array.from({ length: n }, (_, i) => ({ at: 1_000_000 + i * everyMs, t: (i * everyMs / 1000) * rate }));

  it('needs two readings with the clock moving; then remaining / rate', () => {
    expect(estimateEta([{ at: 0, t: 1 }], 10, 0).etaSeconds).toBeNull();
    expect(estimateEta([{ at: 0, t: 1 }, { at: 60_000, t: 1 }], 10, 60_000).etaSeconds).toBeNull();
    const r = steady(10, 30_000, 0.5); // 0.5 solver s per wall s, readings every 30 s
    const now = r.at(-1)!.at;
    const e = estimateEta(r, 1000, now);
    expect(e.rate).toBeCloseTo(0.5, 9);
    expect(e.etaSeconds).toBeCloseTo((1000 - r.at(-1)!.t) / 0.5, 6);
    expect(e.etaUncertaintySeconds!).toBeLessThan(1); // a perfectly steady run
  });

  it('moves the solver clock on to now, and never goes below zero', () => {
    const r = steady(5, 60_000, 1);
    const last = r.at(-1)!;
    const e = estimateEta(r, 1000, last.at + 100_000);
    expect(e.etaSeconds).toBeCloseTo(1000 - last.t - 100, 6);
    expect(estimateEta(r, 10, last.at + 1e9).etaSeconds).toBe(0);
  });

  it('is uncertain with two readings and with noisy or coarse readings, less so with many steady ones', () => {
    const two = estimateEta([{ at: 0, t: 0 }, { at: 60_000, t: 60 }], 600, 60_000);
    expect(two.etaUncertaintySeconds! / two.etaSeconds!).toBeGreaterThanOrEqual(0.3);
    const noisy = steady(20, 30_000, 1).map((p, i) => ({ ...p, t: p.t + (i % 2 ? 8 : -8) }));
    const n = estimateEta(noisy, 5000, noisy.at(-1)!.at);
    expect(n.etaUncertaintySeconds!).toBeGreaterThan(10);
    const coarse = estimateEta(steady(20, 30_000, 1), 5000, 1_000_000 + 19 * 30_000, 30);
    expect(coarse.etaUncertaintySeconds!).toBeGreaterThan(estimateEta(steady(20, 30_000, 1), 5000, 1_000_000 + 19 * 30_000).etaUncertaintySeconds!);
  });

  it('follows a change of pace (recent readings weigh more)', () => {
    const slow = steady(30, 60_000, 0.1);
    const lastSlow = slow.at(-1)!;
    const fast = Array.from({ length: 30 }, (_, i) => ({ at: lastSlow.at + (i + 1) * 60_000, t: lastSlow.t + (i + 1) * 60 }));
    const e = estimateEta([...slow, ...fast], 10_000, fast.at(-1)!.at);
    expect(e.rate!).toBeGreaterThan(0.6);
  });

  it('formats "≈ 25 min (± 3 min)"', () => {
    expect(formatEta({ etaSeconds: 1500, etaUncertaintySeconds: 180 })).toBe('≈ 25 min (± 3 min)');
    expect(formatEta({ etaSeconds: 40, etaUncertaintySeconds: 0.2 })).toBe('≈ 40 s');
    expect(formatEta({ etaSeconds: null, etaUncertaintySeconds: null })).toBe('–');
  });
});

describe('cost', () => {
  it('estimates while running from vCPU hours and a learnt price, projects to the end; takes the service figure at the end', () => {
    const price = learnPricePerCpuHour([
      { ram: 'standard', cost: 0.16, cpuHours: 10 },
      { ram: 'standard', cost: 0.32, cpuHours: 20 },
      { ram: 'standard', cost: 0.64, cpuHours: 20 },
      { ram: 'highmem', cost: 1, cpuHours: 1 },
      { ram: 'standard', cost: null, cpuHours: 3 },
    ], 'standard');
    expect(price).toBeCloseTo(0.016, 9);
    const running = costView({ serviceCost: null, serviceCpuHours: null, cpu: 4, elapsedSeconds: 1800, etaSeconds: 1800, pricePerCpuHour: 0.016, ended: false });
    expect(running.costFromService).toBe(false);
    expect(running.cpuHoursSoFar).toBeCloseTo(2, 9);
    expect(running.costSoFar).toBeCloseTo(0.032, 9);
    expect(running.projectedCost).toBeCloseTo(0.064, 9);
    const done = costView({ serviceCost: 0.07, serviceCpuHours: 4.1, cpu: 4, elapsedSeconds: 3700, etaSeconds: 0, pricePerCpuHour: 0.016, ended: true });
    expect(done).toMatchObject({ costSoFar: 0.07, costFromService: true, projectedCost: 0.07, cpuHoursSoFar: 4.1 });
    expect(costView({ serviceCost: null, serviceCpuHours: null, cpu: 4, elapsedSeconds: 60, etaSeconds: 60, pricePerCpuHour: null, ended: false }).costSoFar).toBeNull();
    expect(learnPricePerCpuHour([], 'standard')).toBeNull();
    expect(progressLine({ progress: { known: true, reason: null, percent: 42, solverTime: 12.6, window: { start: 0, end: 30, unit: 's', source: '' }, elapsedSeconds: 60, etaSeconds: 1500, etaUncertaintySeconds: 180, rate: 1, lastAdvanceAt: 0, restarts: 0 }, cost: running }))
      .toBe('42 % · 12.6 s of 30 s · ETA ≈ 25 min (± 3 min) · ≈ € 0.03 so far');
  });
});

describe('series store', () => {
  it('combines values at one solver time, keeps x ascending, truncates on restart', () => {
    const s = new SeriesStore(100);
    s.add('residual:p', 1, 0.5, 'first');
    s.add('residual:p', 1, 0.2, 'first');
    s.add('courant:max', 1, 0.5, 'max');
    s.add('courant:max', 1, 0.9, 'max');
    s.add('courant:max', 1, 0.7, 'max');
    s.add('residual:p', 2, 0.4);
    s.add('residual:p', 1.5, 0.1); // out of order: ignored
    expect(s.get('residual:p')).toEqual({ x: [1, 2], y: [0.5, 0.4] });
    expect(s.get('courant:max')!.y).toEqual([0.9]);
    s.truncateFrom(2);
    expect(s.get('residual:p')).toEqual({ x: [1], y: [0.5] });
  });

  it('stays bounded and keeps the shape: first, last and the peak survive', () => {
    const s = new SeriesStore(200);
    for (let i = 0; i < 5000; i++) s.add('residual:p', i, i === 2500 ? 10 : 10 ** (-3 - i / 1000));
    const p = s.get('residual:p')!;
    expect(p.x.length).toBeLessThanOrEqual(200);
    expect(p.x[0]).toBe(0);
    expect(p.x.at(-1)).toBe(4999);
    expect(p.y).toContain(10);
    const l = lttb({ x: [0, 1, 2, 3, 4, 5, 6], y: [0, 0, 0, 9, 0, 0, 0] }, 3);
    expect(l).toEqual({ x: [0, 3, 6], y: [0, 9, 0] });
  });

  it('round-trips through JSON, rejects malformed data, and writes CSV with a header', () => {
    const s = new SeriesStore();
    s.add('residual:p', 1, 0.5);
    s.add('residual:Ux', 1, 0.25);
    s.add('residual:p', 2, 0.4);
    const back = SeriesStore.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(SeriesStore.fromJSON({ a: { x: [1, 2], y: [1] }, b: 'x', c: { x: ['1'], y: [2] } }).keys()).toEqual([]);
    expect(s.csv()).toBe('time,residual:Ux,residual:p\n1,0.25,0.5\n2,,0.4\n');
  });
});

describe('cpu.csv / ram.csv', () => {
  it('reads ISO time columns and every numeric column; skips junk', () => {
    const m = parseMonitorCsv('time,cpu_percent\n2026-09-24T10:00:00Z,92.0\nnot,a row\n2026-09-24T10:00:10Z,95.5\n');
    expect(m).toEqual([{ name: 'cpu_percent', data: { x: [Date.parse('2026-09-24T10:00:00Z') / 1000, Date.parse('2026-09-24T10:00:10Z') / 1000], y: [92, 95.5] } }]);
    const two = parseMonitorCsv('time;used;total\n1700000000;10;64\n1700000010;12;64\n');
    expect(two.map((c) => c.name)).toEqual(['used', 'total']);
    expect(parseMonitorCsv('')).toEqual([]);
  });
});
