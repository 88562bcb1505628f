// Picks the way to the core: Electron's preload bridge (window.cloudhpc) when present, else the
// headless server's HTTP + WebSocket. Both implement the same contract (types only here).
import type {
  CloudHpcBridge, EventName, Events, ParamsOf, Reply, RequestName, ResultOf, Transport,
} from '../../../src-main/common/contract';

declare global {
  interface Window {
    cloudhpc?: CloudHpcBridge;
  }
}

function listenerName(name: EventName): `on${Capitalize<EventName>}` {
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as `on${Capitalize<EventName>}`;
}

/**
 * Request params as plain data, exactly what the headless transport sends as JSON. Svelte 5 `$state`
 * objects are Proxies (nested ones too, e.g. a settings object's `notifications` after `{...s}`), and
 * contextBridge, like structuredClone, refuses a Proxy: "An object could not be cloned" (electron#39598).
 * A JSON round trip copies any nesting of Proxies into plain objects and gives both transports the same
 * semantics (undefined members dropped, no functions or class instances crossing).
 */
export function plainParams<T>(params: T): T {
  if (params === undefined) return {} as T;
  return JSON.parse(JSON.stringify(params)) as T;
}

export function electronTransport(bridge: CloudHpcBridge): Transport {
  return {
    kind: 'electron',
    request<K extends RequestName>(name: K, params: ParamsOf<K>): Promise<Reply<ResultOf<K>>> {
      const fn = bridge[name] as unknown as (p: ParamsOf<K>) => Promise<Reply<ResultOf<K>>>;
      return fn(plainParams(params));
    },
    on<E extends EventName>(name: E, cb: (payload: Events[E]) => void): () => void {
      const sub = bridge[listenerName(name)] as unknown as (cb: (payload: Events[E]) => void) => () => void;
      return sub(cb);
    },
  };
}

type Handler = (payload: unknown) => void;

export interface ConnectionState {
  connected: boolean;
}

/** HTTP POST /api/<name> for requests, WebSocket /events for events (reconnects with backoff). */
export function headlessTransport(onConnection: (connected: boolean) => void): Transport {
  const handlers = new Map<EventName, Set<Handler>>();
  let delay = 500;
  let ws: WebSocket | null = null;

  const connect = (): void => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`;
    ws = new WebSocket(url);
    ws.onopen = () => {
      delay = 500;
      onConnection(true);
    };
    ws.onmessage = (m) => {
      let msg: { name?: EventName; payload?: unknown };
      try {
        msg = JSON.parse(String(m.data)) as { name?: EventName; payload?: unknown };
      } catch {
        return;
      }
      if (!msg.name) return;
      for (const h of handlers.get(msg.name) ?? []) h(msg.payload);
    };
    ws.onclose = () => {
      onConnection(false);
      ws = null;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  connect();

  return {
    kind: 'headless',
    async request<K extends RequestName>(name: K, params: ParamsOf<K>): Promise<Reply<ResultOf<K>>> {
      let res: Response;
      try {
        res = await fetch(`/api/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(plainParams(params)),
          credentials: 'same-origin',
        });
      } catch {
        return { ok: false, error: { code: 'offline', message: 'The cloudHPC Sync server does not answer: is `cloudhpc-sync serve` still running?' } };
      }
      if (res.status === 401) {
        return { ok: false, error: { code: 'not-allowed', message: 'This page is not signed in any more: open the address printed by cloudhpc-sync serve again.' } };
      }
      try {
        return (await res.json()) as Reply<ResultOf<K>>;
      } catch {
        return { ok: false, error: { code: 'internal', message: `The server answered HTTP ${res.status} without a reply: try again.` } };
      }
    },
    on<E extends EventName>(name: E, cb: (payload: Events[E]) => void): () => void {
      const set = handlers.get(name) ?? new Set<Handler>();
      handlers.set(name, set);
      const h = cb as Handler;
      set.add(h);
      return () => set.delete(h);
    },
  };
}

/** Headless only: uploads dropped files' bytes into a staging batch on the server. */
export async function uploadStaged(files: { path: string; file: File }[], onProgress: (done: number, total: number) => void): Promise<string> {
  const created = await fetch('/upload/new', { method: 'POST', credentials: 'same-origin' });
  if (!created.ok) throw new Error('The server refused the upload: open the address printed by cloudhpc-sync serve again.');
  const { stagingId } = (await created.json()) as { stagingId: string };
  const total = files.reduce((n, f) => n + f.file.size, 0);
  let done = 0;
  for (const f of files) {
    const res = await fetch(`/upload/${stagingId}?path=${encodeURIComponent(f.path)}`, { method: 'PUT', body: f.file, credentials: 'same-origin' });
    if (!res.ok) {
      let message = `Uploading ${f.path} failed (HTTP ${res.status}).`;
      try {
        const body = (await res.json()) as { error?: { message?: string } };
        if (body.error?.message) message = body.error.message;
      } catch { /* keep the generic message */ }
      throw new Error(message);
    }
    done += f.file.size;
    onProgress(done, total);
  }
  return stagingId;
}

/** Electron's bridge when the preload exposed it (always connected), else the headless server. */
export function pickTransport(onConnection: (connected: boolean) => void): Transport {
  if (window.cloudhpc) return electronTransport(window.cloudhpc);
  return headlessTransport(onConnection);
}
