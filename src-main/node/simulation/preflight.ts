// Pre-flight checks on a local case before a launch. Pure: works on a CaseSnapshot (the paths
// that would be pushed and a reader for small text inputs); case-scan.ts builds one from disk.
// Errors block the launch, warnings ask the user, info is shown only.

import type { FixAction } from '../../common/contract';
import { fdsMeshes } from './fds-namelist';
import { FAMILY_LABEL, solverFamily, type SolverFamily } from './solver-family';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  fix: string;
  path?: string;
  /** The one-click fix, when there is one. */
  action?: FixAction;
}

export interface CaseSnapshot {
  /** Relative POSIX paths of the files that would be pushed (ignored and hidden ones left out). */
  files: string[];
  /** Relative POSIX paths of the folders, at every level. */
  dirs: string[];
  /** Text of a small input file, or null when missing or too large. */
  read(path: string): string | null;
  /** Files the app pulled (results, conflict copies), unchanged since: never pushed, so not checked. */
  pulled?: string[];
}

export interface PreflightOptions {
  script: string;
  cpu: number;
  /** A mesh folder is copied in by the service (OpenFOAM polyMesh/triSurface). */
  mesh?: string;
  /** The vCPU counts the service offers (a fix then names one of them); unknown when absent. */
  offeredCpus?: readonly number[];
}

export interface PreflightReport {
  family: SolverFamily;
  findings: Finding[];
  errors: number;
  warnings: number;
  /** Launch refused. */
  blocking: boolean;
  /** Launch needs the user's yes. */
  needsConfirmation: boolean;
}

/** Characters the service refuses in folder and file names ("FOLDER ... not detected"). */
export const FORBIDDEN_NAME_CHARS = [',', '(', ')', "'", '$', '~', '"', '#', '*', '?', ' '];

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const topLevel = (p: string): boolean => !p.includes('/');
const ext = (p: string): string => { const b = base(p).toLowerCase(); const i = b.lastIndexOf('.'); return i < 0 ? '' : b.slice(i); };

export function preflight(snap: CaseSnapshot, opts: PreflightOptions): PreflightReport {
  const { family, meshing } = solverFamily(opts.script);
  const findings: Finding[] = [];
  checkNames(snap, findings);
  if (snap.files.length === 0) {
    findings.push({ id: 'empty-case', severity: 'error', message: 'The case folder has nothing to push: it is empty (or every file is ignored).', fix: 'Put the case files in the folder, or check .cloudhpcignore.' });
  } else {
    switch (family) {
      case 'fds': checkFds(snap, opts, findings); break;
      case 'openfoam': checkOpenFoam(snap, opts, meshing, findings); break;
      case 'code_aster': checkAster(snap, findings); break;
      case 'calculix': requireExt(snap, findings, ['.inp'], 'calculix-no-inp', 'No CalculiX input (.inp) in the case folder.', 'Add the .inp file at the top of the case folder.'); break;
      case 'code_saturne': checkSaturne(snap, findings); break;
      case 'openradioss': checkRadioss(snap, findings); break;
      case 'custom-script': requireExt(snap, findings, ['.sh', '.py'], 'custom-no-script', 'No script (.sh or .py) at the top of the case folder for custom-script to run.', 'Add the .sh or .py script at the top of the case folder.'); break;
      case 'unknown':
        findings.push({ id: 'unknown-solver', severity: 'info', message: `The script "${opts.script}" is not a solver this app knows; its inputs are not checked.`, fix: 'Check the inputs yourself before launching.' });
    }
  }
  checkLeftovers(snap, family, findings);
  const pulled = snap.pulled ?? [];
  if (pulled.length > 0) {
    findings.push({ id: 'pulled-left-out', severity: 'info', path: pulled[0], message: `${pulled.length} file${pulled.length === 1 ? '' : 's'} this app pulled (results, conflict copies) ${pulled.length === 1 ? 'stays' : 'stay'} in the folder but ${pulled.length === 1 ? 'is' : 'are'} not pushed nor checked: ${pulled.slice(0, 3).join(', ')}${pulled.length > 3 ? ` and ${pulled.length - 3} more` : ''}.`, fix: 'Nothing to do. Edit one and it becomes an input that is pushed.' });
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return { family, findings, errors, warnings, blocking: errors > 0, needsConfirmation: errors === 0 && warnings > 0 };
}

/** A name cloudHPC accepts for `name`: spaces become '_', the other refused characters go ('a (1).txt' → 'a_1.txt'). */
export function acceptedName(name: string): string {
  let out = name.replace(/\s+/g, '_');
  for (const c of FORBIDDEN_NAME_CHARS) out = out.split(c).join('');
  out = out.replace(/_+/g, '_').replace(/_(?=\.)/g, '').replace(/^_+|_+$/g, '');
  return out === '' || out === '.' || out === '..' ? 'renamed' : out;
}

function checkNames(snap: CaseSnapshot, findings: Finding[]): void {
  const bad: string[] = [];
  for (const p of [...snap.dirs, ...snap.files]) {
    const b = base(p);
    if (FORBIDDEN_NAME_CHARS.some((c) => b.includes(c))) bad.push(p);
  }
  // A folder's rename covers what is inside it: list the outermost names first.
  bad.sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const taken = new Set([...snap.dirs, ...snap.files]);
  const shown = bad.slice(0, 10);
  for (const p of shown) {
    const chars = [...new Set([...base(p)].filter((c) => FORBIDDEN_NAME_CHARS.includes(c)))].map((c) => (c === ' ' ? 'space' : c));
    const dir = p.slice(0, p.length - base(p).length);
    let to = `${dir}${acceptedName(base(p))}`;
    for (let i = 2; taken.has(to); i++) to = `${dir}${acceptedName(base(p)).replace(/(\.[^.]*)?$/, (e) => `-${i}${e}`)}`;
    taken.add(to);
    findings.push({
      id: 'forbidden-name', severity: 'error', path: p,
      message: `"${p}" contains ${chars.join(' ')}: cloudHPC refuses such names and the run fails with "FOLDER ... not detected".`,
      fix: `Rename it to ${base(to)} (letters, digits, - _ and . only).`,
      action: { kind: 'rename', path: p, to },
    });
  }
  if (bad.length > shown.length) {
    findings.push({ id: 'forbidden-name', severity: 'error', message: `${bad.length - shown.length} more names contain characters cloudHPC refuses (, ( ) ' $ ~ " # * ? or spaces).`, fix: 'Rename them using letters, digits, - _ and . only.' });
  }
}

function requireExt(snap: CaseSnapshot, findings: Finding[], exts: string[], id: string, message: string, fix: string): string[] {
  const found = snap.files.filter((f) => topLevel(f) && exts.includes(ext(f)));
  if (found.length === 0) findings.push({ id, severity: 'error', message, fix });
  return found;
}

// ---------------------------------------------------------------- FDS

function checkFds(snap: CaseSnapshot, opts: PreflightOptions, findings: Finding[]): void {
  const inputs = requireExt(snap, findings, ['.fds'], 'fds-no-input', 'No FDS input (.fds) at the top of the case folder.', 'Put the .fds file at the top of the case folder (not in a sub-folder).');
  if (inputs.length > 1) {
    findings.push({ id: 'fds-several-inputs', severity: 'warning', message: `${inputs.length} .fds files at the top of the case folder (${inputs.join(', ')}): cloudHPC runs one per simulation.`, fix: 'Keep one .fds input per case folder; move the others to their own folders.' });
  }
  for (const f of inputs) {
    const text = snap.read(f);
    if (text === null) continue;
    const meshes = fdsMeshes(text);
    if (meshes.length === 0) {
      findings.push({ id: 'fds-no-mesh', severity: 'error', path: f, message: `${f} has no &MESH line.`, fix: 'Add at least one &MESH line.' });
      continue;
    }
    for (const m of meshes.filter((x) => x.unknownMult)) {
      findings.push({ id: 'fds-unknown-mult', severity: 'error', path: f, message: `${f} line ${m.line}: MULT_ID='${m.multId}' names no &MULT line.`, fix: `Add &MULT ID='${m.multId}' ... / or correct the MULT_ID.` });
    }
    const meshCount = meshes.reduce((s, m) => s + m.copies, 0);
    const withMpi = meshes.filter((m) => m.mpiProcess !== null);
    let processes = meshCount;
    if (withMpi.length > 0 && withMpi.length < meshes.length) {
      const first = meshes.find((m) => m.mpiProcess === null)!;
      findings.push({ id: 'fds-mpi-partial', severity: 'error', path: f, message: `${f}: MPI_PROCESS is set on ${withMpi.length} of ${meshes.length} &MESH lines (line ${first.line} has none); FDS needs it on all meshes or on none.`, fix: 'Set MPI_PROCESS on every &MESH line, or remove it from all of them.' });
    } else if (withMpi.length === meshes.length) {
      const values = meshes.map((m) => m.mpiProcess!);
      let bad: { line: number; why: string } | null = null;
      if (values[0] !== 0) bad = { line: meshes[0]!.line, why: `the first is ${values[0]}, not 0` };
      for (let i = 1; !bad && i < values.length; i++) {
        const prev = values[i - 1]!;
        const v = values[i]!;
        if (v < prev) bad = { line: meshes[i]!.line, why: `${v} comes after ${prev} (not ascending)` };
        else if (v > prev + 1) bad = { line: meshes[i]!.line, why: `${v} follows ${prev} (process ${prev + 1} is missing)` };
      }
      if (bad) {
        findings.push({ id: 'fds-mpi-order', severity: 'error', path: f, message: `${f} line ${bad.line}: MPI_PROCESS values must go 0, 1, 2 ... in the order of the &MESH lines, without gaps: ${bad.why}.`, fix: 'Renumber MPI_PROCESS so it starts at 0 and rises by at most 1 from one &MESH line to the next.' });
      }
      processes = Math.max(...values) + 1;
    }
    const fits = fittingCpu(processes, opts.offeredCpus);
    if (processes > opts.cpu) {
      const what = withMpi.length === meshes.length && withMpi.length > 0 ? `${processes} MPI processes (MPI_PROCESS 0..${processes - 1})` : `${meshCount} meshes (one MPI process each)`;
      findings.push({
        id: 'fds-too-many-processes', severity: 'error', path: f, message: `${f} needs ${what} but only ${opts.cpu} vCPU were chosen; the run fails at start.`,
        fix: fits !== null ? `Choose ${fits} vCPU${fits > processes ? ` (the smallest size offered for ${processes})` : ''}, or group meshes with MPI_PROCESS so that there are at most ${opts.cpu} processes.` : `Group meshes with MPI_PROCESS so that there are at most ${opts.cpu} processes${opts.offeredCpus ? ' (no larger size is offered)' : `, or choose at least ${processes} vCPU`}.`,
        ...(fits !== null ? { action: { kind: 'set-cpu' as const, cpu: fits } } : {}),
      });
    } else if (processes < opts.cpu) {
      const better = fits !== null && fits < opts.cpu;
      findings.push({
        id: 'fds-idle-cpu', severity: 'info', path: f, message: `${f} runs ${processes} MPI process${processes === 1 ? '' : 'es'} on ${opts.cpu} vCPU: ${opts.cpu - processes} stay idle but are billed.`,
        fix: better ? `Choose ${fits} vCPU, or split the domain into more meshes.` : opts.offeredCpus ? `${opts.cpu} is the smallest size offered that fits; split the domain into ${opts.cpu} meshes to use them all.` : `Choose ${processes} vCPU (or the next size offered), or split the domain into more meshes.`,
        ...(better ? { action: { kind: 'set-cpu' as const, cpu: fits } } : {}),
      });
    }
  }
}

// ---------------------------------------------------------------- OpenFOAM

/** Strips C/C++ comments from an OpenFOAM dictionary. */
export function stripFoamComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

function checkOpenFoam(snap: CaseSnapshot, opts: PreflightOptions, meshing: boolean, findings: Finding[]): void {
  const dirs = new Set(snap.dirs);
  const files = new Set(snap.files);
  if (!files.has('system/controlDict')) {
    findings.push({ id: 'openfoam-no-controldict', severity: 'error', path: 'system/controlDict', message: 'system/controlDict is missing: OpenFOAM stops with "cannot find file system/controlDict".', fix: 'Make the case folder the OpenFOAM case itself (with system/, constant/ and 0/ at its top).' });
  }
  if (!dirs.has('constant')) {
    findings.push({ id: 'openfoam-no-constant', severity: 'error', path: 'constant', message: 'The constant/ folder is missing.', fix: 'Add constant/ (physical properties, and polyMesh or triSurface) at the top of the case folder.' });
  }
  if (!dirs.has('0') && !dirs.has('0.orig')) {
    if (meshing) findings.push({ id: 'openfoam-no-zero', severity: 'info', message: 'No 0/ or 0.orig/ folder: fine for a meshing-only run, needed to solve.', fix: 'Add 0/ (or 0.orig/) with the initial fields before running a solver on this mesh.' });
    else findings.push({ id: 'openfoam-no-zero', severity: 'error', path: '0', message: 'No 0/ or 0.orig/ folder with the initial and boundary conditions.', fix: 'Add 0/ (or 0.orig/) at the top of the case folder.' });
  }
  if (meshing && !files.has('system/snappyHexMeshDict')) {
    findings.push({ id: 'openfoam-no-snappydict', severity: 'error', path: 'system/snappyHexMeshDict', message: 'system/snappyHexMeshDict is missing for a snappyHexMesh run.', fix: 'Add system/snappyHexMeshDict (and the geometry under constant/triSurface).' });
  }
  const dictText = files.has('system/decomposeParDict') ? snap.read('system/decomposeParDict') : null;
  if (dictText === null) {
    if (opts.cpu > 1 && !files.has('system/decomposeParDict')) {
      findings.push({ id: 'openfoam-no-decomposepardict', severity: 'info', path: 'system/decomposeParDict', message: `No system/decomposeParDict: cloudHPC writes one for ${opts.cpu} subdomains.`, fix: 'Nothing to do, unless you want your own decomposition (method scotch or hierarchical).' });
    }
    return;
  }
  const d = stripFoamComments(dictText);
  const method = /(?:^|[\s;{}])method\s+([A-Za-z]+)\s*;/.exec(d)?.[1];
  const nsub = /numberOfSubdomains\s+(\d+)\s*;/.exec(d)?.[1];
  if (method && method !== 'scotch' && method !== 'hierarchical') {
    findings.push({ id: 'openfoam-decompose-method', severity: 'warning', path: 'system/decomposeParDict', message: `decomposeParDict uses method ${method}; cloudHPC expects scotch or hierarchical (${method} may need coefficients or a library the service lacks).`, fix: 'Set "method scotch;" in system/decomposeParDict.' });
  }
  if (!method) {
    findings.push({ id: 'openfoam-decompose-method', severity: 'warning', path: 'system/decomposeParDict', message: 'decomposeParDict has no method entry.', fix: 'Add "method scotch;" to system/decomposeParDict.' });
  }
  if (nsub) {
    const n = Number(nsub);
    const fits = fittingCpu(n, opts.offeredCpus);
    if (n > opts.cpu) {
      findings.push({
        id: 'openfoam-subdomains', severity: 'warning', path: 'system/decomposeParDict', message: `numberOfSubdomains is ${n} but only ${opts.cpu} vCPU were chosen: the run is oversubscribed (or the service rewrites it).`,
        fix: fits !== null ? `Choose ${fits} vCPU, or set numberOfSubdomains ${opts.cpu}.` : `Set numberOfSubdomains ${opts.cpu}${opts.offeredCpus ? '' : `; or choose ${n} vCPU`}.`,
        ...(fits !== null ? { action: { kind: 'set-cpu' as const, cpu: fits } } : {}),
      });
    } else if (n < opts.cpu) {
      const better = fits !== null && fits < opts.cpu;
      findings.push({
        id: 'openfoam-subdomains', severity: 'info', path: 'system/decomposeParDict', message: `numberOfSubdomains is ${n} on ${opts.cpu} vCPU: unless the service rewrites it, ${opts.cpu - n} vCPU stay idle.`,
        fix: better ? `Choose ${fits} vCPU, or set numberOfSubdomains ${opts.cpu}.` : `Set numberOfSubdomains ${opts.cpu}.`,
        ...(better ? { action: { kind: 'set-cpu' as const, cpu: fits } } : {}),
      });
    }
    if (method === 'hierarchical') {
      const nm = /hierarchicalCoeffs\s*\{[\s\S]*?\bn\s*\(\s*(\d+)\s+(\d+)\s+(\d+)\s*\)/.exec(d);
      if (nm && Number(nm[1]) * Number(nm[2]) * Number(nm[3]) !== n) {
        findings.push({ id: 'openfoam-hierarchical-n', severity: 'error', path: 'system/decomposeParDict', message: `hierarchicalCoeffs n (${nm[1]} ${nm[2]} ${nm[3]}) makes ${Number(nm[1]) * Number(nm[2]) * Number(nm[3])} subdomains, not numberOfSubdomains ${n}: decomposePar fails.`, fix: 'Make the product of n equal numberOfSubdomains, or use method scotch.' });
      }
    }
  }
}

// ---------------------------------------------------------------- others

function checkAster(snap: CaseSnapshot, findings: Finding[]): void {
  const exports = snap.files.filter((f) => topLevel(f) && ext(f) === '.export');
  const comms = snap.files.filter((f) => topLevel(f) && ext(f) === '.comm');
  if (exports.length === 0 && comms.length === 0) {
    findings.push({ id: 'aster-no-input', severity: 'error', message: 'No code_aster input (.export or .comm) at the top of the case folder.', fix: 'Add the .export file and the .comm command file (and the mesh, .med) at the top of the case folder.' });
  } else if (exports.length === 0) {
    findings.push({ id: 'aster-no-export', severity: 'warning', message: `No .export file beside ${comms[0]}: code_aster needs one to know the command file, the mesh and the results.`, fix: 'Export the study from your pre-processor (or write a .export) and put it at the top of the case folder.' });
  }
}

function checkSaturne(snap: CaseSnapshot, findings: Finding[]): void {
  const dirs = new Set(snap.dirs);
  const hasSetup = snap.files.some((f) => base(f) === 'setup.xml');
  const hasLayout = [...dirs].some((d) => base(d) === 'DATA') && [...dirs].some((d) => base(d) === 'SRC');
  if (!hasSetup && !hasLayout) {
    findings.push({ id: 'saturne-no-input', severity: 'error', message: 'No code_saturne case: neither the DATA/ and SRC/ folders nor a setup.xml.', fix: 'Push the code_saturne case folder itself (with DATA/, SRC/ and DATA/setup.xml).' });
  }
}

function checkRadioss(snap: CaseSnapshot, findings: Finding[]): void {
  const starters = snap.files.filter((f) => topLevel(f) && /_0000\.rad$/i.test(f));
  if (starters.length === 0) {
    findings.push({ id: 'radioss-no-starter', severity: 'error', message: 'No OpenRadioss starter file (*_0000.rad) at the top of the case folder.', fix: 'Add the starter NAME_0000.rad and the engine NAME_0001.rad.' });
    return;
  }
  for (const s of starters) {
    const engine = s.replace(/_0000\.rad$/i, '_0001.rad');
    if (!snap.files.some((f) => f.toLowerCase() === engine.toLowerCase())) {
      findings.push({ id: 'radioss-no-engine', severity: 'warning', path: s, message: `No engine file ${engine} beside the starter ${s}.`, fix: `Add ${engine}.` });
    }
  }
}

// ---------------------------------------------------------------- leftovers

const RESULT_ARCHIVE = /^(FDS|OPENFOAM-[A-Za-z]+|SATURNE-solution|CODE-ASTER|CALCULIX|OPENRADIOSS|CloudHPC-massive-files[^/]*)\.tar\.gz$/;
const SERVICE_FILES = new Set(['cloudhpc.log', 'cloudhpc.err', 'cpu.csv', 'ram.csv', 'totcpu.csv']);
const FDS_OUTPUT = /(\.out|\.smv|\.sf|\.bf|\.s3d|\.s3d\.sz|\.prt5|\.q|\.xyz|\.end|\.binfo|\.sinfo|\.iso|\.restart|_devc\.csv|_hrr\.csv|_ctrl\.csv|_mass\.csv|_steps\.csv|_cpu\.csv|_git\.txt)$/i;
const FOAM_TIME_DIR = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

interface Leftover { kind: string; pattern: string; paths: string[] }

function checkLeftovers(snap: CaseSnapshot, family: SolverFamily, findings: Finding[]): void {
  const groups = new Map<string, Leftover>();
  const add = (kind: string, pattern: string, path: string): void => {
    const g = groups.get(pattern) ?? { kind, pattern, paths: [] };
    g.paths.push(path);
    groups.set(pattern, g);
  };
  for (const d of snap.dirs) {
    const b = base(d);
    if (/^processors?\d+(_\d+)?$/.test(b) && topLevel(d)) add('OpenFOAM processor folders from an earlier decomposition', 'processor*/', d);
    else if (b === 'postProcessing' && topLevel(d)) add('OpenFOAM post-processing output', 'postProcessing/', d);
    else if (family === 'openfoam' && topLevel(d) && FOAM_TIME_DIR.test(b) && Number(b) !== 0) add('OpenFOAM time folders written by an earlier run', b, d);
  }
  for (const f of snap.files) {
    const b = base(f);
    if (RESULT_ARCHIVE.test(b)) add('cloudHPC result archives', b.startsWith('CloudHPC-massive-files') ? 'CloudHPC-massive-files*.tar.gz' : b, f);
    else if (topLevel(f) && SERVICE_FILES.has(b)) add('files the service writes during a run', b, f);
    else if (family === 'fds' && topLevel(f) && FDS_OUTPUT.test(b)) add('FDS output of an earlier run', `*${FDS_OUTPUT.exec(b)![1]!.toLowerCase()}`, f);
    else if ((family === 'code_aster' || family === 'calculix') && /\.(rmed|frd)$/i.test(b)) add('results of an earlier run', `*${ext(b)}`, f);
  }
  const byKind = new Map<string, Leftover[]>();
  for (const g of groups.values()) byKind.set(g.kind, [...(byKind.get(g.kind) ?? []), g]);
  for (const [kind, gs] of byKind) {
    const paths = gs.flatMap((g) => g.paths);
    const patterns = gs.map((g) => g.pattern);
    findings.push({
      id: 'leftovers', severity: 'warning', path: paths[0],
      message: `${kind} would be pushed for nothing: ${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''}.`,
      fix: `Add ${patterns.length === 1 ? 'this line' : 'these lines'} to .cloudhpcignore: ${patterns.join('  ')} (or delete them).`,
      action: { kind: 'add-to-ignore', lines: patterns },
    });
  }
}

/** The smallest offered vCPU count that fits `n` processes (n itself when the offer is unknown), or null when none does. */
export function fittingCpu(n: number, offered: readonly number[] | undefined): number | null {
  if (!offered) return n;
  const fit = [...offered].sort((a, b) => a - b).find((c) => c >= n);
  return fit ?? null;
}

export function formatReport(r: PreflightReport): string {
  const lines = [`Pre-flight (${FAMILY_LABEL[r.family]}): ${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}`];
  for (const f of r.findings) {
    lines.push(`  ${f.severity.toUpperCase().padEnd(7)} ${f.message}`);
    lines.push(`          fix: ${f.fix}`);
  }
  return lines.join('\n');
}
