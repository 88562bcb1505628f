// Which solver a cloudHPC script runs, from its name (view-scripts gives names such as
// "fds6.9.1", "openFoam-v2406", "snappyHexMesh-v2312", "codeAster-17.0_mpi", "calculiX-2.21-PARDISO").

export type SolverFamily =
  | 'fds'
  | 'openfoam'
  | 'code_aster'
  | 'calculix'
  | 'code_saturne'
  | 'openradioss'
  | 'custom-script'
  | 'unknown';

export interface ScriptInfo {
  family: SolverFamily;
  /** OpenFOAM meshing script (snappyHexMesh): the run builds the mesh, a 0 folder is optional. */
  meshing: boolean;
}

export function solverFamily(script: string): ScriptInfo {
  const s = script.toLowerCase().replace(/[\s_-]/g, '');
  if (s.includes('custom')) return { family: 'custom-script', meshing: false };
  if (s.includes('snappy')) return { family: 'openfoam', meshing: true };
  if (s.includes('foam')) return { family: 'openfoam', meshing: false };
  if (s.startsWith('fds') || /(^|[^a-z])fds/.test(script.toLowerCase())) return { family: 'fds', meshing: false };
  if (s.includes('aster')) return { family: 'code_aster', meshing: false };
  if (s.includes('calculix') || s.startsWith('ccx')) return { family: 'calculix', meshing: false };
  if (s.includes('saturne')) return { family: 'code_saturne', meshing: false };
  if (s.includes('radioss')) return { family: 'openradioss', meshing: false };
  return { family: 'unknown', meshing: false };
}

export const FAMILY_LABEL: Record<SolverFamily, string> = {
  fds: 'FDS',
  openfoam: 'OpenFOAM',
  code_aster: 'code_aster',
  calculix: 'CalculiX',
  code_saturne: 'code_saturne',
  openradioss: 'OpenRadioss',
  'custom-script': 'custom script',
  unknown: 'unknown solver',
};
