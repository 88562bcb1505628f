// Where a run ends on the solver's own clock, read from the case the user launched (pure: texts in,
// a window out, null when the case does not say):
// - FDS: &TIME T_BEGIN / T_END in the .fds (FDS defaults: 0 and 1 s when not given);
// - OpenFOAM: system/controlDict startFrom (firstTime | startTime | latestTime) / startTime / endTime,
//   with stopAt endTime (the default); `$name` references to other top-level entries are followed;
// - code_saturne: the GUI's setup .xml, <time_parameters> <iterations> (steps) or <maximum_time>;
// - code_aster: the .comm's last time (INST_FIN, else the largest JUSQU_A of its time lists);
// - CalculiX: the sum of the *STEP time periods (*STATIC, *DYNAMIC, *HEAT TRANSFER...; 1.0 when
//   not given), which is what ccx prints as `actual total time`.

import type { RunWindowView } from '../../../common/insight';
import { parseNamelists } from '../fds-namelist';

export type RunWindow = RunWindowView;

/** FDS: T_BEGIN..T_END from the first &TIME record (FDS's own defaults when absent). */
export function fdsWindow(text: string, fileName = 'the .fds file'): RunWindow {
  const time = parseNamelists(text).find((r) => r.group === 'TIME');
  const read = (k: string, d: number): number => {
    const v = time?.params.get(k);
    const n = v === undefined ? Number.NaN : Number(v.replace(/[dD]/, 'e'));
    return Number.isFinite(n) ? n : d;
  };
  const start = read('T_BEGIN', 0);
  const end = read('T_END', 1);
  const source = time?.params.has('T_END') ? `T_END in ${fileName}` : `FDS's default T_END (${fileName} sets none)`;
  return { start, end, unit: 's', source };
}

/** The top-level `key value;` entries of an OpenFOAM dictionary (comments removed, sub-dictionaries skipped). */
export function foamTopLevel(text: string): Map<string, string> {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const out = new Map<string, string>();
  let depth = 0;
  let stmt = '';
  for (const ch of clean) {
    if (ch === '{') {
      depth++;
      stmt = '';
      continue;
    }
    if (ch === '}') {
      depth = Math.max(0, depth - 1);
      stmt = '';
      continue;
    }
    if (depth > 0) continue;
    if (ch === ';') {
      const m = /^\s*([A-Za-z_][\w.]*)\s+([\s\S]+?)\s*$/.exec(stmt);
      if (m) out.set(m[1]!, m[2]!);
      stmt = '';
      continue;
    }
    stmt += ch;
  }
  return out;
}

function foamNumber(entries: Map<string, string>, key: string, seen = new Set<string>()): number | null {
  const v = entries.get(key);
  if (v === undefined) return null;
  const ref = /^\$([A-Za-z_][\w.]*)$/.exec(v);
  if (ref) {
    if (seen.has(key)) return null;
    seen.add(key);
    return foamNumber(entries, ref[1]!, seen);
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Latest numeric time folder among `names` (e.g. the case folder's entries, or processor0's). */
function latestTimeDir(names: string[]): number | null {
  let best: number | null = null;
  for (const n of names) {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(n)) continue;
    const v = Number(n);
    if (best === null || v > best) best = v;
  }
  return best;
}

/**
 * OpenFOAM: the window from system/controlDict. `timeDirs` are the case's folder names (for
 * startFrom latestTime); when latestTime cannot be resolved, start is null and the caller uses
 * the first time the log shows.
 */
export function openFoamWindow(controlDict: string, timeDirs: string[] = []): (Omit<RunWindow, 'start'> & { start: number | null; maxCo: number | null }) | null {
  const e = foamTopLevel(controlDict);
  const stopAt = e.get('stopAt') ?? 'endTime';
  if (stopAt !== 'endTime') return null;
  const end = foamNumber(e, 'endTime');
  if (end === null) return null;
  const startFrom = e.get('startFrom') ?? 'startTime';
  let start: number | null;
  if (startFrom === 'latestTime') start = latestTimeDir(timeDirs);
  else if (startFrom === 'firstTime') start = firstTimeDir(timeDirs) ?? foamNumber(e, 'startTime');
  else start = foamNumber(e, 'startTime') ?? 0;
  return { start, end, unit: '', source: 'endTime in system/controlDict', maxCo: foamNumber(e, 'maxCo') };
}

function firstTimeDir(names: string[]): number | null {
  const nums = names.filter((n) => /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(n)).map(Number);
  return nums.length ? Math.min(...nums) : null;
}

/** code_saturne: the stop criterion of the GUI's setup file. */
export function saturneWindow(xml: string, fileName = 'the setup .xml'): RunWindow | null {
  const block = /<time_parameters>([\s\S]*?)<\/time_parameters>/.exec(xml)?.[1];
  if (!block) return null;
  const tag = (t: string): number | null => {
    const m = new RegExp(`<${t}>\\s*([^<]+?)\\s*</${t}>`).exec(block);
    const n = m ? Number(m[1]) : Number.NaN;
    return Number.isFinite(n) ? n : null;
  };
  const it = tag('iterations');
  if (it !== null) return { start: 0, end: it, unit: 'step', source: `iterations in ${fileName}` };
  const tmax = tag('maximum_time');
  if (tmax !== null) return { start: 0, end: tmax, unit: 's', source: `maximum_time in ${fileName}` };
  return null;
}

/** code_aster: the .comm's end instant (INST_FIN when set, else the largest JUSQU_A). */
export function asterWindow(comm: string, fileName = 'the .comm file'): RunWindow | null {
  const clean = comm.replace(/#[^\n]*/g, '');
  const values = (key: string): number[] => [...clean.matchAll(new RegExp(`\\b${key}\\s*=\\s*([-+]?[\\d.]+(?:[eE][-+]?\\d+)?)`, 'g'))].map((m) => Number(m[1])).filter(Number.isFinite);
  const fin = values('INST_FIN');
  const jusqu = values('JUSQU_A');
  const end = fin.length ? Math.max(...fin) : jusqu.length ? Math.max(...jusqu) : null;
  if (end === null) return null;
  const init = values('INST_INIT');
  const debut = values('DEBUT');
  const start = init.length ? Math.min(...init) : debut.length ? Math.min(...debut) : 0;
  if (!(end > start)) return null;
  return { start, end, unit: 's', source: `${fin.length ? 'INST_FIN' : 'JUSQU_A'} in ${fileName}` };
}

const CCX_PROCEDURES = /^\*(STATIC|DYNAMIC|HEAT TRANSFER|COUPLED TEMPERATURE-DISPLACEMENT|UNCOUPLED TEMPERATURE-DISPLACEMENT|VISCO|CREEP|ELECTROMAGNETICS|MASS DIFFUSION)\b/i;

/** CalculiX: total time at the end of the last step (sum of the step periods). */
export function calculixWindow(inp: string, fileName = 'the .inp file'): RunWindow | null {
  const lines = inp.split(/\r?\n/);
  let total = 0;
  let steps = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!CCX_PROCEDURES.test(l)) continue;
    steps++;
    // the data line after the keyword (continuation lines and comments skipped)
    let data = '';
    for (let j = i + 1; j < lines.length; j++) {
      const d = lines[j]!.trim();
      if (d.startsWith('**') || d === '') continue;
      if (!d.startsWith('*')) data = d;
      break;
    }
    // initial increment, time period of the step, ...: the period defaults to 1.0
    const period = Number(data.split(',')[1]);
    total += Number.isFinite(period) && period > 0 ? period : 1;
  }
  if (steps === 0) return null;
  return { start: 0, end: total, unit: 's', source: `step times in ${fileName}` };
}
