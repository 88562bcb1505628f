// The UI's state: the latest snapshot from the core, plus what the UI itself tracks
// (connection, toasts). One instance, created in main.ts and passed down.
import type {
  AppState, ContractError, DropPlan, DropSource, NotificationPayload, OpenTarget, ParamsOf, RequestName, ResultOf, SimulationView, Transport,
} from '../../../src-main/common/contract';
import { clock } from './clock.svelte';
import { toSources, type PickedFile } from './drop';
import { pickTransport } from './transport';

/** Toasts that are not errors go away by themselves after this long; errors stay until dismissed. */
export const TOAST_MS = 6000;

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
  /** The onboarding is open to replace the key (from Settings or a "key refused" notice). */
  changingKey = $state(false);
  /** The project and the run the person looks at (kept across tabs). */
  selectedProject = $state<string | null>(null);
  selectedRun = $state<number | null>(null);
  tab = $state<'projects' | 'simulations' | 'storage' | 'settings'>('projects');
  /** The drop being reviewed (DropDialog), and how the last drop went, where it was dropped ('new': a new project). */
  dropPlan = $state<DropPlan | null>(null);
  drop = $state<{ target: string | 'new'; progress: string | null; error: string | null } | null>(null);
  /** Actions in flight, by key ("pull:<projectId>"): their buttons are disabled, a second click does nothing. */
  busy = $state<Record<string, true>>({});
  readonly transport: Transport;
  private nextToast = 1;
  /** When each simulation's view arrived (its elapsed time goes on from there). */
  private readonly simAt = new Map<number, number>();

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
      this.simAt.set(simulation.id, Date.now());
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
    const t = Date.now();
    for (const sim of s.simulations) this.simAt.set(sim.id, t);
  }

  /** A run's elapsed time now: the core's figure, going on live while it runs or stops. */
  elapsed(sim: SimulationView): number | null {
    if (sim.elapsedSeconds === null) return null;
    if (sim.statusName !== 'RUNNING' && sim.statusName !== 'STOPPING') return sim.elapsedSeconds;
    const at = this.simAt.get(sim.id) ?? clock.now;
    return sim.elapsedSeconds + Math.max(0, (clock.now - at) / 1000);
  }

  /**
   * Runs an action once at a time per key: while it is in flight `busy[key]` is set (its buttons are
   * disabled) and another call with the same key does nothing. Failures become an error toast.
   */
  async once<T>(key: string, fn: () => Promise<T>): Promise<T | null> {
    if (this.busy[key]) return null;
    this.busy[key] = true;
    try {
      return await fn();
    } catch (err) {
      this.toast('error', 'That did not work', errorMessage(err));
      return null;
    } finally {
      delete this.busy[key];
    }
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

  /** Opens a folder, a file or a link (Electron); headless, says where it is. */
  async openTarget(target: OpenTarget): Promise<void> {
    const r = await this.act('openPath', { target });
    if (r && !r.opened) this.toast('info', target.kind === 'external-url' ? 'Link' : 'On the server', r.message ?? r.target);
  }

  /** Files dropped or picked for a project (or for a new one): uploaded when needed, then planned for review. */
  async dropFiles(target: string | 'new', picked: { tops: File[]; files: PickedFile[] }): Promise<void> {
    this.drop = { target, progress: 'Preparing…', error: null };
    try {
      const sources = await toSources(picked, (done, total) => {
        if (this.drop) this.drop.progress = `Uploading to the server: ${Math.round((done / Math.max(total, 1)) * 100)}%`;
      });
      await this.planDrop(target === 'new' ? null : target, sources);
    } catch (err) {
      this.drop = { target, progress: null, error: errorMessage(err) };
    }
  }

  /** Plans a drop (nothing is written yet): the DropDialog shows the plan. */
  async planDrop(projectId: string | null, sources: DropSource[]): Promise<void> {
    const target = projectId ?? 'new';
    this.drop = { target, progress: 'Preparing…', error: null };
    try {
      this.dropPlan = await this.call('dropFiles', { projectId, sources });
      this.drop = null;
    } catch (err) {
      this.drop = { target, progress: null, error: errorMessage(err) };
    }
  }

  notify(n: NotificationPayload): void {
    // a run that may be diverging stays on screen until dismissed, like an error
    this.toast(n.kind === 'error' || n.kind === 'key-rejected' || n.kind === 'simulation-warning' ? 'error' : n.kind === 'conflict' ? 'info' : 'success', n.title, n.body);
  }

  toast(kind: Toast['kind'], title: string, body: string): void {
    const id = this.nextToast++;
    this.toasts.push({ id, kind, title, body });
    if (this.toasts.length > 5) this.toasts.shift();
    if (kind !== 'error') setTimeout(() => this.dismiss(id), TOAST_MS);
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
