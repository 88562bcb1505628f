// Which remote files a pull brings down, and how to find them for the fewest API calls.
//
// Two ways to find the files of the storage folder:
// - 'by-name': one view-by-path call per name we expect (the solver family's result archives and
//   the service's own files). Exact and never stale, but blind to names we cannot guess (*.rmed).
// - 'listing': view-by-path of the folder once (its id, then cached in the index), then parent_id
//   pages of `pageSize` items (100 in the framework matching the service) until a short page, an
//   empty one or page 1 again (api/paging.ts). Sees every top-level name.
// planPull() prices both and picks the cheaper (listing when 'pull everything' is set or when the
// family has result names we cannot guess). Each file to download costs one more call (download url).

export type SolverFamily = 'fds' | 'openfoam' | 'saturne' | 'code-aster' | 'calculix' | 'openradioss';

/** Result archives the service writes into the case folder, per solver family. */
export const RESULT_ARCHIVES: Record<SolverFamily, string[]> = {
  fds: ['FDS.tar.gz'],
  openfoam: ['OPENFOAM-solution.tar.gz', 'OPENFOAM-constant.tar.gz', 'OPENFOAM-system.tar.gz'],
  saturne: ['SATURNE-solution.tar.gz'],
  'code-aster': ['CODE-ASTER.tar.gz'],
  calculix: ['CALCULIX.tar.gz'],
  openradioss: ['OPENRADIOSS.tar.gz'],
};

/** Files the service writes into every case folder (log and hardware monitors). */
export const SERVICE_FILES = ['cloudhpc.log', 'cloudhpc.err', 'cpu.csv', 'ram.csv', 'totcpu.csv'];

const ARCHIVE_RE = /^(FDS\.tar\.gz|OPENFOAM-[^/]*\.tar\.gz|SATURNE-solution\.tar\.gz|CODE-ASTER\.tar\.gz|CALCULIX\.tar\.gz|OPENRADIOSS\.tar\.gz)$/;
const RESULT_FILE_RE = /(\.rmed|\.frd|\.csv)$/i;

/** A solver result archive (extracted in place when the setting is on). */
export function isResultArchive(basename: string): boolean {
  return ARCHIVE_RE.test(basename);
}

/** Never pulled: our own input archive and the service's massive-files bundles. */
export function isSkipped(basename: string): boolean {
  return basename === 'upload.tar.gz' || basename.startsWith('CloudHPC-massive-files');
}

/** Pulled by default: result archives, *.rmed, *.frd, cloudhpc.log/.err, *.csv monitors. */
export function isDefaultResult(basename: string): boolean {
  if (isSkipped(basename)) return false;
  return isResultArchive(basename) || RESULT_FILE_RE.test(basename) || basename === 'cloudhpc.log' || basename === 'cloudhpc.err';
}

/** The family of a solver script name as the service lists them ('fds6.9.1', 'openFoam-v2406', ...). */
export function familyOfScript(script: string | null | undefined): SolverFamily | null {
  const s = (script ?? '').toLowerCase();
  if (s.startsWith('fds')) return 'fds';
  if (s.includes('foam') || s.startsWith('snappyhexmesh')) return 'openfoam';
  if (s.includes('saturne')) return 'saturne';
  if (s.includes('aster')) return 'code-aster';
  if (s.includes('calculix') || s.startsWith('ccx')) return 'calculix';
  if (s.includes('radioss')) return 'openradioss';
  return null;
}

/** Guess the family from the case's top-level local file names when no script is known. */
export function familyOfFiles(names: readonly string[]): SolverFamily | null {
  const has = (re: RegExp) => names.some((n) => re.test(n));
  if (has(/^system\/controlDict$/) || (has(/^system$/) && has(/^constant$/))) return 'openfoam';
  if (has(/\.fds$/i)) return 'fds';
  if (has(/\.(comm|export)$/i)) return 'code-aster';
  if (has(/\.rad$/i)) return 'openradioss';
  if (has(/\.inp$/i)) return 'calculix';
  if (has(/\.xml$/i) && has(/^(DATA|SRC)$/)) return 'saturne';
  return null;
}

/**
 * Names to ask for by view-by-path, or null when the family has results whose names we cannot
 * guess (code_aster *.rmed) or the family is unknown: then only a listing finds everything.
 * CalculiX writes <job>.frd for each top-level <job>.inp.
 */
export function expectedNames(family: SolverFamily | null, localTopLevel: readonly string[]): string[] | null {
  if (!family || family === 'code-aster') return null;
  const names = [...RESULT_ARCHIVES[family], ...SERVICE_FILES];
  if (family === 'calculix') {
    for (const n of localTopLevel) if (/\.inp$/i.test(n) && !n.includes('/')) names.push(n.replace(/\.inp$/i, '.frd'));
  }
  return [...new Set(names)];
}

export type Strategy = 'by-name' | 'listing';

export interface PlanInput {
  family: SolverFamily | null;
  pullEverything: boolean;
  /** Top-level names of the local case (files and folders), for CalculiX job names and the listing size estimate. */
  localTopLevel: readonly string[];
  /** The storage folder's id is cached from an earlier pull (saves the view-by-path of the folder). */
  folderIdKnown: boolean;
  pageSize?: number;
  /** Call delete-cache first so the listing shows what the service wrote since (1 call). Default false. */
  refreshCache?: boolean;
}

export interface PullPlan {
  strategy: Strategy;
  /** Calls to find out what is in the cloud (before any download). */
  lookupCalls: number;
  /** Names asked for one by one (strategy 'by-name'). */
  names: string[];
  /** One line a person can read: what it costs and why this way. */
  reason: string;
}

/**
 * Estimated listing cost: folder lookup (unless cached) + pages until a short page; a listing that
 * fits in one page takes a second call (empty, or page 1 again) since one page does not tell the
 * page size.
 */
export function listingCost(items: number, folderIdKnown: boolean, pageSize = 100): number {
  return (folderIdKnown ? 0 : 1) + Math.floor(items / pageSize) + 1 + (items < pageSize ? 1 : 0);
}

export function planPull(input: PlanInput): PullPlan {
  const pageSize = input.pageSize ?? 100;
  const names = input.pullEverything ? null : expectedNames(input.family, input.localTopLevel);
  // The storage folder holds the extracted case (its top-level entries) plus results and service files.
  const expectedItems = input.localTopLevel.filter((n) => !n.includes('/')).length + 8;
  const listCalls = listingCost(expectedItems, input.folderIdKnown, pageSize);
  const refresh = input.refreshCache ? 1 : 0;
  const plus = `${refresh ? ' + 1 delete-cache call (fresh listing)' : ''}; +1 call per file to download`;
  if (!names) {
    const why = input.pullEverything ? "'pull everything new' is on" : input.family ? `${input.family} result names cannot be guessed` : 'the solver is unknown';
    return { strategy: 'listing', lookupCalls: listCalls + refresh, names: [], reason: `listing the folder (~${listCalls} API calls): ${why}${plus}` };
  }
  if (names.length <= listCalls) {
    return { strategy: 'by-name', lookupCalls: names.length + refresh, names, reason: `${names.length} view-by-path calls (listing would cost ~${listCalls})${plus}` };
  }
  return { strategy: 'listing', lookupCalls: listCalls + refresh, names: [], reason: `listing the folder (~${listCalls} API calls, asking ${names.length} names one by one would cost more)${plus}` };
}
