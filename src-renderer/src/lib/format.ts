// Formatting for the UI. One time format everywhere: relative ("2 min ago"), the exact local time on
// hover (Time.svelte puts it in the title). Durations, sizes and rates come from the shared helpers.
import { formatBytes, formatDuration, plural } from '../../../src-main/common/format';

export { formatBytes, formatDuration, plural };

export function formatRate(bytesPerSec: number): string {
  return bytesPerSec > 0 ? `${formatBytes(bytesPerSec)}/s` : '–';
}

/** "just now", "2 min ago", "3 h ago", "yesterday", "4 days ago", then the date; '–' for none. */
export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '–';
  const s = Math.round((now - t) / 1000);
  if (s < -60) return `in ${formatDuration(-s)}`;
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(s / 3600);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(s / 86400);
  if (d === 1) return 'yesterday';
  if (d < 7) return `${d} days ago`;
  return new Date(t).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: d > 300 ? 'numeric' : undefined });
}

/** The exact local date and time (the hover text of a relative time). */
export function exactTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatCost(eur: number | null): string {
  if (eur === null) return '–';
  return `€ ${eur > 0 && eur < 0.01 ? eur.toFixed(4) : eur.toFixed(2)}`;
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round((done / total) * 100)));
}

/** A transfer in one line: "Pushing 3 of 12 files · 4.1 of 9.0 MB · 1.2 MB/s · 5 s left". */
export function transferLine(p: { direction: 'push' | 'pull'; filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number; rate: number; etaSeconds: number | null }): string {
  const parts = [`${p.direction === 'push' ? 'Pushing' : 'Pulling'} ${p.filesTotal > 0 ? `${p.filesDone} of ${plural(p.filesTotal, 'file')}` : '…'}`];
  if (p.bytesTotal > 0) parts.push(`${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`);
  if (p.rate > 0) parts.push(formatRate(p.rate));
  if (p.etaSeconds !== null) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(' · ');
}
