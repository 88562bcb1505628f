import { describe, expect, it } from 'vitest';
import { caseProfile, cpuFor, scriptFor } from '../../../src-main/node/simulation/case-profile';
import type { CaseSnapshot } from '../../../src-main/node/simulation/preflight';

function snap(files: Record<string, string>): CaseSnapshot {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return { files: Object.keys(files), dirs: [...dirs], read: (p) => files[p] ?? null };
}

// The emulator's list, which follows the service's names.
const OFFERED = ['fds6.7.9', 'fds6.9.1', 'openFoam-v2312', 'openFoam-v2406', 'openFoam-12', 'DAFoam-v5.0.0', 'snappyHexMesh-v2312', 'snappyHexMesh-v2406',
  'codeAster-16.4', 'codeAster-17.0_mpi', 'calculiX-2.21', 'calculiX-2.21-PARDISO', 'codeSaturne-8.0', 'openRadioss-2024', 'custom-script'];

describe('what a case is (the launch preselection)', () => {
  it('detects the solver family from the files, with the file that shows it and the processes it asks for', () => {
    expect(caseProfile(snap({ 'system/controlDict': '', 'system/decomposeParDict': 'method scotch; numberOfSubdomains 6;', '0/U': '' })))
      .toEqual({ family: 'openfoam', evidence: 'system/controlDict', processes: 6 });
    expect(caseProfile(snap({ 'room.fds': "&MESH XB=0,1,0,1,0,1 /\n&MESH XB=1,2,0,1,0,1 /\n", 'notes.txt': '' })))
      .toEqual({ family: 'fds', evidence: 'room.fds', processes: 2 });
    expect(caseProfile(snap({ 'beam.export': '', 'beam.comm': '' })).family).toBe('code_aster');
    expect(caseProfile(snap({ 'job.inp': '' })).family).toBe('calculix');
    expect(caseProfile(snap({ 'DATA/setup.xml': '', 'SRC/x': '' })).family).toBe('code_saturne');
    expect(caseProfile(snap({ 'crash_0000.rad': '', 'crash_0001.rad': '' })).family).toBe('openradioss');
    expect(caseProfile(snap({ 'readme.txt': '' }))).toEqual({ family: null, evidence: null, processes: null });
  });

  it("preselects the family's newest offered solver script (not a mesher nor a derived solver), or the project's last one", () => {
    expect(scriptFor('openfoam', OFFERED)).toBe('openFoam-v2406');
    expect(scriptFor('fds', OFFERED)).toBe('fds6.9.1');
    expect(scriptFor('code_aster', OFFERED)).toBe('codeAster-17.0_mpi');
    expect(scriptFor('calculix', OFFERED)).toBe('calculiX-2.21'); // a variant of the same version is not newer
    expect(scriptFor('openfoam', OFFERED, 'openFoam-v2312')).toBe('openFoam-v2312');
    expect(scriptFor('openfoam', OFFERED, 'fds6.9.1')).toBe('openFoam-v2406'); // the last run was another family
    expect(scriptFor('openfoam', OFFERED, 'openFoam-v2012')).toBe('openFoam-v2406'); // no longer offered
    expect(scriptFor('fds', ['openFoam-v2406'])).toBeNull();
    expect(scriptFor(null, OFFERED)).toBeNull();
  });

  it('preselects the smallest offered vCPU count that fits the case, else 2', () => {
    expect(cpuFor(3, [1, 2, 4, 8])).toBe(4);
    expect(cpuFor(6, [1, 2, 4, 8, 16])).toBe(8);
    expect(cpuFor(null, [1, 2, 4])).toBe(2);
    expect(cpuFor(64, [1, 2, 4])).toBe(2);
    expect(cpuFor(null, [])).toBeNull();
  });
});
