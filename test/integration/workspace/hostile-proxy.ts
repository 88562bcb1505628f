// A hostile stand-in for the service: a real HTTP server on 127.0.0.1 that forwards every request to
// the emulator and rewrites the names in storage listings (ids stay real, so downloads would work).
// Built on the shared rewriting stand-in (test/hostile/servers.ts).
import { startRewriter } from '../../hostile/servers';

export interface HostileProxy {
  /** Base URL to give the client instead of the emulator's. */
  url: string;
  close(): Promise<void>;
}

/** `emulatorUrl`: the emulator's API base URL (emu.url). */
export async function startHostileProxy(emulatorUrl: string, rename: Record<string, string>): Promise<HostileProxy> {
  const target = new URL(emulatorUrl);
  const rw = await startRewriter(target.origin, (_method, url, json) => {
    if (!url.includes('/storage/index/')) return undefined;
    const env = json as { response?: { name: string; basename?: string; dirname?: string }[] };
    for (const item of env.response ?? []) {
      const to = rename[item.name];
      if (to !== undefined) Object.assign(item, { name: to, basename: '', dirname: '' });
    }
    return env;
  });
  return { url: `${rw.origin}${target.pathname.replace(/\/+$/, '')}`, close: rw.close };
}
