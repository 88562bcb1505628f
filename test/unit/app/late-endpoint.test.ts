// The Electron window opens before the core exists: its requests wait for the core (or get why it
// could not start), and its event subscriptions reach the core once it is made.
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src-main/common/contract';
import type { AnyEvent, CoreEndpoint } from '../../../src-main/node/app/endpoint';
import { LateEndpoint } from '../../../src-main/node/app/late-endpoint';

/** A core that answers every request with its name and lets the test emit events. */
function fakeCore(): CoreEndpoint & { emit: (ev: AnyEvent) => void; listeners: number } {
  const cbs = new Set<(ev: AnyEvent) => void>();
  return {
    stagingRoot: '/staging',
    async request(name: string): Promise<Reply<unknown>> { return { ok: true, value: `answer to ${name}` }; },
    onEvent(cb) { cbs.add(cb); return () => { cbs.delete(cb); }; },
    emit(ev) { for (const cb of cbs) cb(ev); },
    get listeners() { return cbs.size; },
  };
}

const ev: AnyEvent = { name: 'keyRejected', payload: { message: 'x' } };

describe('LateEndpoint', () => {
  it('a request made before the core exists is answered by the core once it is attached', async () => {
    const late = new LateEndpoint();
    let settled = false;
    const pending = late.request('getState', {}).then((r) => { settled = true; return r; });
    await Promise.resolve();
    expect(settled).toBe(false);
    late.attach(fakeCore());
    expect(await pending).toEqual({ ok: true, value: 'answer to getState' });
    expect(await late.request('listProjects', {})).toEqual({ ok: true, value: 'answer to listProjects' });
  });

  it('subscribers made early receive the core\'s events; an unsubscribe detaches them from the core', () => {
    const late = new LateEndpoint();
    const seen: AnyEvent[] = [];
    const off = late.onEvent((e) => seen.push(e));
    const core = fakeCore();
    late.attach(core);
    core.emit(ev);
    expect(seen).toEqual([ev]);
    off();
    expect(core.listeners).toBe(0);
    core.emit(ev);
    expect(seen).toHaveLength(1);
  });

  it('when the core cannot be made, waiting and later requests get the reason, never hang', async () => {
    const late = new LateEndpoint();
    const pending = late.request('getState', {});
    late.fail('the app data folder is not writable');
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('the app data folder is not writable');
    expect((await late.request('getState', {})).ok).toBe(false);
    expect(() => late.attach(fakeCore())).toThrow();
  });
});
