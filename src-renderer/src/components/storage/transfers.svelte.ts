// The storage transfers this UI started or heard of (downloads, opens): the latest view of each, from
// the core's `storageTransfer` events. One list per AppModel, shared by the Storage view and the
// dialogs that start transfers from elsewhere (Simulations' "Get results").
import type { StorageTransferView } from '../../../../src-main/common/contract';
import type { AppModel } from '../../lib/app.svelte';

export class StorageTransfers {
  list = $state<StorageTransferView[]>([]);

  constructor(app: AppModel) {
    app.transport.on('storageTransfer', (v) => this.put(v));
  }

  /** A transfer's newest view (a started one, or an event). */
  put(v: StorageTransferView): void {
    const i = this.list.findIndex((x) => x.id === v.id);
    if (i >= 0) {
      // An event of a finished transfer may overtake its last progress: never go back to running.
      if (this.list[i]!.state !== 'running' && v.state === 'running') return;
      this.list[i] = v;
    } else this.list.unshift(v);
    if (this.list.length > 20) this.list.pop();
  }

  dismiss(id: string): void {
    this.list = this.list.filter((x) => x.id !== id);
  }
}

const byApp = new WeakMap<AppModel, StorageTransfers>();

export function transfersOf(app: AppModel): StorageTransfers {
  let t = byApp.get(app);
  if (!t) {
    t = new StorageTransfers(app);
    byApp.set(app, t);
  }
  return t;
}
