// Which charts a run gets, built from its series store as plain arrays (ChartView), so the renderer
// only draws. One chart per question an engineer asks: is it converging (residuals), is the time
// step sane (Courant, FDS step size), is mass conserved (continuity), is the pressure solver coping
// (FDS iterations and velocity error), is the machine the right size (CPU, RAM).

import type { ChartSeriesView, ChartView, InsightFamily } from '../../../common/insight';
import type { MonitorSeries } from './monitor-csv';
import type { SeriesStore } from './series-store';

interface ChartSpec {
  id: string;
  title: string;
  yLabel: string;
  logY: boolean;
  /** Keys or key prefixes (ending in ':') of the series drawn, in order. */
  series: string[];
  labels?: Record<string, string>;
}

const SPECS: ChartSpec[] = [
  { id: 'residuals', title: 'Initial residuals', yLabel: 'residual', logY: true, series: ['residual:'] },
  { id: 'courant', title: 'Courant number', yLabel: 'Courant', logY: false, series: ['courant:max', 'courant:mean', 'interface-courant:max'], labels: { 'courant:max': 'max', 'courant:mean': 'mean', 'interface-courant:max': 'interface max' } },
  { id: 'continuity', title: 'Continuity errors', yLabel: '|error|', logY: true, series: ['continuity:local', 'continuity:global', 'continuity:cumulative'], labels: { 'continuity:local': 'sum local', 'continuity:global': '|global|', 'continuity:cumulative': '|cumulative|' } },
  { id: 'delta-t', title: 'Time step size', yLabel: 'Δt (s)', logY: false, series: ['delta-t'], labels: { 'delta-t': 'Δt' } },
  { id: 'step-size', title: 'Time step size', yLabel: 'Δt (s)', logY: false, series: ['step-size'], labels: { 'step-size': 'step size' } },
  { id: 'pressure-iterations', title: 'Pressure iterations', yLabel: 'iterations', logY: false, series: ['pressure-iterations'], labels: { 'pressure-iterations': 'iterations' } },
  { id: 'velocity-error', title: 'Pressure solver errors', yLabel: 'error', logY: true, series: ['velocity-error', 'pressure-error'], labels: { 'velocity-error': 'max velocity error (m/s)', 'pressure-error': 'max pressure error' } },
  { id: 'cfl', title: 'CFL number', yLabel: 'CFL', logY: false, series: ['cfl'], labels: { cfl: 'max CFL' } },
  { id: 'increment-size', title: 'Increment size', yLabel: 'Δt', logY: false, series: ['increment-size'], labels: { 'increment-size': 'increment' } },
];

function xLabelFor(family: InsightFamily): string {
  if (family === 'openfoam') return 'Time';
  if (family === 'fds' || family === 'code_aster' || family === 'calculix') return 'solver time (s)';
  return 'solver time';
}

export function buildCharts(family: InsightFamily, store: SeriesStore, monitor: { cpu: MonitorSeries[]; ram: MonitorSeries[] }): ChartView[] {
  const keys = store.keys();
  const charts: ChartView[] = [];
  for (const spec of SPECS) {
    const chosen: string[] = [];
    for (const want of spec.series) {
      if (want.endsWith(':') && !spec.labels?.[want]) chosen.push(...keys.filter((k) => k.startsWith(want)));
      else if (keys.includes(want)) chosen.push(want);
    }
    if (chosen.length === 0) continue;
    const series: ChartSeriesView[] = chosen.map((k) => {
      const s = store.get(k)!;
      return { key: k, label: spec.labels?.[k] ?? k.slice(k.indexOf(':') + 1), x: [...s.x], y: [...s.y] };
    });
    charts.push({ id: spec.id, title: spec.title, xLabel: xLabelFor(family), yLabel: spec.yLabel, logY: spec.logY, xIsWallClock: false, series });
  }
  for (const kind of ['cpu', 'ram'] as const) {
    const m = monitor[kind];
    if (m.length === 0) continue;
    charts.push({
      id: kind,
      title: kind === 'cpu' ? 'CPU use' : 'RAM use',
      xLabel: 'time',
      yLabel: kind === 'cpu' ? 'CPU' : 'RAM',
      logY: false,
      xIsWallClock: true,
      series: m.slice(0, 16).map((s) => ({ key: `${kind}:${s.name}`, label: s.name, x: [...s.data.x], y: [...s.data.y] })),
    });
  }
  return charts;
}
