// The service's clock. Its dates ("2026-09-24 09:31:20") carry no time zone and the service runs in
// Italy, so reading them as UTC puts a run one or two hours off. The offset is learnt from a run we
// created ourselves: its `idate` against our own clock when we sent the add (rounded to 15 minutes,
// the granularity of time zones). Until then, a duration is known only when both ends come from
// the service (edate − idate); a running run's elapsed time is not guessed.
import type { Simulation } from './types';

const QUARTER = 15 * 60_000;

/** "YYYY-MM-DD HH:MM:SS" as if it were UTC (epoch ms), or null when it does not parse. */
export function serviceDateAsUtc(s: string | null): number | null {
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(t) ? t : null;
}

export class ServiceClock {
  /** service wall time read as UTC − true time (ms); null until learnt. */
  private offset: number | null = null;
  /** Runs we created: id → our clock when the add was sent. */
  private readonly created = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The offset learnt so far (ms, a multiple of 15 minutes), or null. */
  get offsetMs(): number | null {
    return this.offset;
  }

  /** We created run `id`; `sentAt` is our clock when the add was sent. */
  noteCreated(id: number, sentAt: number = this.now()): void {
    this.created.set(id, sentAt);
  }

  /** Runs as the service lists them: the idate of one we created teaches the offset. */
  noteSeen(sims: readonly Pick<Simulation, 'id' | 'idate'>[]): void {
    if (this.created.size === 0) return;
    for (const s of sims) {
      const sentAt = this.created.get(s.id);
      if (sentAt === undefined) continue;
      const service = serviceDateAsUtc(s.idate);
      if (service === null) continue;
      this.created.delete(s.id);
      this.offset = Math.round((service - sentAt) / QUARTER) * QUARTER;
    }
  }

  /** A service date as true epoch ms, or null when the offset is not known yet (or the date is empty). */
  toEpochMs(s: string | null): number | null {
    const t = serviceDateAsUtc(s);
    if (t === null || this.offset === null) return null;
    return t - this.offset;
  }

  /**
   * Seconds a run has been going (until its end when it ended): edate − idate when both are there;
   * for a run still going (`active`), now − idate once the offset is known; else null.
   */
  elapsedSeconds(s: Pick<Simulation, 'idate' | 'edate'>, active = true, nowMs: number = this.now()): number | null {
    const start = serviceDateAsUtc(s.idate);
    if (start === null) return null;
    const end = serviceDateAsUtc(s.edate);
    if (end !== null) return Math.max(0, Math.round((end - start) / 1000));
    if (!active || this.offset === null) return null;
    return Math.max(0, Math.round((nowMs - (start - this.offset)) / 1000));
  }
}
