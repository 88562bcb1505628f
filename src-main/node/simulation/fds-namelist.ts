// A tolerant reader of FDS input files (Fortran namelists): `&GROUP KEY=value, ... /`.
// Records start at a line whose first non-blank character is '&' (FDS itself only reads those);
// they may span several lines and end at the first '/' outside quotes. Everything outside a
// record is a comment. Keys are upper-cased; values keep their raw text (quotes removed for strings).

export interface NamelistRecord {
  group: string;
  /** 1-based line of the '&'. */
  line: number;
  params: Map<string, string>;
}

export function parseNamelists(text: string): NamelistRecord[] {
  const out: NamelistRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let atLineStart = true;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') { line++; atLineStart = true; i++; continue; }
    if (atLineStart && (c === ' ' || c === '\t' || c === '\r')) { i++; continue; }
    if (atLineStart && c === '&') {
      const startLine = line;
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      const group = text.slice(i + 1, j).toUpperCase();
      // Find the closing '/' outside quotes.
      let k = j;
      let quote: string | null = null;
      while (k < n) {
        const ch = text[k]!;
        if (ch === '\n') line++;
        if (quote) { if (ch === quote) quote = null; } else if (ch === "'" || ch === '"') quote = ch;
        else if (ch === '/') break;
        k++;
      }
      if (group) out.push({ group, line: startLine, params: parseParams(text.slice(j, k)) });
      i = k + 1;
      atLineStart = false;
      continue;
    }
    atLineStart = false;
    i++;
  }
  return out;
}

/** Splits `KEY=v, KEY2(1:3)='a/b', KEY3=1,2,3` into a map KEY -> raw value (quotes stripped). */
export function parseParams(body: string): Map<string, string> {
  const keys: { name: string; start: number; valueStart: number }[] = [];
  const keyRe = /([A-Za-z_][A-Za-z0-9_]*)\s*(\([^)'"]*\))?\s*=/y;
  let quote: string | null = null;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quote) { if (ch === quote) quote = null; continue; }
    if (ch === "'" || ch === '"') { quote = ch; continue; }
    if (/[A-Za-z_]/.test(ch) && (i === 0 || /[\s,]/.test(body[i - 1]!))) {
      keyRe.lastIndex = i;
      const m = keyRe.exec(body);
      if (m) {
        keys.push({ name: m[1]!.toUpperCase(), start: i, valueStart: keyRe.lastIndex });
        i = keyRe.lastIndex - 1;
      }
    }
  }
  const params = new Map<string, string>();
  keys.forEach((k, idx) => {
    const end = idx + 1 < keys.length ? keys[idx + 1]!.start : body.length;
    let v = body.slice(k.valueStart, end).trim().replace(/,\s*$/, '').trim();
    const q = /^(['"])([\s\S]*)\1$/.exec(v);
    if (q) v = q[2]!;
    params.set(k.name, v);
  });
  return params;
}

function intParam(r: NamelistRecord, key: string, dflt: number): number {
  const v = r.params.get(key);
  if (v === undefined) return dflt;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : dflt;
}

export interface FdsMesh {
  line: number;
  id: string | null;
  /** MPI_PROCESS, or null when not set. */
  mpiProcess: number | null;
  /** How many meshes this record makes (MULT_ID multiplies it). */
  copies: number;
  multId: string | null;
  /** MULT_ID names no &MULT record. */
  unknownMult: boolean;
}

/** The &MESH records of an FDS input, with MULT copies counted. */
export function fdsMeshes(text: string): FdsMesh[] {
  const records = parseNamelists(text);
  const mults = new Map<string, NamelistRecord>();
  for (const r of records) if (r.group === 'MULT') { const id = r.params.get('ID'); if (id) mults.set(id, r); }
  const meshes: FdsMesh[] = [];
  for (const r of records) {
    if (r.group !== 'MESH') continue;
    const multId = r.params.get('MULT_ID') ?? null;
    let copies = 1;
    let unknownMult = false;
    if (multId) {
      const m = mults.get(multId);
      if (!m) unknownMult = true;
      else if (m.params.has('N_UPPER')) copies = intParam(m, 'N_UPPER', 0) - intParam(m, 'N_LOWER', 0) + 1;
      else {
        copies = (intParam(m, 'I_UPPER', 0) - intParam(m, 'I_LOWER', 0) + 1)
          * (intParam(m, 'J_UPPER', 0) - intParam(m, 'J_LOWER', 0) + 1)
          * (intParam(m, 'K_UPPER', 0) - intParam(m, 'K_LOWER', 0) + 1);
      }
      if (!Number.isFinite(copies) || copies < 1) copies = 1;
    }
    const mp = r.params.get('MPI_PROCESS');
    const mpi = mp === undefined ? null : Number.parseInt(mp, 10);
    meshes.push({ line: r.line, id: r.params.get('ID') ?? null, mpiProcess: mpi === null || Number.isNaN(mpi) ? null : mpi, copies, multId, unknownMult });
  }
  return meshes;
}
