// Test-only control surface under /__emulator/ (served only with control: true / --control), for
// tests running in another process: inspect state, advance the clock, set faults, seed files.
// The key a call is about travels in the X-API-key header, as for the API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Core } from './core';
import { ApiError, MAX_JSON_BODY, parseJson, readBody, sendJson } from './http';
import { fullForm } from './projections';
import { PathError, normaliseStoragePath } from './util';

export const CONTROL_PREFIX = '/__emulator';

const FaultsBody = z.strictObject({
  latencyMs: z.number().min(0).optional(),
  error500Rate: z.number().min(0).max(1).optional(),
  dropReplyRate: z.number().min(0).max(1).optional(),
  dropReplyFor: z.array(z.string()).optional(),
  dropTransferRate: z.number().min(0).max(1).optional(),
  dropTransferAfterBytes: z.number().int().min(0).optional(),
  expireNextUrls: z.number().int().min(0).optional(),
  transferBytesPerSec: z.number().min(0).optional(),
  seed: z.number().int().optional(),
  simulationPatches: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
const AdvanceBody = z.strictObject({ seconds: z.number().min(0).max(10 * 365 * 86400) });
const SeedBody = z.strictObject({ path: z.string(), text: z.string().optional(), base64: z.string().optional() });

export interface ControlHooks {
  advance(seconds: number): Promise<void>;
  seed(key: string, path: string, data: Buffer): Promise<void>;
}

export async function handleControl(core: Core, hooks: ControlHooks, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const sub = url.pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  const keyHeader = req.headers['x-api-key'];
  const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
  const needKey = () => {
    const k = key === undefined ? undefined : core.keys.get(key);
    if (!k) throw new ApiError(403, 'Control calls about a key need its X-API-key header.');
    return k;
  };
  const body = async <T>(schema: z.ZodType<T>): Promise<T> => {
    const raw = parseJson(await readBody(req, MAX_JSON_BODY));
    const r = schema.safeParse(raw ?? {});
    if (!r.success) throw new ApiError(400, `Invalid control body: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    return r.data;
  };
  try {
    let response: unknown;
    if (method === 'GET' && sub === '/clock') response = { now: core.clock.now().toISOString() };
    else if (method === 'POST' && sub === '/clock/advance') {
      const b = await body(AdvanceBody);
      await hooks.advance(b.seconds);
      response = { now: core.clock.now().toISOString() };
    } else if (method === 'GET' && sub === '/faults') response = core.faults.config;
    else if (method === 'PUT' && sub === '/faults') {
      core.faults.set(await body(FaultsBody));
      response = core.faults.config;
    } else if (method === 'GET' && sub === '/state') {
      await core.tick();
      const k = needKey();
      response = {
        now: core.clock.now().toISOString(),
        calls: k.counter.counts(core.clock.nowMs()),
        simulations: core.engine.ofKey(k.keyId).map((s) => fullForm(s.record)),
        storageDir: k.storage.root,
        files: await k.storage.digests(''),
      };
    } else if (method === 'GET' && sub === '/files') {
      const k = needKey();
      let folder: string;
      try {
        folder = normaliseStoragePath(url.searchParams.get('folder') ?? '', 'folder');
      } catch (e) {
        throw new ApiError(400, e instanceof PathError ? e.message : 'bad folder');
      }
      response = await k.storage.digests(folder);
    } else if (method === 'POST' && sub === '/seed') {
      const k = needKey();
      const b = await body(SeedBody);
      const data = b.base64 !== undefined ? Buffer.from(b.base64, 'base64') : Buffer.from(b.text ?? '', 'utf8');
      try {
        await hooks.seed(k.key, b.path, data);
      } catch (e) {
        throw new ApiError(400, (e as Error).message);
      }
      response = true;
    } else throw new ApiError(404, `Unknown control endpoint: ${method} ${url.pathname}`);
    sendJson(res, 200, { response });
  } catch (e) {
    req.resume();
    if (e instanceof ApiError) sendJson(res, e.status, { errors: [e.message] });
    else sendJson(res, 500, { errors: [(e as Error).message] });
  }
}
