// Turning what the app receives into whole log lines, once each:
// - appended text (the tail of view/{id} the log reader hands on) in any chunking;
// - a window that only keeps the last lines (view-short's `logs`, or a service that trims the
//   output): the overlap with the previous window is dropped; no overlap means lines were missed,
//   reported as a gap so parsers do not join the two sides;
// - MPI launchers' prefixes (`[1,0]<stdout>:` from --tag-output, `[3] ` from OpenFOAM's slaves).

export type LineEvent = { kind: 'line'; text: string } | { kind: 'gap' };

/** The newTail() marker in ../log.ts when the log did not continue the text read before. */
const RESTART_MARKER = /^\[\.\.\. log restarted \.\.\.\]$/;
const MPI_TAG = /^\[\d+,\d+\]<(?:stdout|stderr)>:\s?/;
const RANK_TAG = /^\[\d+\]\s/;
const MAX_LINE = 4000;
/**
 * Lines of a last-lines window looked at (the service sends a few tens). The overlap search is
 * quadratic in the window's length in the worst case: a hostile reply of many lines would block the
 * main process, so only its last lines count (earlier ones could only be old history anyway).
 */
const MAX_WINDOW_LINES = 1000;

/** Strips MPI output tags and carriage returns; very long lines are cut (they are never progress lines). */
function cleanLine(raw: string): string {
  let s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  // a progress bar rewritten with \r: keep what was written last
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1);
  s = s.replace(MPI_TAG, '').replace(RANK_TAG, '');
  return s.length > MAX_LINE ? s.slice(0, MAX_LINE) : s;
}

/** Appended text in any chunking → complete lines (the last partial line waits for its end). */
export class LineSplitter {
  private partial = '';

  feed(chunk: string): LineEvent[] {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_LINE * 4) this.partial = this.partial.slice(-MAX_LINE);
    const out: LineEvent[] = [];
    for (const p of parts) {
      const text = cleanLine(p);
      out.push(RESTART_MARKER.test(text.trim()) ? { kind: 'gap' } : { kind: 'line', text });
    }
    return out;
  }

  /** The text is complete (the run ended): the last unterminated line counts. */
  end(): LineEvent[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? [{ kind: 'line', text: cleanLine(rest) }] : [];
  }
}

/**
 * Successive windows of the last N lines → the lines not seen before. Finds the longest suffix of
 * the previous window that is a prefix of the new one; without any, the lines in between were
 * missed and a gap is reported before the new window.
 */
export class WindowReader {
  private prev: string[] = [];

  feed(windowText: string): LineEvent[] {
    const lines = windowText.replace(/\n+$/, '').split('\n').slice(-MAX_WINDOW_LINES).map(cleanLine);
    if (lines.length === 1 && lines[0] === '') return [];
    const prev = this.prev;
    this.prev = lines;
    if (prev.length === 0) return lines.map((text) => ({ kind: 'line', text }));
    const overlap = longestOverlap(prev, lines);
    if (overlap === lines.length && overlap <= prev.length) return []; // nothing new
    const fresh = lines.slice(overlap).map((text): LineEvent => ({ kind: 'line', text }));
    return overlap === 0 ? [{ kind: 'gap' }, ...fresh] : fresh;
  }
}

/** Largest k such that the last k lines of a equal the first k lines of b (non-blank anchor required). */
function longestOverlap(a: string[], b: string[]): number {
  const max = Math.min(a.length, b.length);
  for (let k = max; k > 0; k--) {
    let ok = true;
    for (let i = 0; i < k; i++) {
      if (a[a.length - k + i] !== b[i]) { ok = false; break; }
    }
    // a match made only of blank lines says nothing
    if (ok && b.slice(0, k).some((l) => l.trim() !== '')) return k;
  }
  return 0;
}

/** Characters kept from the end of the last copy of the log, to find where the next one continues it. */
const ANCHOR = 2000;

/**
 * Successive full copies of the log (view/{id} `output`) → the text not handed on before, keeping only
 * where the last copy ended and a short anchor before it (not a second copy of the whole log). A copy
 * that does not continue the last one (the service trimmed or restarted it) is handed on whole,
 * behind a gap marker.
 */
export class OutputTail {
  private length = 0;
  private anchor = '';

  next(output: string): string {
    const { length, anchor } = this;
    this.length = output.length;
    this.anchor = output.slice(-ANCHOR);
    if (length === 0) return output;
    if (output.length >= length && output.slice(length - anchor.length, length) === anchor) return output.slice(length);
    const at = anchor.length >= 40 ? output.lastIndexOf(anchor) : -1;
    if (at >= 0) return output.slice(at + anchor.length);
    return output === '' ? '' : `\n[... log restarted ...]\n${output}`;
  }
}
