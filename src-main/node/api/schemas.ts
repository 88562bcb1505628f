// Validation of cloudHPC replies at the boundary (zod). Tolerant where the service is known to
// vary: numbers sent as strings, "" (its framework's NULL) for empty, extra fields (ignored).
// Strict where a wrong shape would do harm: ids must be JSON numbers, signed URLs must be http(s).
// Lists are validated row by row (parseRows): a damaged row is skipped and reported, never hides
// its page. A reply that does not fit becomes CloudHpcError 'bad-reply' naming the endpoint;
// `undefined` never flows into the app.
import { z } from 'zod';
import type { Simulation, StorageItem } from './types';
import type { PageRows } from './paging';
import { CloudHpcError } from './errors';

/** An id: a non-negative integer sent as a JSON number (a string id is refused). */
export const Id = z.number().int().nonnegative();

/** A number that may come as a numeric string; "" and null become null. */
export const LooseNumberOrNull = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number') return v;
    const t = v.trim();
    if (t === '') return null;
    const n = Number(t);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(v).slice(0, 40)}` });
      return z.NEVER;
    }
    return n;
  });

/** A number that may come as a numeric string; required. */
export const LooseNumber = LooseNumberOrNull.transform((v, ctx) => {
  if (v === null) {
    ctx.addIssue({ code: 'custom', message: 'a number is required' });
    return z.NEVER;
  }
  return v;
});

/** Text; numbers are turned into text, "" / null / missing become null. */
export const TextOrNull = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null || v === '' ? null : String(v)));

/** Text; missing / null become "". */
export const Text = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null ? '' : String(v)));

/** An http(s) URL (a signed storage URL); any other scheme is refused. */
export const HttpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'not an http(s) URL');

export const SimulationSchema = z
  .object({
    id: Id,
    cpu: LooseNumber,
    ram: Text,
    nopre: LooseNumberOrNull,
    folder: Text,
    mesh: Text,
    script: Text,
    status: LooseNumber,
    idate: TextOrNull,
    edate: TextOrNull,
    cpu_hrs: LooseNumberOrNull,
    cost: LooseNumberOrNull,
    vnc_url: TextOrNull,
    ip_address: TextOrNull,
    output: TextOrNull,
    logs: TextOrNull,
  })
  .transform(
    (s): Simulation => ({
      id: s.id,
      cpu: s.cpu,
      ram: s.ram,
      nopre: s.nopre ?? 0,
      folder: s.folder,
      mesh: s.mesh,
      script: s.script,
      status: s.status,
      idate: s.idate,
      edate: s.edate,
      cpuHours: s.cpu_hrs,
      cost: s.cost,
      vncUrl: s.vnc_url,
      ipAddress: s.ip_address,
      output: s.output,
      logs: s.logs,
    }),
  );

export const StorageItemSchema = z
  .object({
    id: Id,
    name: z.string(),
    basename: Text,
    dirname: Text,
    type: z.enum(['dir', 'file']),
    size: LooseNumberOrNull,
    timeCreated: TextOrNull,
  })
  .transform((s): StorageItem => {
    const cut = s.name.lastIndexOf('/');
    return {
      id: s.id,
      name: s.name,
      basename: s.basename || s.name.slice(cut + 1),
      dirname: s.dirname || (cut >= 0 ? s.name.slice(0, cut) : ''),
      type: s.type,
      size: s.size,
      timeCreated: s.timeCreated,
    };
  });

export const schemas = {
  cpuList: z.array(LooseNumber),
  stringList: z.array(z.union([z.string(), z.number()]).transform(String)),
  simulationId: Id,
  /** `true` is expected; tolerate "true"/1/"ok" style acknowledgements. */
  ack: z.unknown().transform((v) => v !== false && v !== 'false' && v !== 0),
  simulation: SimulationSchema,
  simulationList: z.array(SimulationSchema),
  storageItem: StorageItemSchema,
  storageList: z.array(StorageItemSchema),
  uploadUrl: z.object({ url: HttpUrl }).transform((o) => o.url),
  /** view-url: { mediaLink } where "" (or null) means "not ready yet". */
  mediaLink: z
    .object({ mediaLink: z.union([z.literal(''), z.null(), HttpUrl]).optional() })
    .transform((o) => (o.mediaLink ? o.mediaLink : null)),
  /** download/{id}: a URL, either bare or inside an object ({url} / {mediaLink}). */
  downloadUrl: z.union([
    HttpUrl,
    z.object({ url: HttpUrl }).transform((o) => o.url),
    z.object({ mediaLink: HttpUrl }).transform((o) => o.mediaLink),
  ]),
} as const;

/** A row of a list that did not fit its schema. */
export interface BadRow {
  /** Its position in the reply (0-based). */
  index: number;
  /** Its id when it had a usable one. */
  id: number | null;
  /** Which field, and why. */
  problem: string;
}

/**
 * Parses a list reply row by row: rows that fit are kept, each damaged one is passed to `bad` and
 * skipped. A reply that is not a list at all is a 'bad-reply'.
 */
export function parseRows<S extends z.ZodType>(row: S, value: unknown, endpoint: string, httpStatus: number | null, bad: (b: BadRow) => void): PageRows<z.output<S>> {
  if (!Array.isArray(value)) {
    throw new CloudHpcError({ kind: 'bad-reply', endpoint, httpStatus, detail: 'reply does not fit the expected shape: a list was expected' });
  }
  const rows: z.output<S>[] = [];
  value.forEach((v: unknown, index) => {
    const r = row.safeParse(v);
    if (r.success) {
      rows.push(r.data);
      return;
    }
    const issue = r.error.issues[0];
    const rawId = v !== null && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
    bad({
      index,
      id: typeof rawId === 'number' && Number.isSafeInteger(rawId) ? rawId : null,
      problem: `${issue && issue.path.length > 0 ? issue.path.join('.') : 'row'}: ${issue?.message ?? 'invalid'}`,
    });
  });
  return { rows, raw: value.length };
}

/** Parses `value` with `schema`, or throws CloudHpcError 'bad-reply' naming the endpoint. */
export function parseReply<S extends z.ZodType>(schema: S, value: unknown, endpoint: string, httpStatus: number | null = null): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new CloudHpcError({
    kind: 'bad-reply',
    endpoint,
    httpStatus,
    detail: `reply does not fit the expected shape${where}: ${issue?.message ?? 'invalid'}`,
  });
}
