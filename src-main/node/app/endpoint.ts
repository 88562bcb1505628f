// What a transport (Electron IPC, the headless server) needs from the core: one entry for every
// request (validated inside, answers a Reply, never throws) and one stream of events.
import type { EventName, Events, Reply } from '../../common/contract';

/** One event, tagged with its name. */
export type AnyEvent = { [E in EventName]: { name: E; payload: Events[E] } }[EventName];

export interface CoreEndpoint {
  /** `name` and `params` come from an untrusted caller: the core checks both. */
  request(name: string, params: unknown): Promise<Reply<unknown>>;
  /** Every event; returns an unsubscribe. */
  onEvent(cb: (ev: AnyEvent) => void): () => void;
  /** Where staged browser uploads live (headless drops); the server writes under it. */
  readonly stagingRoot: string;
}
