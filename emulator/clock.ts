// The simulated clock: simulated seconds advance at `timeScale` per real second (0 = frozen),
// plus whatever tests add with advance(). Lifecycle, rate-limit windows, cache lifetime and
// signed-URL expiry all read this clock, so tests never sleep for real time.
export class SimClock {
  private realAnchor = Date.now();
  private simAnchor: number;
  /** Sum of every explicit advance (simulated seconds added by shift), in ms. */
  advancedMs = 0;

  constructor(
    start: Date,
    private readonly timeScale: number,
  ) {
    this.simAnchor = start.getTime();
  }

  get scale(): number {
    return this.timeScale;
  }

  nowMs(): number {
    return this.simAnchor + (Date.now() - this.realAnchor) * this.timeScale;
  }

  now(): Date {
    return new Date(Math.floor(this.nowMs() / 1000) * 1000);
  }

  /** Moves the clock forward by `seconds` simulated seconds. */
  shift(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error('clock.advance takes a finite number of seconds >= 0');
    const now = this.nowMs();
    this.realAnchor = Date.now();
    this.simAnchor = now + seconds * 1000;
    this.advancedMs += seconds * 1000;
  }

  /**
   * The clock signed URLs live on: wall-clock time plus every explicit advance, ignoring the time
   * scale. A fast-running demo (scale 600) keeps URLs valid for their real lifetime, while tests on a
   * frozen clock still expire them with advance().
   */
  urlNowMs(): number {
    return Date.now() + this.advancedMs;
  }

  /** Real seconds a client must wait for `simSeconds` simulated seconds to pass (frozen clock: the simulated value). */
  realSeconds(simSeconds: number): number {
    return this.timeScale > 0 ? simSeconds / this.timeScale : simSeconds;
  }
}
