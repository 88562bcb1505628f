// Small formatting helpers for the UI.

import { formatBytes } from '../../../src-main/common/format';

export { formatBytes };

export function formatRate(bytesPerSec: number): string {
  return bytesPerSec > 0 ? `${formatBytes(bytesPerSec)}/s` : '–';
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} h ${m.toString().padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${r.toString().padStart(2, '0')} s`;
  return `${r} s`;
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
