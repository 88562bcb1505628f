// The output logs the UI shows: one reader per run asked about, the watched run's log followed while
// it is active (chunks pushed as `logAppended`), offsets as the contract's LogChunk has them.
import type { DiagnosisView, LogChunk } from '../../common/contract';
import { ACTIVE_STATUSES, TERMINAL_STATUSES } from '../api/types';
import { outcome, type Diagnosis } from '../simulation/diagnosis';
import type { LogReader } from '../simulation/log';
import type { Workspace } from '../workspace';

interface LogState {
  reader: LogReader;
  text: string;
  following: boolean;
}

export function diagnosisView(d: Diagnosis): DiagnosisView {
  return { severity: d.severity, code: d.id, line: d.line, text: d.text, cause: d.cause, fix: d.fix };
}

export class RunLogs {
  private readonly logs = new Map<number, LogState>();
  private watched: number | null = null;

  constructor(private readonly ws: Workspace, private readonly onChunk: (c: LogChunk) => void) {}

  private state(id: number): LogState {
    let st = this.logs.get(id);
    if (!st) {
      const state: LogState = { text: '', following: false, reader: null as unknown as LogReader };
      state.reader = this.ws.runs.logReader(id, (tail) => {
        const from = state.text.length;
        state.text += tail;
        // The reader diagnoses the tail right after handing it over: send the chunk once that is done.
        if (state.following) queueMicrotask(() => this.onChunk(this.chunk(id, state, from)));
      });
      st = state;
      this.logs.set(id, st);
    }
    return st;
  }

  private chunk(id: number, st: LogState, from: number): LogChunk {
    const sim = st.reader.simulation;
    const diagnoses = st.reader.diagnoses();
    return {
      id,
      fromOffset: from,
      text: st.text.slice(from),
      nextOffset: st.text.length,
      complete: sim !== null && TERMINAL_STATUSES.includes(sim.status),
      diagnosis: diagnoses.map(diagnosisView),
      completedWithErrors: sim !== null && outcome(sim.status, diagnoses) === 'completed with errors',
    };
  }

  /** The UI watches one run (null: none): its log is followed while it is active. */
  watch(id: number | null): void {
    if (this.watched !== null && this.watched !== id) {
      const st = this.logs.get(this.watched);
      if (st?.following) {
        st.reader.close();
        this.logs.delete(this.watched);
      }
    }
    this.watched = id;
    if (id === null) return;
    const st = this.state(id);
    if (st.following) return;
    const known = this.ws.runs.tracker.get(id);
    if (known && !ACTIVE_STATUSES.includes(known.status)) return;
    st.following = true;
    st.reader.follow().then(
      () => { st.following = false; },
      () => { st.following = false; },
    );
  }

  /** The log from an offset; a finished or followed log is answered from memory (0 calls). */
  async get(id: number, fromOffset: number): Promise<LogChunk> {
    const st = this.state(id);
    const sim = st.reader.simulation;
    const final = sim !== null && TERMINAL_STATUSES.includes(sim.status);
    if (!(final || (st.following && st.text.length > 0))) await st.reader.fetch('user');
    return this.chunk(id, st, Math.min(fromOffset, st.text.length));
  }

  close(): void {
    for (const st of this.logs.values()) st.reader.close();
    this.logs.clear();
  }
}
