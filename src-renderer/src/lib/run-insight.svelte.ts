// Following one simulation's run insight in the UI: while it is open, the core watches the run
// (faster polling, its log followed, all within the API budget), the current view is asked for once
// (getRunInsight, no API call) and then kept up to date by the core's `runInsight` events. Any
// layout can use it: `const f = new RunInsightFollow(app, id); onMount(() => f.start());`.
import type { RunInsightView } from '../../../src-main/common/insight';
import { errorMessage, type AppModel } from './app.svelte';

export class RunInsightFollow {
  view = $state<RunInsightView | null>(null);
  error = $state<string | null>(null);
  /** Date.now() when the view last changed (to count the elapsed time on between updates). */
  receivedAt = $state(0);

  constructor(private readonly app: AppModel, readonly id: number) {}

  private set(v: RunInsightView): void {
    this.view = v;
    this.receivedAt = Date.now();
    this.error = null;
  }

  /** Asks for the view now (after a status change, or to retry). */
  async refresh(): Promise<void> {
    try {
      this.set(await this.app.call('getRunInsight', { id: this.id }));
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** Starts following; returns the function that stops (for onMount). */
  start(): () => void {
    void this.app.act('watchSimulation', { id: this.id });
    const offInsight = this.app.transport.on('runInsight', (v) => { if (v.id === this.id) this.set(v); });
    // a status change of this run (started, ended) may change the view without a log read
    const offSim = this.app.transport.on('simulationChanged', ({ simulation, previousStatus }) => {
      if (simulation.id === this.id && previousStatus !== simulation.status) void this.refresh();
    });
    void this.refresh();
    return () => {
      offInsight();
      offSim();
      void this.app.act('watchSimulation', { id: null });
    };
  }
}
