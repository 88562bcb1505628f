// The renderer's formatting helpers (plain functions, no DOM).
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCost, formatDuration, formatRate, percent } from '../../../src-renderer/src/lib/format';

describe('UI formatting', () => {
  it('formats sizes, rates and durations for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 ** 2)).toBe('250 MB');
    expect(formatBytes(-1)).toBe('–');
    expect(formatRate(0)).toBe('–');
    expect(formatRate(2 * 1024 ** 2)).toBe('2.0 MB/s');
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(81)).toBe('1 min 21 s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 h 05 min');
  });

  it('shows costs and progress sensibly', () => {
    expect(formatCost(null)).toBe('–');
    expect(formatCost(12.345)).toBe('€ 12.35');
    expect(formatCost(0.0011)).toBe('€ 0.0011');
    expect(percent(5, 0)).toBe(0);
    expect(percent(5, 10)).toBe(50);
    expect(percent(15, 10)).toBe(100);
  });
});
