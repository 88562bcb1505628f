// How many API calls one operation may spend on listings (a pull, a folder downloaded or opened, a
// walk of the storage browser). Listings are the one place where the service decides how many calls
// we make: a storage that invents a new subfolder in every folder, or pages that are always full of
// new rows, would otherwise spend the whole hourly budget (and more). The cap is derived from the
// budget as it is known when each page is asked for: a quarter of the hourly limit (at least
// MIN_LISTING_CALLS), or DEFAULT_MAX_PAGES calls when the limit is unknown or there is none.
import { CloudHpcError } from './errors';
import { DEFAULT_MAX_PAGES } from './paging';
import type { BudgetState, ListingBudget } from './types';

/** Never fewer than this many listing calls per operation (a small key still lists a normal case). */
export const MIN_LISTING_CALLS = 10;

/** The listing calls one operation may make under this budget. */
export function listingCap(b: Pick<BudgetState, 'known' | 'hourlyLimit'>): number {
  return b.known && b.hourlyLimit > 0 ? Math.max(MIN_LISTING_CALLS, Math.floor(b.hourlyLimit / 4)) : DEFAULT_MAX_PAGES;
}

export class ListingAllowance implements ListingBudget {
  private used = 0;

  /** `budget` is read at each page: the limit becomes known with the first reply. */
  constructor(private readonly budget: () => Pick<BudgetState, 'known' | 'hourlyLimit'>) {}

  /** Listing calls made so far under this allowance. */
  get calls(): number {
    return this.used;
  }

  /** One more page of `what` is about to be asked for; throws when the operation's share is spent. */
  spend(endpoint: string, what: string): void {
    const b = this.budget();
    const cap = listingCap(b);
    if (this.used >= cap) {
      const share = b.known && b.hourlyLimit > 0 ? `a quarter of the hourly limit of ${b.hourlyLimit}` : `${cap} calls`;
      throw new CloudHpcError({
        kind: 'bad-reply',
        endpoint,
        userMessage: `Listing the storage was stopped after ${this.used} API calls (one operation may spend ${share} on listings; the last was ${what}): the storage keeps showing new folders or pages. Pick a folder further down, or try again later.`,
        detail: `listing allowance of ${cap} calls spent`,
      });
    }
    this.used += 1;
  }
}
