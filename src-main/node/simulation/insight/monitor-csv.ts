// The service's hardware monitor files `cpu.csv` and `ram.csv` (written into the case folder with
// the results, after a SYNC or at the end). Their exact layout is not documented: this reader takes
// a header row, a first column of time (ISO 8601, "YYYY-MM-DD HH:MM:SS", or epoch seconds / ms)
// and every other numeric column as one series (per core or a total). Rows that do not parse are
// skipped; at most `maxRows` rows are kept (the series store thins them further).

import type { SeriesData } from './series-store';

export interface MonitorSeries {
  /** Column name from the header (e.g. "cpu_percent"). */
  name: string;
  /** x: epoch seconds; y: the column's value. */
  data: SeriesData;
}

function parseTime(s: string): number | null {
  const t = s.trim().replace(/^"|"$/g, '');
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 1e11 ? n / 1000 : n; // ms or s since epoch
  }
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t) ? t.replace(' ', 'T') : null;
  if (!iso) return null;
  const ms = Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

export function parseMonitorCsv(text: string, maxRows = 20_000): MonitorSeries[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) return [];
  const sep = lines[0]!.includes(';') && !lines[0]!.includes(',') ? ';' : ',';
  const header = lines[0]!.split(sep).map((h) => h.trim().replace(/^"|"$/g, ''));
  const hasHeader = parseTime(header[0] ?? '') === null;
  const names = hasHeader ? header.slice(1) : header.slice(1).map((_, i) => `column ${i + 2}`);
  const cols: SeriesData[] = names.map(() => ({ x: [], y: [] }));
  for (const line of lines.slice(hasHeader ? 1 : 0, (hasHeader ? 1 : 0) + maxRows)) {
    const cells = line.split(sep);
    const x = parseTime(cells[0] ?? '');
    if (x === null) continue;
    names.forEach((_, i) => {
      const v = Number((cells[i + 1] ?? '').trim());
      const c = cols[i]!;
      if ((cells[i + 1] ?? '').trim() !== '' && Number.isFinite(v) && (c.x.length === 0 || x > c.x[c.x.length - 1]!)) {
        c.x.push(x);
        c.y.push(v);
      }
    });
  }
  return names.map((name, i) => ({ name, data: cols[i]! })).filter((s) => s.data.x.length > 0);
}
