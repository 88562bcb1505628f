// The UI's state: the latest snapshot from the core, plus what the UI itself tracks
// (connection, toasts). One instance, created in main.ts and passed down.
import type {
  AppState, ContractError, NotificationPayload, ParamsOf, RequestName, ResultOf, Transport,
} from '../../../src-main/common/contract';
import { pickTransport } from './transport';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  title: string;
  body: string;
}

export class RequestFailed extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
  }
}

export class AppModel {
  state = $state<AppState | null>(null);
  connected = $state(false);
  toasts = $state<Toast[]>([]);
  loadError = $state<string | null>(null);
  readonly transport: Transport;
  private nextToast = 1;

  constructor(transport?: Transport) {
    this.transport = transport ?? pickTransport((c) => {
      this.connected = c;
      if (c) void this.refresh();
    });
    this.transport.on('state', (s) => this.apply(s));
    this.transport.on('projectState', (p) => {
      if (!this.state) return;
      const i = this.state.projects.findIndex((x) => x.id === p.id);
      if (i >= 0) this.state.projects[i] = p;
    });
    this.transport.on('transferProgress', ({ projectId, progress }) => {
      const p = this.state?.projects.find((x) => x.id === projectId);
      if (p) p.progress = progress;
    });
    this.transport.on('simulationChanged', ({ simulation }) => {
      if (!this.state) return;
      const i = this.state.simulations.findIndex((x) => x.id === simulation.id);
      if (i >= 0) this.state.simulations[i] = simulation;
      else this.state.simulations.unshift(simulation);
    });
    this.transport.on('notification', (n) => this.notify(n));
    this.transport.on('keyRejected', ({ message }) => this.toast('error', 'API key rejected', message));
    const visible = (): void => void this.transport.request('windowVisibility', { visible: document.visibilityState === 'visible' });
    document.addEventListener('visibilitychange', visible);
    if (this.transport.kind === 'electron') {
      this.connected = true;
      void this.refresh();
    }
  }

  private apply(s: AppState): void {
    if (this.state && s.seq < this.state.seq && s.transport === this.state.transport) return;
    this.state = s;
    this.loadError = null;
  }

  async refresh(): Promise<void> {
    const r = await this.transport.request('getState', {});
    if (r.ok) this.apply(r.value);
    else this.loadError = r.error.message;
  }

  /** A request whose failure throws RequestFailed (the caller shows it where it belongs). */
  async call<K extends RequestName>(name: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    const r = await this.transport.request(name, params);
    if (!r.ok) throw new RequestFailed(r.error);
    return r.value;
  }

  /** A request whose failure becomes a toast; returns null on failure. */
  async act<K extends RequestName>(name: K, params: ParamsOf<K>): Promise<ResultOf<K> | null> {
    const r = await this.transport.request(name, params);
    if (!r.ok) {
      this.toast('error', 'That did not work', r.error.message);
      return null;
    }
    return r.value;
  }

  notify(n: NotificationPayload): void {
    // a run that may be diverging stays on screen until dismissed, like an error
    this.toast(n.kind === 'error' || n.kind === 'key-rejected' || n.kind === 'simulation-warning' ? 'error' : n.kind === 'conflict' ? 'info' : 'success', n.title, n.body);
  }

  toast(kind: Toast['kind'], title: string, body: string): void {
    const id = this.nextToast++;
    this.toasts.push({ id, kind, title, body });
    if (this.toasts.length > 5) this.toasts.shift();
    if (kind !== 'error') setTimeout(() => this.dismiss(id), 8000);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof RequestFailed) return err.error.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
