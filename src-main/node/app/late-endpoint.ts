// The core as a transport sees it while the core is still being made (opening the keychain can take
// seconds): the Electron window opens at once and shows "Connecting…"; its requests wait for the core,
// or get the reason it could not start; event subscribers are attached to the core once it is there.
import type { Reply } from '../../common/contract';
import type { AnyEvent, CoreEndpoint } from './endpoint';

interface Subscriber {
  cb: (ev: AnyEvent) => void;
  off: (() => void) | null;
}

export class LateEndpoint implements CoreEndpoint {
  private core: CoreEndpoint | null = null;
  private failure: string | null = null;
  private waiting: (() => void)[] = [];
  private readonly subscribers = new Set<Subscriber>();

  /** The core is made: waiting requests go to it, subscribers are attached. Once only. */
  attach(core: CoreEndpoint): void {
    if (this.core || this.failure !== null) throw new Error('LateEndpoint: the core was already settled');
    this.core = core;
    for (const s of this.subscribers) s.off = core.onEvent(s.cb);
    this.release();
  }

  /** The core could not be made: waiting and later requests are answered with the reason. */
  fail(reason: string): void {
    if (this.core || this.failure !== null) return;
    this.failure = reason;
    this.release();
  }

  get stagingRoot(): string {
    if (!this.core) throw new Error('The cloudHPC Sync core is not started yet.');
    return this.core.stagingRoot;
  }

  async request(name: string, params: unknown): Promise<Reply<unknown>> {
    if (!this.core && this.failure === null) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.core) return this.core.request(name, params);
    return { ok: false, error: { code: 'internal', message: `cloudHPC Sync could not start: ${this.failure ?? 'unknown reason'}. Quit and start it again.` } };
  }

  onEvent(cb: (ev: AnyEvent) => void): () => void {
    const s: Subscriber = { cb, off: this.core ? this.core.onEvent(cb) : null };
    this.subscribers.add(s);
    return () => {
      this.subscribers.delete(s);
      s.off?.();
      s.off = null;
    };
  }

  private release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const resolve of w) resolve();
  }
}
