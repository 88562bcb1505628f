// What a case folder is, before anything is chosen: its solver family (from the files it holds), how
// many processes it asks for, and which offered script and vCPU count fit it. Pure: works on a
// CaseSnapshot (case-scan.ts). The launch dialog and `launch` preselect from this.
import { fdsMeshes } from './fds-namelist';
import { stripFoamComments, type CaseSnapshot } from './preflight';
import { solverFamily, type SolverFamily } from './solver-family';

export interface CaseProfile {
  family: SolverFamily | null;
  /** The file that shows the family ("system/controlDict", "room_fire.fds"). */
  evidence: string | null;
  /** Processes the case asks for (FDS meshes / MPI_PROCESS, OpenFOAM numberOfSubdomains); null when it does not say. */
  processes: number | null;
}

const top = (p: string): boolean => !p.includes('/');
const ext = (p: string): string => { const i = p.lastIndexOf('.'); return i < 0 ? '' : p.slice(i).toLowerCase(); };

/** The solver family of a case, from its files (first match wins: the inputs that are unambiguous first). */
export function caseProfile(snap: CaseSnapshot): CaseProfile {
  const files = snap.files;
  const dirs = new Set(snap.dirs);
  const topFile = (pred: (f: string) => boolean): string | undefined => files.find((f) => top(f) && pred(f));
  const fds = topFile((f) => ext(f) === '.fds');
  if (fds) return { family: 'fds', evidence: fds, processes: fdsProcesses(snap, fds) };
  if (files.includes('system/controlDict')) return { family: 'openfoam', evidence: 'system/controlDict', processes: foamSubdomains(snap) };
  const aster = topFile((f) => ext(f) === '.export' || ext(f) === '.comm');
  if (aster) return { family: 'code_aster', evidence: aster, processes: null };
  const saturne = files.find((f) => f.endsWith('setup.xml')) ?? ([...dirs].some((d) => d.endsWith('DATA')) && [...dirs].some((d) => d.endsWith('SRC')) ? 'DATA/' : undefined);
  if (saturne) return { family: 'code_saturne', evidence: saturne, processes: null };
  const radioss = topFile((f) => /_0000\.rad$/i.test(f));
  if (radioss) return { family: 'openradioss', evidence: radioss, processes: null };
  const ccx = topFile((f) => ext(f) === '.inp');
  if (ccx) return { family: 'calculix', evidence: ccx, processes: null };
  return { family: null, evidence: null, processes: null };
}

function fdsProcesses(snap: CaseSnapshot, file: string): number | null {
  const text = snap.read(file);
  if (text === null) return null;
  const meshes = fdsMeshes(text);
  if (meshes.length === 0) return null;
  const mpi = meshes.filter((m) => m.mpiProcess !== null);
  if (mpi.length === meshes.length) return Math.max(...mpi.map((m) => m.mpiProcess as number)) + 1;
  return meshes.reduce((n, m) => n + m.copies, 0);
}

function foamSubdomains(snap: CaseSnapshot): number | null {
  const text = snap.read('system/decomposeParDict');
  if (text === null) return null;
  const n = /numberOfSubdomains\s+(\d+)\s*;/.exec(stripFoamComments(text))?.[1];
  return n ? Number(n) : null;
}

/** Version numbers of a script name, for ordering ('openFoam-v2406' → [2406], 'fds6.9.1' → [6, 9, 1]). */
function version(script: string): number[] {
  return (script.match(/\d+/g) ?? []).map(Number);
}

function newer(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The script names that lead each family (a solver, not a mesher or a derived solver). */
const LEAD: Partial<Record<SolverFamily, RegExp>> = {
  fds: /^fds/i,
  openfoam: /^openfoam/i,
  code_aster: /^codeaster|^code_aster/i,
  calculix: /^calculix/i,
  code_saturne: /^codesaturne|^code_saturne/i,
  openradioss: /^openradioss/i,
};

/**
 * The script to preselect for a family: `preferred` (the project's last run) when it is offered and of
 * that family, else the family's newest offered solver script (not a mesher), else null.
 */
export function scriptFor(family: SolverFamily | null, offered: readonly string[], preferred: string | null = null): string | null {
  if (family === null) return preferred && offered.includes(preferred) ? preferred : null;
  if (preferred && offered.includes(preferred) && solverFamily(preferred).family === family) return preferred;
  const ofFamily = offered.filter((s) => { const f = solverFamily(s); return f.family === family && !f.meshing; });
  const lead = LEAD[family];
  const led = lead ? ofFamily.filter((s) => lead.test(s)) : [];
  const pool = led.length > 0 ? led : ofFamily;
  return [...pool].sort((a, b) => newer(version(b), version(a)))[0] ?? null;
}

/** The vCPU count to preselect: the smallest offered that fits the case's processes, else `fallback` (when offered). */
export function cpuFor(processes: number | null, offered: readonly number[], fallback = 2): number | null {
  const sorted = [...offered].sort((a, b) => a - b);
  if (processes !== null) {
    const fit = sorted.find((c) => c >= processes);
    if (fit !== undefined) return fit;
  }
  return sorted.find((c) => c >= fallback) ?? sorted[0] ?? null;
}
