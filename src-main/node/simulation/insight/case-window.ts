// Where a run ends, read once from the local case folder it was launched from, with the reader of its
// solver family (./end-time.ts): FDS the `.fds` (the first by name, as the service picks it),
// OpenFOAM `system/controlDict` and the time folders, code_saturne the setup `.xml`, code_aster the
// `.comm`, CalculiX the `.inp`. The folder is the user's: a file is read only when it is a regular
// file of a sane size (a FIFO or a device under the input's name is not opened for a blocking read),
// and nothing is written. When there is no window, `reason` says why in words for the user.
import { closeSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openRegularFileSync } from '../../api/local-file';
import { asterWindow, calculixWindow, fdsWindow, openFoamWindow, saturneWindow } from './end-time';
import { insightFamily, type CaseWindow } from './run-insight';

/** Input files are far smaller; a larger one is not an input the solver reads as text. */
const MAX_INPUT_BYTES = 8 * 1024 * 1024;

export interface CaseWindowResult {
  window: CaseWindow | null;
  /** Why there is no window (null when there is one). */
  reason: string | null;
}

/**
 * A regular file's text, or null (missing, a link, not a regular file, too large, unreadable). Opened
 * as the sync engine opens what it uploads (no link followed, no FIFO waited on): a linked input is
 * not in the cloud copy either, so the run does not read it.
 */
export function readInputText(path: string, maxBytes = MAX_INPUT_BYTES): string | null {
  let fd: number | null = null;
  try {
    const opened = openRegularFileSync(path);
    fd = opened.fd;
    if (opened.stat.size > maxBytes) return null;
    return readFileSync(fd, 'utf8');
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function topLevel(dir: string): { files: string[]; dirs: string[] } | null {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    return {
      files: entries.filter((e) => e.isFile()).map((e) => e.name).sort(),
      dirs: entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(),
    };
  } catch {
    return null;
  }
}

/** The run's end from its local case folder (`caseDir` null: no project on this computer syncs its storage folder). */
export function readCaseWindow(caseDir: string | null, script: string): CaseWindowResult {
  const { family, meshing } = insightFamily(script);
  if (meshing || family === 'other') return { window: null, reason: null }; // RunInsight says why
  if (caseDir === null) return { window: null, reason: 'the case folder of this run is not a project on this computer, so its end is not known' };
  const top = topLevel(caseDir);
  if (!top) return { window: null, reason: `the case folder ${caseDir} cannot be read` };
  const first = (ext: string): string | null => top.files.find((f) => f.toLowerCase().endsWith(ext)) ?? null;
  const read = (rel: string): string | null => readInputText(join(caseDir, ...rel.split('/')));
  const none = (what: string): CaseWindowResult => ({ window: null, reason: `the case folder has no readable ${what}` });
  switch (family) {
    case 'fds': {
      const f = first('.fds');
      const text = f ? read(f) : null;
      return f && text !== null ? { window: fdsWindow(text, f), reason: null } : none('.fds file');
    }
    case 'openfoam': {
      const text = read('system/controlDict');
      if (text === null) return none('system/controlDict');
      const w = openFoamWindow(text, top.dirs);
      if (!w) return { window: null, reason: 'system/controlDict states no endTime to stop at (stopAt is not endTime)' };
      return { window: { start: w.start, end: w.end, unit: w.unit, source: w.source }, reason: null };
    }
    case 'code_saturne': {
      const f = first('.xml');
      const text = f ? read(f) : null;
      const w = f && text !== null ? saturneWindow(text, f) : null;
      return w ? { window: w, reason: null } : { window: null, reason: 'the case states no number of iterations or maximum time in a setup .xml' };
    }
    case 'code_aster': {
      const f = first('.comm');
      const text = f ? read(f) : null;
      const w = f && text !== null ? asterWindow(text, f) : null;
      return w ? { window: w, reason: null } : { window: null, reason: 'the .comm file states no INST_FIN or JUSQU_A to end at' };
    }
    case 'calculix': {
      const f = first('.inp');
      const text = f ? read(f) : null;
      const w = f && text !== null ? calculixWindow(text, f) : null;
      return w ? { window: w, reason: null } : { window: null, reason: 'the .inp file states no step to end at' };
    }
  }
}
