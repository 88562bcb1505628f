// Fault injection: latency, HTTP 500s, replies dropped after processing, transfers cut mid-body,
// URLs issued already expired, throttled transfers. Shares are drawn from a seeded RNG.
import type { FaultConfig } from './types';
import { seededRandom } from './util';

export class Faults {
  private cfg: FaultConfig = {};
  private rng = seededRandom(1);
  private expireLeft = 0;
  private dropFor: string[] = [];

  constructor(cfg: FaultConfig = {}) {
    this.set(cfg);
  }

  set(cfg: FaultConfig): void {
    this.cfg = { ...cfg, simulationPatches: cfg.simulationPatches ? structuredClone(cfg.simulationPatches) : undefined };
    if (!this.cfg.simulationPatches) delete this.cfg.simulationPatches;
    this.rng = seededRandom(cfg.seed ?? 1);
    this.expireLeft = Math.max(0, Math.floor(cfg.expireNextUrls ?? 0));
    this.dropFor = [...(cfg.dropReplyFor ?? [])];
  }

  get config(): FaultConfig {
    return { ...this.cfg, expireNextUrls: this.expireLeft, dropReplyFor: [...this.dropFor] };
  }

  get latencyMs(): number {
    return Math.max(0, this.cfg.latencyMs ?? 0);
  }

  private draw(rate: number | undefined): boolean {
    if (!rate || rate <= 0) return false;
    return this.rng() < rate;
  }

  error500(): boolean {
    return this.draw(this.cfg.error500Rate);
  }

  /** `call` is "METHOD /path" relative to the API base, e.g. "POST /simulation/add". */
  dropReply(call: string): boolean {
    const i = this.dropFor.findIndex((e) => call === e || call.startsWith(`${e}/`));
    if (i >= 0) {
      this.dropFor.splice(i, 1);
      return true;
    }
    return this.draw(this.cfg.dropReplyRate);
  }

  /** Byte offset where this transfer is cut, or undefined to let it through. */
  transferCut(total: number | undefined): number | undefined {
    if (!this.draw(this.cfg.dropTransferRate)) return undefined;
    if (this.cfg.dropTransferAfterBytes !== undefined) return Math.max(0, this.cfg.dropTransferAfterBytes);
    if (total === undefined) return 64 * 1024;
    return Math.min(Math.floor(total / 2), 4 * 1024 * 1024);
  }

  /** Consumes one "already expired" URL if any are left. */
  expireThisUrl(): boolean {
    if (this.expireLeft <= 0) return false;
    this.expireLeft--;
    return true;
  }

  /** Fields to replace in the replies about simulation `id` (the simulationPatches fault). */
  simulationPatch(id: number): Record<string, unknown> | undefined {
    return this.cfg.simulationPatches?.[String(id)];
  }

  get bytesPerSec(): number | undefined {
    const r = this.cfg.transferBytesPerSec;
    return r && r > 0 ? r : undefined;
  }
}
