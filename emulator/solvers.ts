// What each solver family needs to run, the output lines it prints and the small, realistic result
// files the emulator writes into the family's result archive.
import type { SolverFamily } from './options';

export interface CaseView {
  /** Relative paths of the files in the case folder (after extraction). */
  files: string[];
  read(rel: string): Promise<string>;
}

export interface InputCheck {
  ok: boolean;
  /** Output lines explaining the failure (when not ok). */
  errors: string[];
  /** Main input file, when the family has one. */
  input?: string;
  /** Name used for result files (FDS CHID, job name...). */
  jobName: string;
}

const top = (files: string[]): string[] => files.filter((f) => !f.includes('/'));
const byExt = (files: string[], ...exts: string[]): string[] => top(files).filter((f) => exts.some((e) => f.toLowerCase().endsWith(e))).sort();
const stem = (f: string): string => f.replace(/\.[^.]+$/, '');

export async function checkInput(family: SolverFamily, view: CaseView, cpu: number): Promise<InputCheck> {
  const fail = (msg: string): InputCheck => ({ ok: false, errors: [`@@@ ERROR: ${msg}`], jobName: 'case' });
  switch (family) {
    case 'fds': {
      const fds = byExt(view.files, '.fds');
      const input = fds[0];
      if (!input) return fail('no .fds input file found in the case folder');
      const text = await view.read(input);
      const chid = /CHID\s*=\s*['"]([^'"]+)['"]/i.exec(text)?.[1] ?? stem(input);
      const meshes = (text.match(/&MESH\b/gi) ?? []).length;
      if (meshes > cpu) return { ...fail(`${meshes} &MESH entries exceed the ${cpu} vCPU requested`), input, jobName: chid };
      return { ok: true, errors: [], input, jobName: chid };
    }
    case 'openFoam':
    case 'snappyHexMesh': {
      if (!view.files.includes('system/controlDict')) return fail('system/controlDict not found: this is not an OpenFOAM case');
      let app = family === 'snappyHexMesh' ? 'snappyHexMesh' : 'simpleFoam';
      if (family === 'openFoam') {
        const m = /application\s+([A-Za-z0-9_]+)\s*;/.exec(await view.read('system/controlDict'));
        if (m?.[1]) app = m[1];
      }
      return { ok: true, errors: [], input: 'system/controlDict', jobName: app };
    }
    case 'codeAster': {
      const input = byExt(view.files, '.export')[0] ?? byExt(view.files, '.comm')[0];
      if (!input) return fail('no .export or .comm file found in the case folder');
      return { ok: true, errors: [], input, jobName: stem(input) };
    }
    case 'calculiX': {
      const input = byExt(view.files, '.inp')[0];
      if (!input) return fail('no .inp input file found in the case folder');
      return { ok: true, errors: [], input, jobName: stem(input) };
    }
    case 'codeSaturne': {
      const hasData = view.files.some((f) => f.startsWith('DATA/'));
      const xml = byExt(view.files, '.xml')[0];
      if (!hasData && !xml) return fail('no DATA folder or setup .xml found in the case folder');
      return { ok: true, errors: [], input: xml ?? 'DATA', jobName: 'case' };
    }
    case 'openRadioss': {
      const input = byExt(view.files, '_0000.rad')[0] ?? byExt(view.files, '.rad')[0];
      if (!input) return fail('no starter file (*_0000.rad) found in the case folder');
      return { ok: true, errors: [], input, jobName: stem(input).replace(/_0000$/, '') };
    }
    case 'custom': {
      const input = byExt(view.files, '.sh', '.py')[0];
      if (!input) return fail('no .sh or .py script found in the case folder');
      return { ok: true, errors: [], input, jobName: stem(input) };
    }
  }
}

const f = (x: number, d = 4): string => x.toExponential(d);

/** Output lines for one solver step (`step` counts from 1). */
export function stepLines(family: SolverFamily, step: number, jobName: string): string[] {
  const decay = Math.exp(-step / 8);
  switch (family) {
    case 'fds':
      return [
        ` Time Step:   ${String(step * 50).padStart(6)},   Simulation Time:   ${(step * 0.5).toFixed(2)} s`,
        `       Pressure Iterations: ${1 + (step % 3)}`,
        `       Maximum Velocity Error:  ${f(0.02 * decay, 2)} on Mesh   1 at (  10  12   4)`,
      ];
    case 'openFoam':
      return [
        `Time = ${step * 10}`,
        '',
        `smoothSolver:  Solving for Ux, Initial residual = ${f(0.1 * decay)}, Final residual = ${f(0.001 * decay)}, No Iterations 3`,
        `smoothSolver:  Solving for Uy, Initial residual = ${f(0.12 * decay)}, Final residual = ${f(0.0011 * decay)}, No Iterations 3`,
        `GAMG:  Solving for p, Initial residual = ${f(0.3 * decay)}, Final residual = ${f(0.002 * decay)}, No Iterations 7`,
        `time step continuity errors : sum local = ${f(1e-5 * decay)}, global = ${f(1e-7 * decay)}, cumulative = ${f(1e-6)}`,
        `ExecutionTime = ${(step * 1.7).toFixed(2)} s  ClockTime = ${Math.round(step * 1.8)} s`,
        '',
      ];
    case 'snappyHexMesh':
      return [`Surface refinement iteration ${step}`, '------------------------------', `Marked for refinement ${Math.round(12000 * decay)} cells.`];
    case 'codeAster':
      return [`  Instant de calcul: ${(step * 0.1).toFixed(6)}`, `  Itération de Newton ${step}   RESI_GLOB_RELA ${f(1e-3 * decay, 5)}`];
    case 'calculiX':
      return [` increment ${step} attempt 1 `, ` increment size= ${f(0.05, 6)}`, ` sum of previous increments=${(step * 0.05).toFixed(6)}`, ` iteration 1`, ` average force= ${f(12.3 * (1 + decay), 6)}`];
    case 'codeSaturne':
      return [` ** INFORMATIONS ON THE RESOLUTION`, `   Time step ${step}  time ${(step * 0.01).toFixed(4)}`, `   Pressure: residual ${f(0.05 * decay)}`];
    case 'openRadioss':
      return [`  CYCLE ${step * 1000}   TIME ${f(step * 1e-4)}   DT ${f(1e-7)}   ${jobName}   ENERGY ERROR ${(0.1 * decay).toFixed(2)}%`];
    case 'custom':
      return [`[${jobName}] step ${step} done`];
  }
}

export function startLines(family: SolverFamily, jobName: string, input: string | undefined, cpu: number): string[] {
  const banner: Record<SolverFamily, string[]> = {
    fds: [' Fire Dynamics Simulator', '', ` Current Date     : running on cloudHPC`, ` Number of MPI Processes:  ${cpu}`, ` Job TITLE        : ${jobName}`, ` Job ID string    : ${jobName}`],
    openFoam: ['/*---------------------------------------------------------------------------*\\', '  =========                 |', '  \\\\      /  F ield         | OpenFOAM: The Open Source CFD Toolbox', '\\*---------------------------------------------------------------------------*/', `Exec   : ${jobName} -parallel`, `nProcs : ${cpu}`, 'Create time', '', 'Create mesh for time = 0', '', 'Starting time loop', ''],
    snappyHexMesh: ['Create time', 'Create mesh for time = 0', 'Reading refinement surfaces.', 'Refinement phase', '----------------'],
    codeAster: ['-- CODE_ASTER -- VERSION : EXPLOITATION', `  # Exécution du fichier ${input ?? ''}`, '  DEBUT()'],
    calculiX: ['************************************************************', 'CalculiX Version 2.21', `  Using up to ${cpu} cpu(s) for the stress calculation.`, ' STEP 1', ' Static analysis was selected'],
    codeSaturne: ['code_saturne', '============', ' Preparing calculation data', ' Starting calculation'],
    openRadioss: [' OpenRadioss STARTER', ` ENGINE ${jobName}_0001.rad`, ' NC        T          DT         ELEMENT'],
    custom: [`Executing ${input ?? 'script'}`],
  };
  return banner[family];
}

export function endLines(family: SolverFamily): string[] {
  switch (family) {
    case 'fds':
      return ['STOP: FDS completed successfully'];
    case 'openFoam':
    case 'snappyHexMesh':
      return ['End', ''];
    case 'codeAster':
      return ['  FIN()', ' <I> <FIN> ARRET NORMAL DANS "FIN" PAR APPEL A "JEFINI".'];
    case 'calculiX':
      return [' Job finished'];
    case 'codeSaturne':
      return [' END OF CALCULATION'];
    case 'openRadioss':
      return [' NORMAL TERMINATION'];
    case 'custom':
      return ['script finished'];
  }
}

/**
 * Small, plausible result files for the family's result archive, for a run that reached `steps`
 * steps; `lastTime` is the solver clock it reached (names OpenFOAM's time folder) when known.
 */
export function resultFiles(family: SolverFamily, jobName: string, steps: number, lastTime?: string): Record<string, string> {
  const n = Math.max(1, steps);
  const series = (hdr: string, fn: (i: number) => string): string => [hdr, ...Array.from({ length: n }, (_, i) => fn(i + 1))].join('\n') + '\n';
  switch (family) {
    case 'fds':
      return {
        [`${jobName}.out`]: ` Fire Dynamics Simulator\n Job ID string    : ${jobName}\n Time Step: ${n * 50}\nSTOP: FDS completed successfully\n`,
        [`${jobName}_hrr.csv`]: series('s,kW\nTime,HRR', (i) => `${(i * 0.5).toFixed(2)},${(100 * (1 - Math.exp(-i / 5))).toFixed(3)}`),
        [`${jobName}_devc.csv`]: series('s,C\nTime,TC01', (i) => `${(i * 0.5).toFixed(2)},${(20 + 3 * i).toFixed(2)}`),
        [`${jobName}.smv`]: `TITLE\n ${jobName}\nCHID\n ${jobName}\n`,
      };
    case 'openFoam': {
      const t = lastTime ?? String(n * 10);
      const field = (cls: string, name: string, v: string): string => `FoamFile\n{\n    version     2.0;\n    format      ascii;\n    class       ${cls};\n    object      ${name};\n}\n\ninternalField   uniform ${v};\n`;
      return {
        [`${t}/U`]: field('volVectorField', 'U', '(1 0 0)'),
        [`${t}/p`]: field('volScalarField', 'p', '0'),
        [`${t}/uniform/time`]: `value ${t};\n`,
        [`log.${jobName}`]: `Time = ${t}\nEnd\n`,
      };
    }
    case 'snappyHexMesh':
      return {
        'constant/polyMesh/boundary': 'FoamFile\n{\n    class polyBoundaryMesh;\n    object boundary;\n}\n1\n(\nwalls { type wall; nFaces 24; startFace 12; }\n)\n',
        'constant/polyMesh/points': '8\n(\n(0 0 0)\n(1 0 0)\n(1 1 0)\n(0 1 0)\n(0 0 1)\n(1 0 1)\n(1 1 1)\n(0 1 1)\n)\n',
        'log.snappyHexMesh': `Finished meshing in = ${n * 2} s.\nEnd\n`,
      };
    case 'codeAster':
      return { [`${jobName}.mess`]: ' <I> <FIN> ARRET NORMAL\n', [`${jobName}.resu`]: series(' INSTANT  DEPL', (i) => `${(i * 0.1).toFixed(3)} ${(i * 1e-4).toExponential(4)}`), [`${jobName}.rmed`]: 'MED binary placeholder\n' };
    case 'calculiX':
      return { [`${jobName}.frd`]: '    1C\n    1UUSER\n 9999\n', [`${jobName}.dat`]: series(' displacements (vx,vy,vz) for set NALL and time  1.0', (i) => `      ${i}  0.0  ${(i * 1e-3).toExponential(6)}  0.0`), [`${jobName}.sta`]: ' SUMMARY OF JOB INFORMATION\n', [`${jobName}.cvg`]: series(' STEP INC ATT ITER', (i) => `    1 ${i} 1 1`) };
    case 'codeSaturne':
      return { 'RESU/run1/run_solver.log': series(' Time step residuals', (i) => ` ${i} ${(0.05 * Math.exp(-i / 8)).toExponential(4)}`), 'RESU/run1/postprocessing/RESULTS_FLUID_DOMAIN.case': 'FORMAT\ntype: ensight gold\n' };
    case 'openRadioss':
      return { [`${jobName}_0001.out`]: ' NORMAL TERMINATION\n', [`${jobName}A001`]: 'ANIM placeholder\n', [`${jobName}T01`]: 'TH placeholder\n' };
    case 'custom':
      return {};
  }
}

/**
 * cpu.csv / ram.csv: the hardware monitor series, one row per 10 simulated seconds of running
 * (at most 2,000 rows: longer runs sample less often). CPU: busy solver processes, 88–99 % with a
 * dip while results are written; RAM: the mesh loads in the first minutes, then a plateau that
 * creeps up slightly. Deterministic (no random source), so tests can compare files.
 */
export function monitorCsv(kind: 'cpu' | 'ram', seconds: number, startMs: number): string {
  const every = Math.max(10, Math.ceil(seconds / 2000 / 10) * 10);
  const rows = Math.max(1, Math.floor(seconds / every));
  const lines = ['time,' + (kind === 'cpu' ? 'cpu_percent' : 'ram_percent')];
  for (let i = 0; i < rows; i++) {
    const t = new Date(startMs + i * every * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const wobble = Math.sin(i * 1.7) * 0.5 + Math.sin(i * 0.31) * 0.5;
    const v = kind === 'cpu'
      ? (i % 30 === 29 ? 61 + 4 * wobble : 94 + 4.5 * wobble)
      : 18 * (1 - Math.exp(-(i * every) / 120)) + 20 + 0.01 * i + 0.6 * wobble;
    lines.push(`${t},${Math.min(100, Math.max(0, v)).toFixed(1)}`);
  }
  return lines.join('\n') + '\n';
}
