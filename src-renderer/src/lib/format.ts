// Small formatting helpers for the UI.

import { formatBytes, formatDuration } from '../../../src-main/common/format';

export { formatBytes, formatDuration };

export function formatRate(bytesPerSec: number): string {
  return bytesPerSec > 0 ? `${formatBytes(bytesPerSec)}/s` : '–';
}

export function formatTime(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export function formatCost(eur: number | null): string {
  if (eur === null) return '–';
  return `€ ${eur > 0 && eur < 0.01 ? eur.toFixed(4) : eur.toFixed(2)}`;
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round((done / total) * 100)));
}
