import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanCase } from '../../../src-main/node/simulation/case-scan';
import { fdsMeshes, parseNamelists } from '../../../src-main/node/simulation/fds-namelist';
import { acceptedName, formatReport, preflight, type CaseSnapshot } from '../../../src-main/node/simulation/preflight';
import { solverFamily } from '../../../src-main/node/simulation/solver-family';

function snap(files: Record<string, string>, extraDirs: string[] = []): CaseSnapshot {
  const dirs = new Set<string>(extraDirs);
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return { files: Object.keys(files), dirs: [...dirs], read: (p) => files[p] ?? null };
}

const FOAM = {
  'system/controlDict': 'application simpleFoam;\nendTime 100;\n',
  'system/fvSchemes': '',
  'system/fvSolution': '',
  'constant/transportProperties': 'nu 1e-5;',
  '0/U': 'internalField uniform (0 0 0);',
};
const decompose = (body: string): Record<string, string> => ({ ...FOAM, 'system/decomposeParDict': `FoamFile { version 2.0; class dictionary; object decomposeParDict; }\n${body}` });

const FDS_4 = `&HEAD CHID='room' /
&MESH ID='m1', IJK=10,10,10, XB=0,1,0,1,0,1, MPI_PROCESS=0 /
&MESH ID='m2', IJK=10,10,10, XB=1,2,0,1,0,1, MPI_PROCESS=1 /
&MESH ID='m3', IJK=10,10,10, XB=2,3,0,1,0,1, MPI_PROCESS=1 /
&MESH ID='m4', IJK=10,10,10, XB=3,4,0,1,0,1, MPI_PROCESS=2 /
&TAIL /`;

interface Case {
  name: string;
  script: string;
  cpu: number;
  files: Record<string, string>;
  dirs?: string[];
  errors: string[];
  warnings: string[];
  infos?: string[];
}

const cases: Case[] = [
  // ---- FDS
  { name: 'FDS valid, MPI_PROCESS grouping 4 meshes on 3 processes', script: 'fds6.9.1', cpu: 4, files: { 'room.fds': FDS_4 }, errors: [], warnings: [], infos: ['fds-idle-cpu'] },
  { name: 'FDS valid, meshes without MPI_PROCESS, exactly the vCPU', script: 'fds6.9.1', cpu: 2, files: { 'a.fds': "&MESH IJK=10,10,10 XB=0,1,0,1,0,1 /\n&MESH IJK=10,10,10 XB=1,2,0,1,0,1 /\n" }, errors: [], warnings: [] },
  { name: 'FDS no .fds file', script: 'fds6.9.1', cpu: 2, files: { 'notes.txt': 'x' }, errors: ['fds-no-input'], warnings: [] },
  { name: 'FDS .fds only in a sub-folder', script: 'fds6.7.9', cpu: 2, files: { 'input/room.fds': FDS_4 }, errors: ['fds-no-input'], warnings: [] },
  { name: 'FDS MPI_PROCESS descending', script: 'fds6.9.1', cpu: 4, files: { 'r.fds': "&MESH XB=0,1,0,1,0,1, MPI_PROCESS=0 /\n&MESH XB=1,2,0,1,0,1, MPI_PROCESS=2 /\n&MESH XB=2,3,0,1,0,1, MPI_PROCESS=1 /\n" }, errors: ['fds-mpi-order'], warnings: [], infos: ['fds-idle-cpu'] },
  { name: 'FDS MPI_PROCESS not starting at 0', script: 'fds6.9.1', cpu: 4, files: { 'r.fds': "&MESH XB=0,1,0,1,0,1, MPI_PROCESS=1 /\n&MESH XB=1,2,0,1,0,1, MPI_PROCESS=2 /\n" }, errors: ['fds-mpi-order'], warnings: [], infos: ['fds-idle-cpu'] },
  { name: 'FDS MPI_PROCESS with a gap', script: 'fds6.9.1', cpu: 8, files: { 'r.fds': "&MESH XB=0,1,0,1,0,1, MPI_PROCESS=0 /\n&MESH XB=1,2,0,1,0,1, MPI_PROCESS=2 /\n" }, errors: ['fds-mpi-order'], warnings: [], infos: ['fds-idle-cpu'] },
  { name: 'FDS MPI_PROCESS set on some meshes only', script: 'fds6.9.1', cpu: 4, files: { 'r.fds': "&MESH XB=0,1,0,1,0,1, MPI_PROCESS=0 /\n&MESH XB=1,2,0,1,0,1 /\n" }, errors: ['fds-mpi-partial'], warnings: [], infos: ['fds-idle-cpu'] },
  { name: 'FDS more meshes than vCPU', script: 'fds6.9.1', cpu: 2, files: { 'r.fds': '&MESH XB=0,1,0,1,0,1 /\n&MESH XB=1,2,0,1,0,1 /\n&MESH XB=2,3,0,1,0,1 /\n' }, errors: ['fds-too-many-processes'], warnings: [] },
  { name: 'FDS more MPI processes than vCPU', script: 'fds6.9.1', cpu: 2, files: { 'r.fds': FDS_4 }, errors: ['fds-too-many-processes'], warnings: [] },
  { name: 'FDS MULT_ID mesh counts as 8 meshes', script: 'fds6.9.1', cpu: 4, files: { 'r.fds': "&MULT ID='blk', DX=1, DY=1, I_UPPER=1, J_UPPER=3 /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1, MULT_ID='blk' /\n" }, errors: ['fds-too-many-processes'], warnings: [] },
  { name: 'FDS multi-line records and comments with slashes and ampersands', script: 'fds6.9.1', cpu: 2, files: { 'r.fds': "Comment: 1/2 of the room & more\n&MESH ID='a/b',\n      IJK=10,10,10,\n      XB=0,1,0,1,0,1 / trailing comment &MESH\n&OBST XB=0,1,0,1,0,1 /\n&MESH ID='c', IJK=10,10,10, XB=1,2,0,1,0,1 /\n" }, errors: [], warnings: [] },
  { name: 'FDS no &MESH', script: 'fds6.9.1', cpu: 2, files: { 'r.fds': "&HEAD CHID='x' /\n&TAIL /\n" }, errors: ['fds-no-mesh'], warnings: [] },
  { name: 'FDS leftovers of a previous run', script: 'fds6.9.1', cpu: 1, files: { 'r.fds': '&MESH XB=0,1,0,1,0,1 /', 'r.out': '', 'r.smv': '', 'r_devc.csv': '', 'FDS.tar.gz': '' }, errors: [], warnings: ['leftovers', 'leftovers'] },
  // ---- OpenFOAM
  { name: 'OpenFOAM valid with scotch', script: 'openFoam-v2406', cpu: 4, files: decompose('numberOfSubdomains 4;\nmethod scotch;\n'), errors: [], warnings: [] },
  { name: 'OpenFOAM valid with 0.orig and no decomposeParDict', script: 'openFoam-v2406', cpu: 1, files: { 'system/controlDict': '', 'constant/g': '', '0.orig/U': '' }, errors: [], warnings: [] },
  { name: 'OpenFOAM missing controlDict', script: 'openFoam-v2406', cpu: 2, files: { 'system/fvSchemes': '', 'constant/g': '', '0/U': '' }, errors: ['openfoam-no-controldict'], warnings: [], infos: ['openfoam-no-decomposepardict'] },
  { name: 'OpenFOAM missing constant and 0', script: 'openFoam-v2406', cpu: 1, files: { 'system/controlDict': '' }, errors: ['openfoam-no-constant', 'openfoam-no-zero'], warnings: [] },
  { name: 'OpenFOAM decomposition method simple', script: 'openFoam-v2406', cpu: 4, files: decompose('numberOfSubdomains 4;\nmethod simple;\nsimpleCoeffs { n (2 2 1); }\n'), errors: [], warnings: ['openfoam-decompose-method'] },
  { name: 'OpenFOAM method in a comment is not the method', script: 'openFoam-v2406', cpu: 4, files: decompose('numberOfSubdomains 4;\n// method scotch;\nmethod metis;\n'), errors: [], warnings: ['openfoam-decompose-method'] },
  { name: 'OpenFOAM more subdomains than vCPU', script: 'openFoam-v2406', cpu: 4, files: decompose('numberOfSubdomains 8;\nmethod scotch;\n'), errors: [], warnings: ['openfoam-subdomains'] },
  { name: 'OpenFOAM hierarchical n does not match', script: 'openFoam-v2406', cpu: 8, files: decompose('numberOfSubdomains 8;\nmethod hierarchical;\nhierarchicalCoeffs { n (2 2 1); order xyz; }\n'), errors: ['openfoam-hierarchical-n'], warnings: [] },
  { name: 'OpenFOAM leftovers: processor dirs, time dirs, postProcessing, result archive', script: 'openFoam-v2406', cpu: 2, files: { ...decompose('numberOfSubdomains 2;\nmethod scotch;\n'), 'processor0/0/U': '', 'processor1/0/U': '', '100/U': '', '0.5/p': '', 'postProcessing/forces/0/forces.dat': '', 'OPENFOAM-solution.tar.gz': '' }, errors: [], warnings: ['leftovers', 'leftovers', 'leftovers', 'leftovers'] },
  { name: 'snappyHexMesh without 0 folder is fine', script: 'snappyHexMesh-v2312', cpu: 4, files: { 'system/controlDict': '', 'system/snappyHexMeshDict': '', 'system/blockMeshDict': '', 'constant/triSurface/part.stl': '' }, errors: [], warnings: [], infos: ['openfoam-no-zero', 'openfoam-no-decomposepardict'] },
  { name: 'snappyHexMesh without its dictionary', script: 'snappyHexMesh-v2312', cpu: 1, files: { 'system/controlDict': '', 'constant/triSurface/part.stl': '' }, errors: ['openfoam-no-snappydict'], warnings: [], infos: ['openfoam-no-zero'] },
  // ---- code_aster, CalculiX, code_saturne, OpenRadioss
  { name: 'code_aster valid', script: 'codeAster-17.0_mpi', cpu: 2, files: { 'study.export': 'P actions make_etude', 'study.comm': 'DEBUT()', 'mesh.med': '' }, errors: [], warnings: [] },
  { name: 'code_aster .comm without .export', script: 'codeAster-17.0_mpi', cpu: 2, files: { 'study.comm': 'DEBUT()', 'mesh.med': '' }, errors: [], warnings: ['aster-no-export'] },
  { name: 'code_aster without inputs', script: 'codeAster-17.0_mpi', cpu: 2, files: { 'mesh.med': '' }, errors: ['aster-no-input'], warnings: [] },
  { name: 'code_aster leftovers: rmed result and archive', script: 'codeAster-17.0_mpi', cpu: 2, files: { 'study.export': '', 'study.comm': '', 'result.rmed': '', 'CODE-ASTER.tar.gz': '' }, errors: [], warnings: ['leftovers', 'leftovers'] },
  { name: 'CalculiX missing .inp', script: 'calculiX-2.21-PARDISO', cpu: 2, files: { 'beam.frd': '' }, errors: ['calculix-no-inp'], warnings: ['leftovers'] },
  { name: 'CalculiX valid', script: 'calculiX-2.21-PARDISO', cpu: 2, files: { 'beam.inp': '*NODE' }, errors: [], warnings: [] },
  { name: 'code_saturne valid layout', script: 'code_saturne-8.0', cpu: 2, files: { 'DATA/setup.xml': '<x/>' }, dirs: ['SRC'], errors: [], warnings: [] },
  { name: 'code_saturne without layout', script: 'code_saturne-8.0', cpu: 2, files: { 'mesh.med': '' }, errors: ['saturne-no-input'], warnings: [] },
  { name: 'OpenRadioss starter without engine', script: 'openradioss-2024', cpu: 2, files: { 'crash_0000.rad': '' }, errors: [], warnings: ['radioss-no-engine'] },
  { name: 'OpenRadioss no starter', script: 'openradioss-2024', cpu: 2, files: { 'crash.rad': '' }, errors: ['radioss-no-starter'], warnings: [] },
  // ---- custom-script
  { name: 'custom-script with run.sh', script: 'custom-script', cpu: 1, files: { 'run.sh': '#!/bin/sh\n', 'data.bin': '' }, errors: [], warnings: [] },
  { name: 'custom-script with a Python script', script: 'custom-script', cpu: 1, files: { 'main.py': 'print(1)' }, errors: [], warnings: [] },
  { name: 'custom-script without a script', script: 'custom-script', cpu: 1, files: { 'data.bin': '' }, errors: ['custom-no-script'], warnings: [] },
  // ---- names and emptiness
  { name: 'bad file name with parentheses and a space', script: 'fds6.9.1', cpu: 1, files: { 'room (copy).fds': '&MESH XB=0,1,0,1,0,1 /' }, errors: ['forbidden-name'], warnings: [] },
  { name: 'bad folder name with a comma', script: 'openFoam-v2406', cpu: 1, files: { ...FOAM, 'constant/geo,v2/part.stl': '' }, errors: ['forbidden-name'], warnings: [] },
  { name: 'bad names: $ ~ # and quotes, one finding per path', script: 'custom-script', cpu: 1, files: { 'run.sh': '', 'a$b.txt': '', "it's.txt": '', 'x~y#z.dat': '' }, errors: ['forbidden-name', 'forbidden-name', 'forbidden-name'], warnings: [] },
  { name: 'empty case', script: 'fds6.9.1', cpu: 1, files: {}, errors: ['empty-case'], warnings: [] },
  { name: 'service files from a previous run', script: 'custom-script', cpu: 1, files: { 'run.sh': '', 'cloudhpc.log': '', 'cpu.csv': '', 'ram.csv': '' }, errors: [], warnings: ['leftovers'] },
  { name: 'unknown script: info only', script: 'mystery-1.0', cpu: 1, files: { 'x.dat': '' }, errors: [], warnings: [], infos: ['unknown-solver'] },
];

describe('pre-flight table', () => {
  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));
  for (const c of cases) {
    it(c.name, () => {
      const r = preflight(snap(c.files, c.dirs), { script: c.script, cpu: c.cpu });
      const ids = (sev: string): string[] => r.findings.filter((f) => f.severity === sev).map((f) => f.id).sort();
      expect(ids('error')).toEqual([...c.errors].sort());
      expect(ids('warning')).toEqual([...c.warnings].sort());
      if (c.infos) expect(ids('info')).toEqual([...c.infos].sort());
      expect(r.blocking).toBe(c.errors.length > 0);
      expect(r.needsConfirmation).toBe(c.errors.length === 0 && c.warnings.length > 0);
      for (const f of r.findings) {
        expect(f.message.length).toBeGreaterThan(10);
        expect(f.fix.length).toBeGreaterThan(5);
      }
    });
  }
});

describe('pre-flight details', () => {
  it('names the offending line and value in an MPI_PROCESS order error', () => {
    const r = preflight(snap({ 'r.fds': "&HEAD CHID='r' /\n&MESH XB=0,1,0,1,0,1, MPI_PROCESS=0 /\n&MESH XB=1,2,0,1,0,1, MPI_PROCESS=2 /\n&MESH XB=1,2,0,1,0,1, MPI_PROCESS=1 /\n" }), { script: 'fds6.9.1', cpu: 8 });
    const f = r.findings.find((x) => x.id === 'fds-mpi-order')!;
    expect(f.message).toContain('line 3');
    expect(f.message).toContain('process 1 is missing');
  });
  it('suggests .cloudhpcignore lines for leftovers', () => {
    const r = preflight(snap({ ...FOAM, 'processor0/x': '', 'processor1/x': '' }), { script: 'openFoam-v2406', cpu: 1 });
    const f = r.findings.find((x) => x.id === 'leftovers')!;
    expect(f.fix).toContain('.cloudhpcignore');
    expect(f.fix).toContain('processor*/');
    expect(formatReport(r)).toContain('WARNING');
  });
  it('each fixable finding carries its one-click fix, typed', () => {
    // a name cloudHPC refuses → a rename to one it accepts (a folder first, never onto an existing name)
    const names = preflight(snap({ ...FOAM, 'my probes/p (1).csv': '', 'p_1.csv': '' }), { script: 'openFoam-v2406', cpu: 1 });
    expect(names.findings.filter((f) => f.id === 'forbidden-name').map((f) => f.action)).toEqual([
      { kind: 'rename', path: 'my probes', to: 'my_probes' },
      { kind: 'rename', path: 'my probes/p (1).csv', to: 'my probes/p_1.csv' },
    ]);
    expect(acceptedName('warehouse (cloudHPC 2026-11-29 185342).out')).toBe('warehouse_cloudHPC_2026-11-29_185342.out');
    expect(acceptedName("it's #1?")).toBe('its_1');
    // leftovers → the lines for .cloudhpcignore
    const left = preflight(snap({ ...FOAM, 'processor0/x': '' }), { script: 'openFoam-v2406', cpu: 1 });
    expect(left.findings.find((f) => f.id === 'leftovers')?.action).toEqual({ kind: 'add-to-ignore', lines: ['processor*/'] });
    // too few vCPU → the smallest OFFERED count that fits (3 processes, 4 offered), never one that is not offered
    const fds3 = { 'r.fds': "&HEAD CHID='r' /\n&MESH XB=0,1,0,1,0,1 /\n&MESH XB=1,2,0,1,0,1 /\n&MESH XB=2,3,0,1,0,1 /\n" };
    const few = preflight(snap(fds3), { script: 'fds6.9.1', cpu: 2, offeredCpus: [1, 2, 4, 8] });
    const f = few.findings.find((x) => x.id === 'fds-too-many-processes')!;
    expect(f.action).toEqual({ kind: 'set-cpu', cpu: 4 });
    expect(f.fix).toMatch(/^Choose 4 vCPU \(the smallest size offered for 3\)/);
    // idle vCPU: a smaller offered size that fits, or none when the chosen one is the smallest that fits
    expect(preflight(snap(fds3), { script: 'fds6.9.1', cpu: 8, offeredCpus: [1, 2, 4, 8] }).findings.find((x) => x.id === 'fds-idle-cpu')?.action).toEqual({ kind: 'set-cpu', cpu: 4 });
    const fits = preflight(snap(fds3), { script: 'fds6.9.1', cpu: 4, offeredCpus: [1, 2, 4, 8] }).findings.find((x) => x.id === 'fds-idle-cpu')!;
    expect(fits.action).toBeUndefined();
    expect(fits.fix).toMatch(/4 is the smallest size offered that fits/);
    // more subdomains than vCPU
    expect(preflight(snap(decompose('method scotch;\nnumberOfSubdomains 6;\n')), { script: 'openFoam-v2406', cpu: 4, offeredCpus: [1, 2, 4, 8] }).findings.find((x) => x.id === 'openfoam-subdomains')?.action).toEqual({ kind: 'set-cpu', cpu: 8 });
  });

  it('files the app pulled are not checked (they are never pushed), only listed', () => {
    const s = snap({ 'room.fds': FDS_4 });
    const r = preflight({ ...s, pulled: ['room.cloudhpc-20261129-185342.fds', 'room.out', 'room_hrr.csv'] }, { script: 'fds6.9.1', cpu: 3 });
    expect(r.findings.map((f) => f.id)).toEqual(['pulled-left-out']);
    expect(r.findings[0]).toMatchObject({ severity: 'info', message: expect.stringMatching(/^3 files this app pulled/) });
    expect(r.blocking).toBe(false);
  });

  it('reads FDS namelists with quotes holding slashes', () => {
    const recs = parseNamelists("&SURF ID='a/b', COLOR='RED' /\n&MESH ID='m', XB=0,1,0,1,0,1 /");
    expect(recs.map((r) => r.group)).toEqual(['SURF', 'MESH']);
    expect(recs[0]!.params.get('ID')).toBe('a/b');
    expect(fdsMeshes("&MULT ID='q', N_LOWER=0, N_UPPER=5, DXB=1,1,0,0,0,0 /\n&MESH XB=0,1,0,1,0,1, MULT_ID='q', MPI_PROCESS=0 /")[0]!.copies).toBe(6);
  });
  it('infers solver families from script names', () => {
    expect(solverFamily('fds6.9.1').family).toBe('fds');
    expect(solverFamily('openFoam-v2406').family).toBe('openfoam');
    expect(solverFamily('DAFoam-v5.0.0').family).toBe('openfoam');
    expect(solverFamily('snappyHexMesh-v2312')).toEqual({ family: 'openfoam', meshing: true });
    expect(solverFamily('codeAster-17.0_mpi').family).toBe('code_aster');
    expect(solverFamily('calculiX-2.21-PARDISO').family).toBe('calculix');
    expect(solverFamily('custom-script').family).toBe('custom-script');
  });
});

describe('case scan from disk', () => {
  let dir = '';
  afterEach(async () => { if (dir) await rm(dir, { recursive: true, force: true }); dir = ''; });
  it('leaves out hidden entries and .cloudhpcignore matches, so ignored leftovers raise no warning', async () => {
    dir = await mkdtemp(join(tmpdir(), 'preflight-'));
    await mkdir(join(dir, 'system'));
    await mkdir(join(dir, 'constant'));
    await mkdir(join(dir, '0'));
    await mkdir(join(dir, 'processor0'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, 'system/controlDict'), 'application icoFoam;');
    await writeFile(join(dir, 'constant/g'), '');
    await writeFile(join(dir, '0/U'), '');
    await writeFile(join(dir, 'processor0/U'), '');
    await writeFile(join(dir, '.git/HEAD'), '');
    let r = preflight(await scanCase(dir), { script: 'openFoam-v2406', cpu: 1 });
    expect(r.findings.map((f) => f.id)).toEqual(['leftovers']);
    await writeFile(join(dir, '.cloudhpcignore'), 'processor*/\n');
    const s = await scanCase(dir);
    expect(s.files).toEqual(['0/U', 'constant/g', 'system/controlDict']);
    r = preflight(s, { script: 'openFoam-v2406', cpu: 1 });
    expect(r.findings).toEqual([]);
    expect(s.read('system/controlDict')).toBe('application icoFoam;');
  });

  it('leaves out the files the app pulled while unchanged (and a folder holding only those); a changed one is an input again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'preflight-'));
    await mkdir(join(dir, 'postProcessing'));
    await writeFile(join(dir, 'room.fds'), FDS_4);
    await writeFile(join(dir, 'room (old copy).out'), 'x');
    await writeFile(join(dir, 'postProcessing', 'probes.dat'), 'p');
    const { lstat } = await import('node:fs/promises');
    const rec = async (p: string) => { const st = await lstat(join(dir, p)); return [p, { size: st.size, mtimeMs: st.mtimeMs }] as const; };
    const pulled = new Map([await rec('room (old copy).out'), await rec('postProcessing/probes.dat')]);
    let s = await scanCase(dir, { pulled });
    expect(s.files).toEqual(['room.fds']);
    expect(s.dirs).toEqual([]);
    expect(s.pulled).toEqual(['postProcessing/probes.dat', 'room (old copy).out']);
    expect(preflight(s, { script: 'fds6.9.1', cpu: 3 }).blocking).toBe(false);
    await writeFile(join(dir, 'room (old copy).out'), 'edited by the user');
    s = await scanCase(dir, { pulled });
    expect(s.files).toContain('room (old copy).out');
    expect(preflight(s, { script: 'fds6.9.1', cpu: 3 }).findings.some((f) => f.id === 'forbidden-name')).toBe(true);
  });
});
