import { describe, expect, it } from 'vitest';
import { LineSplitter, WindowReader } from '../../../../src-main/node/simulation/insight/lines';
import { FdsParser } from '../../../../src-main/node/simulation/insight/parsers/fds';
import { AsterParser, CalculixParser, SaturneParser } from '../../../../src-main/node/simulation/insight/parsers/fea';
import { OpenFoamParser } from '../../../../src-main/node/simulation/insight/parsers/openfoam';
import type { LogParser, LogRecord } from '../../../../src-main/node/simulation/insight/records';
import * as F from './fixtures';

function parse(p: LogParser, text: string): LogRecord[] {
  const s = new LineSplitter();
  const out: LogRecord[] = [];
  for (const e of [...s.feed(text), ...s.end()]) {
    if (e.kind === 'gap') p.gap();
    else out.push(...p.line(e.text));
  }
  return out;
}
const times = (r: LogRecord[]): number[] => r.flatMap((x) => (x.kind === 'time' ? [x.time] : []));
const values = (r: LogRecord[], series: string): [number, number][] => r.flatMap((x) => (x.kind === 'value' && x.series === series ? [[x.x, x.y] as [number, number]] : []));

describe('FDS parser', () => {
  it('reads the standard-output progress lines of FDS 6 and FDS 5 and the normal end', () => {
    const r = parse(new FdsParser(), F.FDS_STDOUT);
    expect(times(r)).toEqual([178.38, 179.21, 180]);
    expect(r.find((x) => x.kind === 'time')).toMatchObject({ step: 23500 });
    expect(r.some((x) => x.kind === 'end')).toBe(true);
    const r5 = parse(new FdsParser(), F.FDS5_STDOUT);
    expect(times(r5)).toEqual([1759.46, 1759.53, 1759.6]);
    expect(r5[0]).toMatchObject({ kind: 'banner' });
  });

  it('reads the .out diagnostics: step size, pressure iterations, velocity and pressure errors, max CFL over meshes', () => {
    const r = parse(new FdsParser(), F.FDS_OUT);
    expect(times(r)).toEqual([4.15, 4.8]);
    expect(values(r, 'step-size')).toEqual([[4.15, 0.0659], [4.8, 0.065]]);
    expect(values(r, 'pressure-iterations')).toEqual([[4.15, 1], [4.8, 2]]);
    expect(values(r, 'velocity-error')).toEqual([[4.15, 0.012], [4.8, 0.015]]);
    expect(values(r, 'pressure-error')).toEqual([[4.15, 0.82]]);
    expect(values(r, 'cfl')).toEqual([[4.15, 0.8]]);
    const m = parse(new FdsParser(), F.FDS_OUT_MESHES);
    expect(values(m, 'cfl').map(([, y]) => y)).toEqual([0.061, 0.067, 0.073]);
    expect(m.filter((x) => x.kind === 'value' && x.series === 'cfl').every((x) => x.kind === 'value' && x.combine === 'max')).toBe(true);
  });

  it('attaches values printed before the time line to that step (2014 .out layout)', () => {
    const r = parse(new FdsParser(), F.FDS_OUT_2014);
    expect(times(r)).toEqual([0.29]);
    expect(values(r, 'pressure-iterations')).toEqual([[0.29, 1]]);
    expect(values(r, 'velocity-error')).toEqual([[0.29, 0.011]]);
    expect(values(r, 'step-size')).toEqual([[0.29, 0.28868]]);
  });

  it('reports a numerical instability as a failure', () => {
    const r = parse(new FdsParser(), F.FDS_INSTABILITY);
    expect(times(r)).toEqual([203.13]);
    expect(r.find((x) => x.kind === 'failure')).toMatchObject({ code: 'fds-instability' });
  });

  it('drops a half-read block after a gap instead of pinning its values on a wrong step', () => {
    const p = new FdsParser();
    p.line('       Time Step       1   April  7, 2014  09:07:24');
    p.line('       Pressure Iterations:      7');
    p.gap();
    const after = p.line('       Time step:  0.2 s, Total time:       0.5 s');
    expect(values(after, 'pressure-iterations')).toEqual([]);
  });
});

describe('OpenFOAM parser', () => {
  it('reads Time, first initial residual per field, continuity errors (steady simpleFoam)', () => {
    const r = parse(new OpenFoamParser(), `Time = 230\n\n${F.FOAM_SIMPLE}`);
    expect(times(r)).toEqual([230, 231]);
    expect(values(r, 'residual:Ux')).toEqual([[230, 0.000678332], [231, 0.000659003]]);
    expect(values(r, 'residual:p')).toEqual([[230, 0.00373882], [231, 0.00357685]]);
    expect(values(r, 'residual:k')).toEqual([[230, 0.00115801]]);
    expect(values(r, 'continuity:local')).toEqual([[230, 0.0149028], [231, 0.0140237]]);
    expect(r.filter((x) => x.kind === 'value' && x.series.startsWith('residual:')).every((x) => x.kind === 'value' && x.combine === 'first')).toBe(true);
  });

  it('attaches a Courant line printed before `Time =` to that step, and one printed after to the current step', () => {
    const d = parse(new OpenFoamParser(), F.FOAM_DIVERGING);
    expect(values(d, 'courant:max')).toEqual([[0.3, 4247.53]]);
    expect(values(d, 'courant:mean')).toEqual([[0.3, 51.1606]]);
    // two pressure correctors: both read, the store keeps the first (combine: 'first')
    expect(values(d, 'residual:p_rgh')).toEqual([[0.3, 0.841614], [0.3, 0.699451]]);
    expect(values(d, 'continuity:global')).toEqual([[0.3, 3.13549]]);
    expect(d.find((x) => x.kind === 'failure')).toMatchObject({ code: 'floating-point-exception' });
    const ico = parse(new OpenFoamParser(), F.FOAM_ICO);
    expect(values(ico, 'courant:max')).toEqual([[0.49, 0.852134]]);
  });

  it('reads `Time = 0.1s` (unit printed by newer releases), deltaT, and the banner; ignores the banner\'s clock time', () => {
    const r = parse(new OpenFoamParser(), `${F.FOAM_BANNER}Starting time loop\n\nCourant Number mean: 0.1 max: 0.4\ndeltaT = 0.002\nTime = 0.1s\n\n`);
    expect(times(r)).toEqual([0.1]);
    expect(values(r, 'delta-t')).toEqual([[0.1, 0.002]]);
    expect(values(r, 'courant:max')).toEqual([[0.1, 0.4]]);
    expect(r.filter((x) => x.kind === 'banner')).toHaveLength(2);
  });

  it('reads lines tagged by mpirun --tag-output and slave-rank prefixes', () => {
    const r = parse(new OpenFoamParser(), F.FOAM_MPI_TAGGED);
    expect(times(r)).toEqual([0.002, 0.003]);
    expect(values(r, 'residual:p')).toEqual([[0.002, 0.5]]);
  });
});

describe('code_saturne, code_aster and CalculiX parsers', () => {
  it('code_saturne: time or step number from the INSTANT header', () => {
    expect(times(parse(new SaturneParser('time'), F.SATURNE))).toEqual([0.2, 0.21]);
    expect(times(parse(new SaturneParser('step'), F.SATURNE))).toEqual([20, 21]);
  });

  it('code_aster: "Instant de calcul"', () => {
    expect(times(parse(new AsterParser(), F.ASTER))).toEqual([0.2, 0.3]);
  });

  it('CalculiX: only converged increments move the clock (a reattempt is not a step back)', () => {
    const r = parse(new CalculixParser(), F.CALCULIX);
    expect(times(r)).toEqual([0.1, 0.2]);
    expect(values(r, 'increment-size')).toEqual([[0.1, 0.1], [0.2, 0.1]]);
    expect(r.at(-1)).toMatchObject({ kind: 'end' });
  });
});

describe('lines', () => {
  it('splits appended text in any chunking into the same lines', () => {
    const whole = F.FOAM_SIMPLE;
    const once = new LineSplitter().feed(whole);
    const s = new LineSplitter();
    const pieces: ReturnType<LineSplitter['feed']> = [];
    for (let i = 0; i < whole.length; i += 7) pieces.push(...s.feed(whole.slice(i, i + 7)));
    expect(pieces).toEqual(once);
  });

  it('a window of the last lines gives each new line once, and a gap when windows do not overlap', () => {
    const w = new WindowReader();
    expect(w.feed('a\nb\nc').map((e) => (e.kind === 'line' ? e.text : '|'))).toEqual(['a', 'b', 'c']);
    expect(w.feed('b\nc\nd\ne').map((e) => (e.kind === 'line' ? e.text : '|'))).toEqual(['d', 'e']);
    expect(w.feed('b\nc\nd\ne')).toEqual([]);
    expect(w.feed('x\ny').map((e) => (e.kind === 'line' ? e.text : '|'))).toEqual(['|', 'x', 'y']);
  });

  it('a hostile window of very many lines is cut to its last lines, still overlapping the next', () => {
    const w = new WindowReader();
    const many = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    const first = w.feed(many.join('\n'));
    expect(first.length).toBeLessThan(2_000);
    expect(first.at(-1)).toEqual({ kind: 'line', text: 'line 49999' });
    // a worst case for the overlap search (all equal lines but the last): only the one new line counts
    expect(w.feed([...many.slice(1), 'line 50000'].join('\n'))).toEqual([{ kind: 'line', text: 'line 50000' }]);
    w.feed([...Array(49_999).fill('a'), 'b'].join('\n'));
    expect(w.feed(Array(50_000).fill('a').join('\n'))[0]).toEqual({ kind: 'gap' });
  });

  it('the log reader\'s restart marker is a gap', () => {
    const ev = new LineSplitter().feed('Time = 1\n\n[... log restarted ...]\nTime = 2\n');
    expect(ev.map((e) => e.kind)).toEqual(['line', 'line', 'gap', 'line']);
  });
});
