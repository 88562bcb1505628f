// Reading a listing page by page without trusting a page count or size. What the provider's
// clients show (see README "What the service does, and how we know"): its bash client stops on an
// empty page; its MCP client also stops when "the API returned the same page again" and caps at 50
// pages; the framework matching the service serves 100 rows per page and page 1 again past the end.
// So a listing ends on:
// - an empty page;
// - a page whose rows were all seen before (the service went back to page 1);
// - a page with fewer rows than a full page seen before (in this listing, or any earlier one of
//   the session: pages are full except the last, so a shorter one is the last);
// and a hard cap of pages fails with a clear error instead of spending the budget.
import { CloudHpcError } from './errors';

/** One page as read: the rows that passed validation, and how many rows the reply held in all. */
export interface PageRows<T> {
  rows: T[];
  /** Rows in the reply, damaged ones included (a skipped row must not make a page look short). */
  raw: number;
}

export type PageEnd = 'empty' | 'repeat' | 'short' | 'visitor';

export interface Paged<T> {
  /** Every row once (by id), in the order the pages gave them. */
  items: T[];
  /** API calls made (one per page read). */
  calls: number;
  /** Why the listing ended. */
  end: PageEnd;
}

export interface PagingOptions<T> {
  /** What is listed, for the error message ("the folder caseA"). */
  what: string;
  /** Endpoint named in errors. */
  endpoint: string;
  /** Hard cap of pages; default 500. */
  maxPages?: number;
  /** Largest page seen before (the session's knowledge of the page size); 0 when none. */
  knownPageSize?: number;
  /** Called with each page's new rows; true stops the listing (e.g. the folder looked for is found). */
  visit?: (fresh: T[]) => boolean;
}

export const DEFAULT_MAX_PAGES = 500;

/** Reads pages 1, 2, … of a listing until it ends (see the rules above). */
export async function readPages<T extends { id: number }>(fetchPage: (page: number) => Promise<PageRows<T>>, o: PagingOptions<T>): Promise<Paged<T> & { pageSize: number }> {
  const max = o.maxPages ?? DEFAULT_MAX_PAGES;
  const seen = new Set<number>();
  const items: T[] = [];
  let full = Math.max(0, o.knownPageSize ?? 0);
  let calls = 0;
  for (let page = 1; ; page++) {
    if (page > max) {
      throw new CloudHpcError({
        kind: 'bad-reply',
        endpoint: o.endpoint,
        userMessage: `cloudHPC kept sending new pages of ${o.what} after ${max} pages: the listing was stopped so it cannot use up the API call budget. Try again later, and report it if it keeps happening.`,
        detail: `listing not ended after ${max} pages`,
      });
    }
    const { rows, raw } = await fetchPage(page);
    calls += 1;
    if (raw === 0) return { items, calls, end: 'empty', pageSize: full };
    const fresh = rows.filter((r) => !seen.has(r.id));
    if (rows.length > 0 && fresh.length === 0) return { items, calls, end: 'repeat', pageSize: full };
    for (const r of fresh) {
      seen.add(r.id);
      items.push(r);
    }
    if (o.visit?.(fresh)) return { items, calls, end: 'visitor', pageSize: Math.max(full, raw) };
    if (raw < full) return { items, calls, end: 'short', pageSize: full };
    full = Math.max(full, raw);
  }
}
