// Reads a simulation's output log and names what went wrong, with cause and fix. Pure and
// incremental: feed() the text as it arrives (any chunking), end() when the log is complete.
// Sources: the service's '@@@' lines (reference: "Rules of the service") and the messages
// OpenFOAM, FDS, code_Aster, CalculiX and MPI print when they fail.

import { SimStatus } from '../api/types';

export type DiagnosisSeverity = 'error' | 'warning' | 'info';

export interface Diagnosis {
  id: string;
  severity: DiagnosisSeverity;
  /** 1-based line of the first occurrence in the log. */
  line: number;
  /** The log line itself (trimmed, at most 300 characters). */
  text: string;
  cause: string;
  fix: string;
  /** Occurrences of this finding so far. */
  count: number;
}

interface Rule {
  id: string;
  severity: DiagnosisSeverity;
  re: RegExp;
  cause: (m: RegExpExecArray) => string;
  fix: string;
  /** One finding per distinct line text instead of one per id. */
  perText?: boolean;
}

const RAM_FIX = 'Choose a RAM class with more memory per vCPU (highmem: 8 GB per vCPU) or more vCPU, or coarsen the mesh.';
const DISK_FIX = 'Write results less often (fewer output times, fields or slices), remove old time steps, or split the run; ask cloudHPC support for a larger disk.';

/** Specific rules first: a line is matched by the first rule that fits. */
const RULES: Rule[] = [
  { id: 'disk-soft-stop', severity: 'error', re: /@@@.*AUTOMATIC SOFT STOP/i, cause: () => 'The disk filled above 90%: the service stopped the run itself (automatic soft stop); results up to that point were saved.', fix: DISK_FIX },
  { id: 'disk-full', severity: 'error', re: /@@@\s*HARD DISK used\s*>\s*9\d(\.\d+)?%|No space left on device/i, cause: () => 'The disk of the machine is (almost) full: the solver cannot write its results.', fix: DISK_FIX },
  { id: 'disk-high', severity: 'warning', re: /@@@\s*HARD DISK used\s*>\s*([\d.]+)%/i, cause: (m) => `The disk was more than ${m[1]}% full during the run; at 90% the service stops the run.`, fix: DISK_FIX },
  { id: 'ram-high', severity: 'warning', re: /@@@\s*RAM used\s*>\s*([\d.]+)%/i, cause: (m) => `The run used more than ${m[1]}% of the machine's RAM: close to running out of memory.`, fix: RAM_FIX },
  { id: 'out-of-memory', severity: 'error', re: /out of memory|Cannot allocate memory|insufficient virtual memory|std::bad_alloc|oom-kill|Killed process \d+|KILLED BY SIGNAL: 9|exited on signal 9|MEMOIRE INSUFFISANTE|JEVEUX_62|not enough memory/i, cause: () => 'The solver ran out of RAM and was killed.', fix: RAM_FIX },
  { id: 'folder-not-detected', severity: 'error', re: /FOLDER\b.*\bnot detected/i, cause: () => 'The service did not find the case folder: its name (or a name inside it) contains a character it refuses (, ( ) \' $ ~ " # * ? or a space), or the folder is not in the storage.', fix: 'Rename the folder and files with letters, digits, - _ and . only, push again, then launch.' },
  { id: 'archive-layout', severity: 'error', re: /archive.*(layout|structure|must contain|should contain)|cannot extract|not in gzip format|Unexpected EOF in archive|Error is not recoverable: exiting now|End-of-central-directory signature not found|cannot open .*\.(zip|7z|rar|tar\.gz)/i, cause: () => 'An input archive could not be extracted, or it is not laid out as the service expects (inside a folder it must hold the case files directly; at the storage root it must hold one folder of its own name).', fix: 'Push the case again with this app (it packs the archive correctly), or rebuild the archive with the case files at its root.' },
  { id: 'fds-missing-input', severity: 'error', re: /(\.fds\b.*(does not exist|not found|cannot be found|no such file))|(no (such )?\.fds (input )?file)|(ERROR.*input file.*\.fds)/i, cause: () => 'No FDS input file was found in the case folder on the storage.', fix: 'Put the .fds file at the top of the case folder, push, and launch again.' },
  { id: 'fds-mpi-order', severity: 'error', re: /MPI_PROCESS.*(ascend|order|monoton|contiguous|consecutive|sequen)|ERROR\(117\)/i, cause: () => 'FDS refused the MPI_PROCESS values of the &MESH lines: they must start at 0 and rise by at most one, in the order of the meshes.', fix: 'Renumber MPI_PROCESS on the &MESH lines (0, 0, 1, 2 ...), or remove it from every mesh.' },
  { id: 'fds-low-vcpu', severity: 'error', re: /MPI_PROCESS greater than (the )?total number of processes|more meshes than (MPI )?processes|&MESH entries exceed|number of meshes.*(exceeds|greater than).*(vCPU|processes|cpu)/i, cause: () => 'The FDS input needs more MPI processes (meshes, or MPI_PROCESS groups) than the vCPU chosen.', fix: 'Launch with at least as many vCPU as MPI processes, or group meshes with MPI_PROCESS.' },
  { id: 'fds-instability', severity: 'error', re: /Numerical Instability/i, cause: () => 'FDS stopped on a numerical instability.', fix: 'Check the mesh resolution near fires and openings, the time step limits and the boundary conditions.' },
  { id: 'openfoam-no-controldict', severity: 'error', re: /cannot (find|open) file.*system\/controlDict|controlDict.*(not found|does not exist)/i, cause: () => 'OpenFOAM did not find system/controlDict: the case folder is not an OpenFOAM case at its top level.', fix: 'Make the case folder the OpenFOAM case itself (system/, constant/, 0/ at its top), push and launch again.' },
  { id: 'openfoam-decomposepar', severity: 'error', re: /cannot (find|open) file.*decomposeParDict|Unknown decompositionMethod|Unknown decomposition method|Wrong number of (processor divisions|domains)|number of processor directories = \d+ is not equal to the number of processors = \d+|Case is already decomposed with \d+ domains|decomposeParDict.*(error|invalid|not found)/i, cause: () => 'The parallel decomposition failed: system/decomposeParDict does not fit the run (method, numberOfSubdomains, or old processor* folders).', fix: 'Use "method scotch;" with numberOfSubdomains equal to the vCPU, and remove (or .cloudhpcignore) old processor* folders.' },
  { id: 'snappyhexmesh-failed', severity: 'error', re: /snappyHexMesh.*(fail|FATAL|error|abort)|From .*snappy|Failed \d+ mesh checks|locationInMesh.*(outside|not inside|undefined)/i, cause: () => 'snappyHexMesh failed: the mesh was not built (or failed its quality checks).', fix: 'Check system/snappyHexMeshDict (locationInMesh inside the fluid, geometry files under constant/triSurface) and run blockMesh first.' },
  { id: 'aster-no-export', severity: 'error', re: /(\.export\b.*(not found|missing|no such file|does not exist))|(no \.?export (or \.comm )?file)|(export file.*(not found|missing))/i, cause: () => 'code_aster found no .export file, so it does not know the command file and the mesh.', fix: 'Put the .export (and the .comm and mesh it names) at the top of the case folder, push and launch again.' },
  { id: 'aster-fatal', severity: 'error', re: /<(F|S)>\s*(<[A-Z0-9_]+>)?|<EXCEPTION>|ABNORMAL_ABORT/, cause: (m) => `code_aster stopped with a ${m[1] === 'S' ? 'fatal exception' : 'fatal error'} ${m[2] ?? ''}`.trim() + '.', fix: 'Read the message around this line in the log (the .mess file); fix the .comm or the mesh.' },
  { id: 'calculix-error', severity: 'error', re: /^\s*\*ERROR\b/, cause: () => 'CalculiX stopped with an input error.', fix: 'Fix the .inp at the card named in this line.' },
  { id: 'foam-fatal', severity: 'error', re: /FOAM FATAL (IO )?ERROR/, cause: () => 'OpenFOAM stopped with a fatal error.', fix: 'Read the lines after "FOAM FATAL ERROR" in the log; they name the file and entry at fault.' },
  { id: 'floating-point-exception', severity: 'error', re: /sigFpe::sigHandler|Floating point exception|SIGFPE\b(?!\))/, cause: () => 'The solver crashed on a floating point exception: the solution diverged (or a division by zero in the setup).', fix: 'Lower the time step (or the Courant number), check the boundary conditions and the mesh quality (checkMesh), start from a converged or smoother initial field.' },
  { id: 'segfault', severity: 'error', re: /Segmentation fault|sigSegv::sigHandler|SIGSEGV/, cause: () => 'The solver crashed (segmentation fault), often a diverging solution or a bad input.', fix: 'Check the solution residuals before the crash, the time step and the mesh quality.' },
  { id: 'mpi-abort', severity: 'error', re: /MPI_ABORT was invoked|BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES|mpirun noticed that process rank/i, cause: () => 'An MPI process stopped the run.', fix: 'Look above this line for the solver\'s own error message.' },
  { id: 'solver-error', severity: 'error', re: /^ERROR(\(\d+\))?:\s*(.+)/, cause: (m) => `The solver stopped with an error: ${m[2]!.trim()}`, fix: 'Fix the input at the place the message names, push and launch again.', perText: true },
  { id: 'service-error', severity: 'error', re: /@@@\s*ERROR:?\s*(.*)/i, cause: (m) => `The service reported an error: ${m[1]!.trim() || '(no text)'}.`, fix: 'Read the message; correct the case or the launch options, push and launch again.', perText: true },
  { id: 'service-warning', severity: 'warning', re: /@@@\s*WARNING:?\s*(.*)/i, cause: (m) => `The service warned: ${m[1]!.trim()}.`, fix: 'Read the message; it may explain a slow or incomplete run.', perText: true },
  { id: 'service-note', severity: 'info', re: /^\s*@@@\s*(.+)/, cause: (m) => `Service message: ${m[1]!.trim()}`, fix: 'None needed.', perText: true },
];

const RULE_BY_ID = new Map(RULES.map((r) => [r.id, r]));
/** Specific OpenFOAM causes looked for in the line after "FOAM FATAL ERROR". */
const FOAM_DETAIL_RULES = ['openfoam-no-controldict', 'openfoam-decomposepar', 'snappyhexmesh-failed', 'out-of-memory'];
const MAX_PER_TEXT = 10;

export class LogDiagnoser {
  private found = new Map<string, Diagnosis>();
  private order: Diagnosis[] = [];
  private partial = '';
  private lineNo = 0;
  private pendingFatal: { line: number; text: string } | null = null;
  private perTextCount = 0;

  /** Feeds more log text; returns the findings that are new (not a repeat of one already made). */
  feed(chunk: string): Diagnosis[] {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    const fresh: Diagnosis[] = [];
    for (const l of parts) this.scanLine(l.replace(/\r$/, ''), fresh);
    return fresh;
  }

  /** The log is complete: scans the last unterminated line and closes a pending fatal block. */
  end(): Diagnosis[] {
    const fresh: Diagnosis[] = [];
    if (this.partial) { this.scanLine(this.partial, fresh); this.partial = ''; }
    this.flushFatal(null, fresh);
    return fresh;
  }

  all(): Diagnosis[] { return [...this.order]; }

  hasFailure(): boolean { return this.order.some((d) => d.severity === 'error'); }

  private scanLine(line: string, fresh: Diagnosis[]): void {
    this.lineNo++;
    const trimmed = line.trim();
    if (this.pendingFatal && trimmed) {
      // The line after the FOAM FATAL ERROR header names the cause.
      if (/FOAM FATAL/.test(trimmed)) this.flushFatal(null, fresh);
      else {
        const specific = FOAM_DETAIL_RULES.map((id) => RULE_BY_ID.get(id)!).find((r) => r.re.test(trimmed));
        if (specific) { this.record(specific, specific.re.exec(trimmed)!, this.pendingFatal.line, trimmed, fresh); this.pendingFatal = null; return; }
        this.flushFatal(trimmed, fresh);
        return;
      }
    }
    if (!trimmed) return;
    for (const rule of RULES) {
      const m = rule.re.exec(trimmed);
      if (!m) continue;
      if (rule.id === 'foam-fatal') { this.pendingFatal = { line: this.lineNo, text: trimmed }; return; }
      this.record(rule, m, this.lineNo, trimmed, fresh);
      return;
    }
  }

  private flushFatal(detail: string | null, fresh: Diagnosis[]): void {
    if (!this.pendingFatal) return;
    const rule = RULE_BY_ID.get('foam-fatal')!;
    const d = this.record(rule, rule.re.exec(this.pendingFatal.text)!, this.pendingFatal.line, this.pendingFatal.text, fresh);
    if (d && detail && d.count === 1) d.cause = `OpenFOAM stopped with a fatal error: ${detail.slice(0, 200)}`;
    this.pendingFatal = null;
  }

  private record(rule: Rule, m: RegExpExecArray, line: number, text: string, fresh: Diagnosis[]): Diagnosis | null {
    const key = rule.perText ? `${rule.id}\u0000${text}` : rule.id;
    const existing = this.found.get(key);
    if (existing) { existing.count++; return existing; }
    if (rule.perText) { if (this.perTextCount >= MAX_PER_TEXT * 3) return null; this.perTextCount++; }
    const d: Diagnosis = { id: rule.id, severity: rule.severity, line, text: text.slice(0, 300), cause: rule.cause(m), fix: rule.fix, count: 1 };
    this.found.set(key, d);
    this.order.push(d);
    fresh.push(d);
    return d;
  }
}

/** Diagnoses a complete log in one go. */
export function diagnose(log: string): Diagnosis[] {
  const d = new LogDiagnoser();
  d.feed(log);
  d.end();
  return d.all();
}

export type Outcome = 'pending' | 'running' | 'stopping' | 'completed' | 'completed with errors' | 'stopped' | 'error' | 'unknown';

/** What to tell the user about a run: COMPLETED with a failure in its log is "completed with errors". */
export function outcome(status: number, diagnoses: readonly Diagnosis[]): Outcome {
  switch (status) {
    case SimStatus.PENDING: return 'pending';
    case SimStatus.RUNNING: return 'running';
    case SimStatus.STOPPING: return 'stopping';
    case SimStatus.STOPPED: return 'stopped';
    case SimStatus.ERROR: return 'error';
    case SimStatus.COMPLETED: return diagnoses.some((d) => d.severity === 'error') ? 'completed with errors' : 'completed';
    default: return 'unknown';
  }
}

/** The most telling failure, to name as "the cause" of an ERROR or a failed run. */
export function mainCause(diagnoses: readonly Diagnosis[]): Diagnosis | null {
  const errors = diagnoses.filter((d) => d.severity === 'error');
  const generic = new Set(['mpi-abort', 'segfault', 'foam-fatal', 'service-error']);
  return errors.find((d) => !generic.has(d.id)) ?? errors[0] ?? diagnoses.find((d) => d.severity === 'warning') ?? null;
}

export function formatDiagnoses(diagnoses: readonly Diagnosis[]): string {
  if (diagnoses.length === 0) return 'Log: no known problem found.';
  return diagnoses
    .map((d) => `  ${d.severity.toUpperCase().padEnd(7)} line ${d.line}${d.count > 1 ? ` (x${d.count})` : ''}: ${d.cause}\n          fix: ${d.fix}`)
    .join('\n');
}
