// The API v2 routes (/api/v2/...): auth, rate limit, faults, then the endpoint.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Core, KeyState } from './core';
import { ApiError, MAX_JSON_BODY, TECHNICAL_PROBLEM, UNAUTHORIZED, parseJson, readBody, sendJson } from './http';
import { fullForm, publicItem, shortForm } from './projections';
import { signUrl } from './signing';
import { SimulationError, type SimState } from './simulations';
import { SORT_FIELDS, sortItems, type StorageSortField } from './storage';
import { PathError, normaliseStoragePath } from './util';

export const API_BASE = '/api/v2';

interface Ctx {
  core: Core;
  k: KeyState;
  params: string[];
  body: () => Promise<unknown>;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** Name in call counts, e.g. "GET /simulation/view-short/{id}". */
  name: string;
  handle: (c: Ctx) => Promise<unknown>;
}

const SIM_SORT_FIELDS = ['id', 'edate', 'idate', 'status', 'folder', 'script', 'cpu', 'ram', 'cost', 'cpu_hrs'] as const;

// ---- request bodies -------------------------------------------------------------------------
const intLike = (name: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
    if (!Number.isInteger(n)) {
      ctx.addIssue({ code: 'custom', message: `${name} must be an integer (number or string), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });

const AddBody = z.strictObject({
  cpu: intLike('cpu'),
  ram: z.string(),
  script: z.string(),
  folder: z.string(),
  mesh: z.string().optional(),
  // "" is what the provider's bash client sends in interactive mode (checked below, by profile)
  nopre: z.union([z.literal(''), intLike('nopre')]).optional(),
});
const StopBody = z.strictObject({ signal: z.enum(['SIGTSTP', 'SIGINT']) });
const UploadBody = z.strictObject({ dirname: z.string(), filename: z.string(), contentType: z.string() });
const PathBody = z.strictObject({ path: z.string() });

function zodMessage(e: z.ZodError, raw: object): string {
  return e.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown field(s): ${i.keys.join(', ')}`;
      const at = i.path.length ? `${i.path.join('.')}: ` : '';
      const top = i.path[0];
      if (i.path.length === 1 && typeof top === 'string' && !(top in raw)) return `${at}field is required`;
      return `${at}${i.message}`;
    })
    .join('; ');
}

async function parseBody<T>(c: Ctx, schema: z.ZodType<T>): Promise<T> {
  const raw = await c.body();
  if (raw === undefined) throw new ApiError(400, 'A JSON object body is required.');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError(400, 'The body must be a JSON object.');
  const r = schema.safeParse(raw);
  if (!r.success) throw new ApiError(400, `Invalid request body: ${zodMessage(r.error, raw)}.`);
  return r.data;
}

function storagePath(raw: string, what: string): string {
  try {
    return normaliseStoragePath(raw, what);
  } catch (e) {
    if (e instanceof PathError) throw new ApiError(400, e.message);
    throw e;
  }
}

function page(raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ApiError(400, `Page must be an integer >= 1, got "${raw ?? ''}".`);
  return n;
}

function direction(raw: string | undefined): 'asc' | 'desc' {
  if (raw !== 'asc' && raw !== 'desc') throw new ApiError(400, `Order must be "asc" or "desc", got "${raw ?? ''}".`);
  return raw;
}

/**
 * One page of a listing. Past the last page the 'evidence' profile answers page 1 again (as the
 * framework matching the service does); 'classic' answers an empty page.
 */
function pageOf<T>(c: Ctx, items: T[], pageNo: number): T[] {
  const size = c.core.opts.pageSize;
  const from = (pageNo - 1) * size;
  if (from >= items.length && c.core.opts.profile === 'evidence') return items.slice(0, size);
  return items.slice(from, from + size);
}

function patchOf(c: Ctx, id: number): Record<string, unknown> | undefined {
  return c.core.faults.simulationPatch(id);
}

function numericId(raw: string | undefined): number {
  const n = Number(raw);
  if (!raw || !/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new ApiError(403, TECHNICAL_PROBLEM);
  return n;
}

function ownSim(c: Ctx, raw: string | undefined): SimState {
  const s = c.core.engine.find(c.k.keyId, numericId(raw));
  if (!s) throw new ApiError(403, TECHNICAL_PROBLEM);
  return s;
}

function ownItemPath(c: Ctx, raw: string | undefined): string {
  const p = c.k.storage.pathOfId(numericId(raw));
  if (p === undefined) throw new ApiError(403, TECHNICAL_PROBLEM);
  return p;
}

// ---- signed URLs ------------------------------------------------------------------------------
function issueUrl(c: Ctx, method: 'PUT' | 'GET', object: string, contentType: string): string {
  const now = new Date(c.core.clock.urlNowMs());
  const ttl = c.core.opts.urlTtlSeconds;
  const issued = c.core.faults.expireThisUrl() ? new Date(now.getTime() - (ttl + 1) * 1000) : now;
  return signUrl(c.core.origin, c.core.secret, { method, bucket: c.k.bucket, object, contentType }, issued, ttl);
}

// ---- routes -----------------------------------------------------------------------------------
const routes: Route[] = [
  { method: 'GET', pattern: /^\/simulation\/view-cpu$/, name: 'GET /simulation/view-cpu', handle: async (c) => [...c.core.opts.cpus] },
  { method: 'GET', pattern: /^\/simulation\/view-ram$/, name: 'GET /simulation/view-ram', handle: async (c) => [...c.core.opts.rams] },
  { method: 'GET', pattern: /^\/simulation\/view-scripts$/, name: 'GET /simulation/view-scripts', handle: async (c) => [...c.core.opts.scripts] },
  {
    method: 'POST',
    pattern: /^\/simulation\/add$/,
    name: 'POST /simulation/add',
    handle: async (c) => {
      const b = await parseBody(c, AddBody);
      const o = c.core.opts;
      if (!o.cpus.includes(b.cpu)) throw new ApiError(400, `cpu ${b.cpu} is not available; choose one of ${o.cpus.join(', ')}.`);
      if (!o.rams.includes(b.ram)) throw new ApiError(400, `ram "${b.ram}" is not available; choose one of ${o.rams.join(', ')}.`);
      if (!o.scripts.includes(b.script)) throw new ApiError(400, `script "${b.script}" is not available; see /simulation/view-scripts.`);
      const nopre = b.nopre ?? 0;
      if (nopre === '' && o.profile !== 'evidence') throw new ApiError(400, 'Invalid request body: nopre: nopre must be an integer (number or string), got "".');
      if (nopre !== '' && nopre !== 0 && nopre !== 1) throw new ApiError(400, 'nopre must be 0 (SPOT) or 1 (REGULAR).');
      const folder = storagePath(b.folder, 'folder');
      if (folder === '') throw new ApiError(400, 'folder is required: the storage folder of the case.');
      if ((await c.k.storage.kindOf(folder)) !== 'dir') throw new ApiError(400, `FOLDER ${folder} not detected in the storage.`);
      const mesh = b.mesh ? storagePath(b.mesh, 'mesh') : '';
      if (mesh && (await c.k.storage.kindOf(mesh)) !== 'dir') throw new ApiError(400, `MESH FOLDER ${mesh} not detected in the storage.`);
      const r = await c.core.engine.exclusive(async () => c.core.engine.add(c.k.keyId, c.k.userId, { cpu: b.cpu, ram: b.ram, script: b.script, folder, mesh, nopre }));
      return r.id;
    },
  },
  {
    method: 'PUT',
    pattern: /^\/simulation\/stop\/([^/]+)$/,
    name: 'PUT /simulation/stop/{id}',
    handle: async (c) => {
      const s = ownSim(c, c.params[0]);
      const b = await parseBody(c, StopBody);
      await c.core.engine.exclusive(() => c.core.engine.stop(s, b.signal));
      return true;
    },
  },
  {
    method: 'PUT',
    pattern: /^\/simulation\/sync\/([^/]+)$/,
    name: 'PUT /simulation/sync/{id}',
    handle: async (c) => {
      const s = ownSim(c, c.params[0]);
      await c.core.engine.exclusive(() => c.core.engine.sync(s));
      return true;
    },
  },
  {
    method: 'GET',
    pattern: /^\/simulation\/index-short\/([^/]+)\/([^/]+)\/([^/]+)$/,
    name: 'GET /simulation/index-short/{field}/{order}/{page}',
    handle: async (c) => {
      const [fieldRaw, dirRaw, pageRaw] = c.params;
      const field = SIM_SORT_FIELDS.find((f) => f === fieldRaw);
      if (!field) throw new ApiError(400, `Unknown sort field "${fieldRaw ?? ''}"; use one of ${SIM_SORT_FIELDS.join(', ')}.`);
      const dir = direction(dirRaw);
      const p = page(pageRaw);
      const sims = c.core.engine.ofKey(c.k.keyId).map((s) => s.record);
      sims.sort((a, b) => {
        const va = a[field];
        const vb = b[field];
        const cmp = va < vb ? -1 : va > vb ? 1 : a.id - b.id;
        return dir === 'asc' ? cmp : -cmp;
      });
      return pageOf(c, sims, p).map((r) => shortForm(r, patchOf(c, r.id)));
    },
  },
  {
    method: 'GET',
    pattern: /^\/simulation\/view-short\/([^/]+)$/,
    name: 'GET /simulation/view-short/{id}',
    handle: async (c) => {
      const r = ownSim(c, c.params[0]).record;
      return shortForm(r, patchOf(c, r.id));
    },
  },
  {
    method: 'GET',
    pattern: /^\/simulation\/view\/([^/]+)$/,
    name: 'GET /simulation/view/{id}',
    handle: async (c) => {
      const r = ownSim(c, c.params[0]).record;
      return fullForm(r, patchOf(c, r.id));
    },
  },
  {
    method: 'POST',
    pattern: /^\/storage\/upload-url$/,
    name: 'POST /storage/upload-url',
    handle: async (c) => {
      const b = await parseBody(c, UploadBody);
      const dir = storagePath(b.dirname, 'dirname');
      const file = storagePath(b.filename, 'filename');
      if (file === '' || file.includes('/')) throw new ApiError(400, 'filename must be one file name, without "/"; put folders in dirname.');
      if (b.contentType.length > 200 || /[\r\n\u0000]/.test(b.contentType)) throw new ApiError(400, 'contentType is not a valid media type.');
      const object = dir === '' ? file : `${dir}/${file}`;
      if ((await c.k.storage.kindOf(object)) === 'dir') throw new ApiError(400, `"${object}" is a folder in the storage.`);
      return { url: issueUrl(c, 'PUT', object, b.contentType) };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/user\/delete-cache$/,
    name: 'DELETE /user/delete-cache',
    handle: async (c) => {
      c.k.storage.invalidate();
      return true;
    },
  },
  {
    method: 'POST',
    pattern: /^\/storage\/view-by-path$/,
    name: 'POST /storage/view-by-path',
    handle: async (c) => {
      const b = await parseBody(c, PathBody);
      const p = storagePath(b.path, 'path');
      const snap = await c.k.storage.listing();
      const it = snap.byPath.get(p);
      if (!it) throw new ApiError(403, TECHNICAL_PROBLEM);
      return publicItem(it);
    },
  },
  {
    method: 'GET',
    pattern: /^\/storage\/download\/([^/]+)$/,
    name: 'GET /storage/download/{id}',
    handle: async (c) => {
      const p = ownItemPath(c, c.params[0]);
      if ((await c.k.storage.kindOf(p)) !== 'file') throw new ApiError(403, TECHNICAL_PROBLEM);
      return { url: issueUrl(c, 'GET', p, '') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/storage\/view-url\/([^/]+)$/,
    name: 'GET /storage/view-url/{id}',
    handle: async (c) => {
      const p = ownItemPath(c, c.params[0]);
      if ((await c.k.storage.kindOf(p)) !== 'file') throw new ApiError(403, TECHNICAL_PROBLEM);
      c.k.viewUrlCalls++;
      c.core.changed();
      if (c.k.viewUrlCalls <= c.core.opts.emptyMediaLinkCalls) return { mediaLink: '' };
      if (c.k.storage.isFresh(p, c.core.opts.mediaLinkDelaySeconds * 1000)) return { mediaLink: '' };
      return { mediaLink: issueUrl(c, 'GET', p, '') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/storage\/index\/([^/]+)\/([^/]+)\/parent_id\/([^/]+)\/([^/]+)$/,
    name: 'GET /storage/index/{field}/{order}/parent_id/{id}/{page}',
    handle: async (c) => {
      const [fieldRaw, dirRaw, idRaw, pageRaw] = c.params;
      const field = sortField(fieldRaw);
      const dir = direction(dirRaw);
      const p = page(pageRaw);
      const snap = await c.k.storage.listing();
      const id = numericId(idRaw);
      const parent = snap.items.find((it) => it.id === id);
      if (!parent || parent.type !== 'dir') throw new ApiError(403, TECHNICAL_PROBLEM);
      return pageOf(c, sortItems(snap.children.get(parent.name) ?? [], field, dir), p).map(publicItem);
    },
  },
  {
    method: 'GET',
    pattern: /^\/storage\/index\/([^/]+)\/([^/]+)\/([^/]+)$/,
    name: 'GET /storage/index/{field}/{order}/{page}',
    handle: async (c) => {
      const [fieldRaw, dirRaw, pageRaw] = c.params;
      const field = sortField(fieldRaw);
      const dir = direction(dirRaw);
      const p = page(pageRaw);
      const snap = await c.k.storage.listing();
      return pageOf(c, sortItems(snap.children.get('') ?? [], field, dir), p).map(publicItem);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/storage\/delete\/([^/]+)$/,
    name: 'DELETE /storage/delete/{id}',
    handle: async (c) => {
      const p = ownItemPath(c, c.params[0]);
      await c.k.storage.remove(p);
      return true;
    },
  },
];

function sortField(raw: string | undefined): StorageSortField {
  const f = SORT_FIELDS.find((x) => x === raw);
  if (!f) throw new ApiError(400, `Unknown sort field "${raw ?? ''}"; use one of ${SORT_FIELDS.join(', ')}.`);
  return f;
}

function matchRoute(method: string, path: string): { route: Route; params: string[] } | { methodMismatch: true } | undefined {
  let mismatch = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      mismatch = true;
      continue;
    }
    const params = m.slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    return { route, params };
  }
  return mismatch ? { methodMismatch: true } : undefined;
}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const v = req.headers['x-api-key'];
  return Array.isArray(v) ? v[0] : v;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The matching framework's text: "%1$s rate limit reached (%2$d requests per %3$s)". */
export function rateLimitText(which: 'hourly' | 'daily', limits: { hourly: number; daily: number }): string {
  return which === 'hourly' ? `Hourly rate limit reached (${limits.hourly} requests per hour)` : `Daily rate limit reached (${limits.daily} requests per day)`;
}

/** Handles one request under /api/v2. `sub` is the path after the base, e.g. "/simulation/add". */
export async function handleApi(core: Core, req: IncomingMessage, res: ServerResponse, sub: string): Promise<void> {
  const method = req.method ?? 'GET';
  const key = apiKeyOf(req);
  const k = key === undefined ? undefined : core.keys.get(key);
  if (!k) {
    req.resume();
    sendJson(res, 403, { errors: [UNAUTHORIZED] });
    return;
  }
  const match = matchRoute(method, sub);
  const endpoint = match && 'route' in match ? match.route.name : `${method} ${sub}`;
  const nowMs = core.clock.nowMs();
  const taken = k.counter.take(nowMs, endpoint);
  core.changed();
  const evidence = core.opts.profile === 'evidence';
  if (!taken.ok) {
    req.resume();
    if (evidence) {
      // the matching framework: 403, its own text, the counters as they are, no Retry-After
      sendJson(res, 403, { errors: [rateLimitText(taken.which, k.counter.limits)] }, k.counter.headers(nowMs));
      return;
    }
    const retry = Math.max(1, Math.ceil(core.clock.realSeconds(taken.retryAfterSimSeconds)));
    sendJson(res, 429, { errors: ['Too many requests: API call limit reached, try again later.'] }, { ...k.counter.headers(nowMs), 'retry-after': String(retry) });
    return;
  }
  const headers = (): Record<string, string> => k.counter.headers(core.clock.nowMs());
  if (core.faults.latencyMs > 0) await wait(core.faults.latencyMs);
  if (core.faults.error500()) {
    req.resume();
    sendJson(res, 500, { errors: ['Internal server error (injected fault).'] }, headers());
    return;
  }
  let status = 200;
  let body: unknown;
  let extra: Record<string, string> = {};
  try {
    if (!match) throw new ApiError(404, `Unknown API endpoint: ${method} ${API_BASE}${sub}`);
    if ('methodMismatch' in match) throw new ApiError(405, `Method ${method} is not allowed on ${API_BASE}${sub}.`);
    if (k.denied.has(match.route.name)) throw new ApiError(403, UNAUTHORIZED);
    await core.tickUnlessBusy();
    let cached: Promise<unknown> | undefined;
    const ctx: Ctx = {
      core,
      k,
      params: match.params,
      body: () => (cached ??= readBody(req, MAX_JSON_BODY).then(parseJson)),
    };
    body = { response: await match.route.handle(ctx) };
    if (!cached) req.resume();
  } catch (e) {
    req.resume();
    if (e instanceof ApiError) {
      status = e.status;
      extra = e.headers;
      body = { errors: [e.message] };
    } else if (e instanceof SimulationError) {
      status = 400;
      body = { errors: [e.message] };
    } else {
      status = 500;
      body = { errors: [TECHNICAL_PROBLEM] };
    }
    // the service's framework answers every error of the application with 403 and its text
    if (evidence) status = 403;
  }
  if (core.faults.dropReply(`${method} ${sub}`)) {
    req.socket.destroy();
    return;
  }
  sendJson(res, status, body, { ...headers(), ...extra });
}
