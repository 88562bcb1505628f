// Paging that never trusts a page count or size: every way a listing ends, and the cap.
import { describe, expect, it } from 'vitest';
import { CloudHpcError } from '../../../src-main/node/api/errors';
import { readPages, type PageRows } from '../../../src-main/node/api/paging';

type Row = { id: number };
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));

/** A service with `total` rows, `size` per page, answering past the end with page 1 ('first') or [] ('empty'). */
function service(total: number, size: number, past: 'first' | 'empty') {
  const asked: number[] = [];
  const fetch = async (page: number): Promise<PageRows<Row>> => {
    asked.push(page);
    const from = (page - 1) * size;
    const r = from >= total ? (past === 'first' ? rows(0, Math.min(size, total)) : []) : rows(from, Math.min(size, total - from));
    return { rows: r, raw: r.length };
  };
  return { fetch, asked };
}

describe('readPages', () => {
  it.each([
    ['first', 250, 100, 3, 'short'],
    ['first', 200, 100, 3, 'repeat'],
    ['empty', 200, 100, 3, 'empty'],
    ['first', 30, 100, 2, 'repeat'],
    ['empty', 0, 100, 1, 'empty'],
    ['first', 250, 20, 13, 'short'],
  ] as const)('past the end: %s; %i rows of %i per page: %i calls, ends on %s', async (past, total, size, calls, end) => {
    const s = service(total, size, past);
    const r = await readPages(s.fetch, { what: 'x', endpoint: 'GET /x' });
    expect(r.items.map((i) => i.id)).toEqual(rows(0, total).map((i) => i.id));
    expect([r.calls, r.end]).toEqual([calls, end]);
    expect(r.calls).toBeLessThanOrEqual(Math.ceil(total / size) + 1);
  });

  it('uses a page size known from an earlier listing: a shorter first page is the last', async () => {
    const s = service(30, 100, 'first');
    const r = await readPages(s.fetch, { what: 'x', endpoint: 'GET /x', knownPageSize: 100 });
    expect([r.calls, r.end, r.items.length]).toEqual([1, 'short', 30]);
  });

  it('a page with a damaged row (skipped) does not look short', async () => {
    const pages: PageRows<Row>[] = [
      { rows: rows(0, 3), raw: 3 },
      { rows: [{ id: 3 }, { id: 5 }], raw: 3 }, // the row with id 4 did not pass validation
      { rows: rows(6, 1), raw: 1 },
    ];
    const r = await readPages(async (p) => pages[p - 1]!, { what: 'x', endpoint: 'GET /x' });
    expect(r.items.map((i) => i.id)).toEqual([0, 1, 2, 3, 5, 6]);
    expect(r.calls).toBe(3);
  });

  it('stops when the visitor found what it looks for', async () => {
    const s = service(500, 100, 'first');
    const r = await readPages(s.fetch, { what: 'x', endpoint: 'GET /x', visit: (fresh) => fresh.some((i) => i.id === 150) });
    expect([r.calls, r.end]).toEqual([2, 'visitor']);
  });

  it('a listing that never ends fails at the cap with a clear message', async () => {
    let n = 0;
    const endless = async (): Promise<PageRows<Row>> => ({ rows: rows((n += 10), 10), raw: 10 });
    const e = await readPages(endless, { what: 'the folder caseA', endpoint: 'GET /storage/index', maxPages: 5 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CloudHpcError);
    expect(e).toMatchObject({ kind: 'bad-reply' });
    expect((e as CloudHpcError).userMessage).toMatch(/new pages of the folder caseA after 5 pages/);
    expect(n).toBe(50);
  });
});
