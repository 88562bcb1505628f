// What the storage browser needs from the API client. CloudHpcClient satisfies it structurally; the
// port keeps the one place where listings and downloads are asked for explicit, so the client's
// paging and download routes can change underneath (the client owns paging: never a second loop here).
import type { CallOptions, StorageItem } from '../api/types';
import type { PullClient } from '../sync/pull';

/** Every child of one storage level, all pages, and the API calls that cost. */
export interface ChildListing {
  items: StorageItem[];
  calls: number;
}

export interface StorageCloud extends PullClient {
  /**
   * The children of one folder (the storage root when `parentId` is undefined), every page;
   * `onPage` is called before each page is asked for (one API call each), also when the listing fails.
   */
  listChildren(parentId: number | undefined, o?: CallOptions & { onPage?: () => void }): Promise<ChildListing>;
  /** Deletes a file or a folder (1 call). */
  deleteStorage(id: number, o?: CallOptions): Promise<boolean>;
}
