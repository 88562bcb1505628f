import { describe, expect, it } from 'vitest';
import type { ChartView } from '../../../src-main/common/insight';
import { alignChart, decadeSplits, formatValue } from '../../../src-renderer/src/components/insight/chart-data';

const chart = (logY: boolean): ChartView => ({
  id: 'residuals', title: 'Initial residuals', xLabel: 'Time', yLabel: 'residual', logY, xIsWallClock: false,
  series: [
    { key: 'residual:p', label: 'p', x: [1, 2, 3], y: [0.1, 0.05, 0] },
    { key: 'residual:k', label: 'k', x: [2, 4], y: [0.2, null] },
  ],
});

describe('chart data for uPlot', () => {
  it('aligns series on one ascending x with nulls where a series has no value; log scales drop values ≤ 0', () => {
    expect(alignChart(chart(true))).toEqual([[1, 2, 3, 4], [0.1, 0.05, null, null], [null, 0.2, null, null]]);
    expect(alignChart(chart(false))[1]).toEqual([0.1, 0.05, 0, null]);
  });

  it('labels log axes in decades, thinned to fit', () => {
    const splits = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 1e-2, 1e-1, 1];
    expect(decadeSplits(splits, 10)).toEqual([1e-4, null, null, 1e-3, null, 1e-2, 1e-1, 1]);
    expect(decadeSplits(splits, 2).filter((v) => v !== null)).toEqual([1e-3, 1]); // every third decade, aligned on exponents
    expect(decadeSplits([2, 3, 5], 4)).toEqual([2, 3, 5]);
    expect(formatValue(1e-4)).toBe('1e-4');
    expect(formatValue(0.000123456)).toBe('1.23e-4');
    expect(formatValue(0.0253)).toBe('0.0253');
    expect(formatValue(null)).toBe('–');
  });
});
