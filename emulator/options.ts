// Option lists like the real service's, and what each solver family needs and produces.
export const DEFAULT_CPUS = [1, 2, 4, 8, 16, 32, 48, 64, 96, 112, 192, 224];
export const DEFAULT_RAMS = ['highcpu', 'standard', 'highmem', 'hypercpu', 'basegpu', 'highcore', 'hypercore'];
export const DEFAULT_SCRIPTS = [
  'fds6.7.9',
  'fds6.9.1',
  'openFoam-v2312',
  'openFoam-v2406',
  'openFoam-12',
  'DAFoam-v5.0.0',
  'snappyHexMesh-v2312',
  'snappyHexMesh-v2406',
  'codeAster-16.4',
  'codeAster-17.0_mpi',
  'calculiX-2.21',
  'calculiX-2.21-PARDISO',
  'codeSaturne-8.0',
  'openRadioss-2024',
  'custom-script',
];

/** EUR per vCPU hour by RAM class (plausible values; the real price list is not public here). */
export const PRICE_PER_CPU_HOUR: Record<string, number> = {
  highcpu: 0.012,
  standard: 0.016,
  highmem: 0.02,
  hypercpu: 0.025,
  basegpu: 0.06,
  highcore: 0.03,
  hypercore: 0.045,
};

export type SolverFamily = 'fds' | 'openFoam' | 'snappyHexMesh' | 'codeAster' | 'calculiX' | 'codeSaturne' | 'openRadioss' | 'custom';

export function familyOf(script: string): SolverFamily {
  const s = script.toLowerCase();
  if (s.startsWith('fds')) return 'fds';
  if (s.startsWith('snappyhexmesh')) return 'snappyHexMesh';
  if (s.startsWith('openfoam') || s.startsWith('dafoam')) return 'openFoam';
  if (s.startsWith('codeaster') || s.startsWith('code_aster')) return 'codeAster';
  if (s.startsWith('calculix')) return 'calculiX';
  if (s.startsWith('codesaturne') || s.startsWith('code_saturne')) return 'codeSaturne';
  if (s.startsWith('openradioss')) return 'openRadioss';
  return 'custom';
}

/** Result archives the service writes, by family (never extracted as inputs). */
export const RESULT_ARCHIVES: Record<SolverFamily, string | undefined> = {
  fds: 'FDS.tar.gz',
  openFoam: 'OPENFOAM-solution.tar.gz',
  snappyHexMesh: 'OPENFOAM-solution.tar.gz',
  codeAster: 'CODE-ASTER.tar.gz',
  calculiX: 'CALCULIX.tar.gz',
  codeSaturne: 'SATURNE-solution.tar.gz',
  openRadioss: 'OPENRADIOSS.tar.gz',
  custom: undefined,
};

const RESULT_ARCHIVE_NAMES = new Set([
  'FDS.tar.gz',
  'OPENFOAM-solution.tar.gz',
  'OPENFOAM-constant.tar.gz',
  'OPENFOAM-system.tar.gz',
  'SATURNE-solution.tar.gz',
  'CODE-ASTER.tar.gz',
  'CALCULIX.tar.gz',
  'OPENRADIOSS.tar.gz',
]);

/** Is this top-level file of a case folder an input archive the service extracts at start? */
export function isInputArchive(name: string): boolean {
  if (RESULT_ARCHIVE_NAMES.has(name)) return false;
  if (name.startsWith('CloudHPC-massive-files')) return false;
  return /\.(tar\.gz|tgz|tar|zip)$/i.test(name);
}
