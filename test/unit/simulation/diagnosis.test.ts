import { describe, expect, it } from 'vitest';
import { diagnose, formatDiagnoses, LogDiagnoser, mainCause, outcome } from '../../../src-main/node/simulation/diagnosis';

const FOAM_HEADER = `/*---------------------------------------------------------------------------*\\
| =========                 |                                                 |
| \\\\      /  F ield         | OpenFOAM: The Open Source CFD Toolbox           |
\\*---------------------------------------------------------------------------*/
Build  : _e7a7f8e4-20240625 OPENFOAM=2406 version=2406
Exec   : simpleFoam -parallel
`;

interface Row { name: string; log: string; ids: string[]; firstLine?: number }

const rows: Row[] = [
  { name: 'clean OpenFOAM run', log: `${FOAM_HEADER}Time = 100\n\nsmoothSolver:  Solving for Ux, Initial residual = 1e-06\nExecutionTime = 12.3 s  ClockTime = 13 s\n\nEnd\n\nFinalising parallel run\n`, ids: [] },
  { name: 'RAM above 80%, repeated', log: '@@@ RAM used > 80.0%\nTime = 1\n@@@ RAM used > 80.0%\n', ids: ['ram-high'] },
  { name: 'disk above 80%', log: '@@@ HARD DISK used > 80.0%\n', ids: ['disk-high'] },
  { name: 'disk above 90% with automatic soft stop', log: 'Time = 5\n@@@ HARD DISK used > 90.0% - @@@ AUTOMATIC SOFT STOP procedure\n', ids: ['disk-soft-stop'], firstLine: 2 },
  { name: 'no space left on device', log: 'forrtl: No space left on device\nforrtl: severe (38): error during write, unit 21, file /home/cloudhpc/case/room_1.sf\n', ids: ['disk-full'] },
  { name: 'out of memory (Linux OOM killer through mpirun)', log: '===================================================================================\n=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES\n=   PID 1234 RUNNING AT node-1\n=   KILLED BY SIGNAL: 9 (Killed)\n===================================================================================\n', ids: ['mpi-abort', 'out-of-memory'] },
  { name: 'FDS insufficient virtual memory', log: 'forrtl: severe (41): insufficient virtual memory\n', ids: ['out-of-memory'] },
  { name: 'folder not detected', log: '@@@ START\n@@@ ERROR: FOLDER my case (2) not detected\n', ids: ['service-note', 'folder-not-detected'] },
  { name: 'archive not in gzip format', log: 'gzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n', ids: ['archive-layout'] },
  { name: 'FDS input missing', log: 'ERROR(100): The file, room.fds, does not exist in the current directory\n', ids: ['fds-missing-input'] },
  { name: 'FDS MPI_PROCESS order', log: ' Mesh 3 is assigned to MPI Process 1\n ERROR(117): MPI_PROCESS for MESH 3 must be in ascending order.\n', ids: ['fds-mpi-order'] },
  { name: 'FDS low vCPU', log: ' Mesh      1 is assigned to MPI Process      0\n ERROR: MPI_PROCESS greater than total number of processes\n', ids: ['fds-low-vcpu'] },
  { name: 'FDS numerical instability', log: ' Time Step: 2312, Simulation Time: 12.31 s\n Numerical Instability - FDS stopped\n', ids: ['fds-instability'] },
  { name: 'OpenFOAM missing controlDict', log: `${FOAM_HEADER}\n\n--> FOAM FATAL ERROR: (openfoam-2406)\ncannot find file "/home/cloudhpc/case/system/controlDict"\n\n    From virtual Foam::autoPtr<Foam::ISstream> Foam::fileOperations::uncollatedFileOperation::readStream(Foam::regIOobject&, const Foam::fileName&, const Foam::word&, bool) const\n    in file global/fileOperations/uncollatedFileOperation/uncollatedFileOperation.C at line 561.\n\nFOAM exiting\n`, ids: ['openfoam-no-controldict'] },
  { name: 'OpenFOAM unknown decomposition method', log: `--> FOAM FATAL ERROR: (openfoam-2406)\nUnknown decompositionMethod metis\n\nValid decompositionMethods :\n\n7\n(\nhierarchical\nkahip\nmanual\nmultiLevel\nnone\nscotch\nsimple\n)\n\nFOAM exiting\n`, ids: ['openfoam-decomposepar'] },
  { name: 'OpenFOAM processor count mismatch', log: '[0] --> FOAM FATAL ERROR: (openfoam-2406)\n[0] number of processor directories = 4 is not equal to the number of processors = 8\n[0] FOAM parallel run exiting\n', ids: ['openfoam-decomposepar'] },
  { name: 'snappyHexMesh failure', log: 'Create mesh for time = 0\n\nRead mesh in = 0.02 s\n\n--> FOAM FATAL ERROR: (openfoam-2312)\nPoint (1e+15 1e+15 1e+15) is not inside the mesh or on a face or edge.\n\n    From void Foam::snappyRefineDriver::doRefine(...)\n    in file snappyHexMeshDriver/snappyRefineDriver.C at line 120.\n', ids: ['foam-fatal', 'snappyhexmesh-failed'] },
  { name: 'OpenFOAM generic fatal error names its detail', log: '--> FOAM FATAL IO ERROR: (openfoam-2406)\nEntry \'div(phi,U)\' not found in dictionary "system/fvSchemes/divSchemes"\n', ids: ['foam-fatal'] },
  { name: 'code_aster export missing', log: '@@@ ERROR: no .export file found in the case folder\n', ids: ['aster-no-export'] },
  { name: 'code_aster fatal error', log: '   !-------------------------------------------------------!\n   ! <F> <MODELISA4_6>                                     !\n   ! La maille M1 est de type inconnu.                     !\n', ids: ['aster-fatal'] },
  { name: 'CalculiX input error', log: ' *ERROR reading *MATERIAL: no name specified\n', ids: ['calculix-error'] },
  { name: 'segmentation fault', log: '#0  Foam::error::printStack(Foam::Ostream&) at ??:?\n#1  Foam::sigSegv::sigHandler(int) at ??:?\nSegmentation fault (core dumped)\n', ids: ['segfault'] },
  // the service's own start-up refusals (as the emulator prints them)
  { name: 'service: no .fds input', log: '@@@ cloudHPC: simulation 10001 starting fds6.9.1 on 1 vCPU (standard), folder broken\n@@@ ERROR: no .fds input file found in the case folder\n', ids: ['service-note', 'fds-missing-input'] },
  { name: 'service: meshes exceed vCPU', log: '@@@ ERROR: 4 &MESH entries exceed the 2 vCPU requested\n', ids: ['fds-low-vcpu'] },
  { name: 'service: no code_aster input', log: '@@@ ERROR: no .export or .comm file found in the case folder\n', ids: ['aster-no-export'] },
  { name: 'service: archive cannot be extracted', log: '@@@ ERROR: cannot extract upload.tar.gz: TAR_BAD_ARCHIVE: Unrecognized archive format\n', ids: ['archive-layout'] },
  { name: 'service: mesh folder missing', log: '@@@ ERROR: MESH FOLDER cylinderMesh not detected\n', ids: ['folder-not-detected'] },
  { name: 'service: OpenFOAM case without controlDict', log: '@@@ ERROR: system/controlDict not found: this is not an OpenFOAM case\n', ids: ['openfoam-no-controldict'] },
  { name: 'OpenFOAM start-up lines are not failures', log: `${FOAM_HEADER}sigFpe : Enabling floating point exception trapping (FOAM_SIGFPE).\nfileModificationChecking : Monitoring run-time modified files using timeStampMaster (fileModificationSkew 5, maxFileModificationPolls 20)\nallowSystemOperations : Allowing user-supplied system call operations\n`, ids: [] },
  { name: 'OpenFOAM divergence (floating point exception)', log: '#0  Foam::error::printStack(Foam::Ostream&) at ??:?\n#1  Foam::sigFpe::sigHandler(int) at ??:?\n#2  ? in /lib/x86_64-linux-gnu/libc.so.6\nFloating point exception (core dumped)\n', ids: ['floating-point-exception'] },
  { name: 'FDS input error', log: " ERROR(101): Problem with the &SURF line for ID 'FIRE': HRRPUA is not a valid parameter (CHID: room)\n", ids: ['solver-error'] },
  { name: 'service error line', log: '@@@ ERROR: license server not reachable\n', ids: ['service-error'] },
];

describe('diagnosis table over realistic logs', () => {
  for (const r of rows) {
    it(r.name, () => {
      const d = diagnose(r.log);
      expect(d.map((x) => x.id)).toEqual(r.ids);
      if (r.firstLine) expect(d[0]!.line).toBe(r.firstLine);
      for (const x of d) { expect(x.cause.length).toBeGreaterThan(5); expect(x.fix.length).toBeGreaterThan(5); }
    });
  }
});

describe('incremental diagnosis', () => {
  it('gives the same findings whatever the chunking, and reports each only once', () => {
    const log = rows.map((r) => r.log).join('\n');
    const whole = diagnose(log).map((d) => [d.id, d.line, d.count]);
    for (const size of [1, 7, 64, 1000]) {
      const inc = new LogDiagnoser();
      const emitted: string[] = [];
      for (let i = 0; i < log.length; i += size) emitted.push(...inc.feed(log.slice(i, i + size)).map((d) => `${d.id}@${d.line}`));
      emitted.push(...inc.end().map((d) => `${d.id}@${d.line}`));
      expect(inc.all().map((d) => [d.id, d.line, d.count])).toEqual(whole);
      expect(new Set(emitted).size).toBe(emitted.length);
    }
  });
  it('counts repeats of the same warning', () => {
    const inc = new LogDiagnoser();
    expect(inc.feed('@@@ RAM used > 80.0%\n').length).toBe(1);
    expect(inc.feed('@@@ RAM used > 80.0%\n@@@ RAM used > 80.0%\n').length).toBe(0);
    expect(inc.all()[0]!.count).toBe(3);
    expect(inc.hasFailure()).toBe(false);
  });
  it('names the detail line of a generic OpenFOAM fatal error', () => {
    const d = diagnose(rows.find((r) => r.name.startsWith('OpenFOAM generic'))!.log);
    expect(d[0]!.cause).toContain("div(phi,U)");
  });
});

describe('outcome', () => {
  it('flags a COMPLETED run whose log shows a failure as completed with errors', () => {
    expect(outcome(10, diagnose('Numerical Instability - FDS stopped\n'))).toBe('completed with errors');
    expect(outcome(10, diagnose('@@@ RAM used > 80.0%\n'))).toBe('completed');
    expect(outcome(60, [])).toBe('error');
    expect(outcome(50, [])).toBe('stopped');
    expect(outcome(30, [])).toBe('running');
  });
  it('picks the specific cause over a generic MPI abort', () => {
    const d = diagnose(rows.find((r) => r.name.startsWith('out of memory'))!.log);
    expect(mainCause(d)!.id).toBe('out-of-memory');
    expect(formatDiagnoses(d)).toContain('fix:');
    expect(formatDiagnoses([])).toContain('no known problem');
  });
});
