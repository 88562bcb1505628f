// Every reply the provider's public code shows (test/fixtures/cloudhpc-api-v2.ts) goes through the
// client's own schemas and error classification: success replies parse (damaged rows none), errors
// get the kind the client acts on, and the recorded rate-limit headers are read by the budget.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CallBudget } from '../../../src-main/node/api/budget';
import { classifyFailure } from '../../../src-main/node/api/http';
import { SimulationSchema, StorageItemSchema, parseReply, parseRows, schemas } from '../../../src-main/node/api/schemas';
import { FACTS, RATE_HEADERS, REPLIES } from '../../fixtures/cloudhpc-api-v2';

/** The schema the client reads each endpoint's `response` with (rows for lists). */
const SCHEMA: Record<string, { one?: z.ZodType; rows?: z.ZodType }> = {
  'GET /simulation/view-cpu': { one: schemas.cpuList },
  'GET /simulation/view-ram': { one: schemas.stringList },
  'GET /simulation/view-scripts': { one: schemas.stringList },
  'GET /simulation/index-short/{field}/{order}/{page}': { rows: SimulationSchema },
  'GET /simulation/view-short/{id}': { one: schemas.simulation },
  'GET /simulation/view/{id}': { one: schemas.simulation },
  'POST /simulation/add': { one: schemas.simulationId },
  'PUT /simulation/stop/{id}': { one: schemas.ack },
  'PUT /simulation/sync/{id}': { one: schemas.ack },
  'GET /storage/index/{field}/{order}/{page}': { rows: StorageItemSchema },
  'GET /storage/index/{field}/{order}/parent_id/{id}/{page}': { rows: StorageItemSchema },
  'POST /storage/view-by-path': { one: schemas.storageItem },
  'GET /storage/view-url/{id}': { one: schemas.mediaLink },
  'POST /storage/upload-url': { one: schemas.uploadUrl },
  'DELETE /user/delete-cache': { one: schemas.ack },
  'DELETE /storage/delete/{id}': { one: schemas.ack },
};

const EXPECTED_KIND: Record<string, string> = {
  'a bad key': 'unauthorized',
  'an unknown or foreign id': 'not-found-or-forbidden',
  'the hourly rate limit': 'rate-limited',
};

describe('contract fixtures through the client', () => {
  it('names a source (repository, path, commit) and a confidence for every fixture', () => {
    for (const f of REPLIES) {
      expect(f.source.repo, f.name).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(f.source.path, f.name).not.toBe('');
      expect(f.source.commit, f.name).toMatch(/^[0-9a-f]{7,40}$/);
      expect(['recorded', 'client', 'inferred']).toContain(f.confidence);
    }
  });

  it.each(REPLIES.filter((f) => 'response' in f.body).map((f) => [f.name, f] as const))('parses: %s', (_name, f) => {
    const s = SCHEMA[f.endpoint];
    expect(s, f.endpoint).toBeDefined();
    const value = (f.body as { response: unknown }).response;
    if (s!.rows) {
      const bad: unknown[] = [];
      const r = parseRows(s!.rows, value, f.endpoint, f.status, (b) => bad.push(b));
      expect(bad).toEqual([]);
      expect(r.rows).toHaveLength((value as unknown[]).length);
    } else {
      expect(() => parseReply(s!.one!, value, f.endpoint, f.status)).not.toThrow();
    }
  });

  it('reads a recorded simulation into the client types ("" as empty)', () => {
    const f = REPLIES.find((x) => x.endpoint === 'GET /simulation/view-short/{id}')!;
    const sim = parseReply(schemas.simulation, (f.body as { response: unknown }).response, f.endpoint);
    expect(sim).toMatchObject({ id: 10030, cpu: 48, ram: 'hypercore', nopre: 0, status: 30, idate: '2026-09-24 09:31:20', edate: null, cpuHours: null, cost: null, mesh: '', vncUrl: 'https://vnc.example/x', logs: 'line1\nline2' });
    const folder = parseReply(schemas.storageItem, { id: 1, name: 'caseA', basename: 'caseA', dirname: '', type: 'dir', size: '' }, 'x');
    expect(folder).toMatchObject({ type: 'dir', size: null });
    expect(parseReply(schemas.mediaLink, { mediaLink: '' }, 'x')).toBeNull();
  });

  it.each(REPLIES.filter((f) => 'errors' in f.body).map((f) => [f.name, f] as const))('classifies: %s', (name, f) => {
    const text = (f.body as { errors: string[] }).errors[0]!;
    const e = classifyFailure(f.status, text, f.endpoint, null, f.headers);
    expect(e.kind).toBe(EXPECTED_KIND[name]);
    expect(e.userMessage).toContain(text);
  });

  it('reads the recorded rate-limit headers: 95 of 100 left, no daily limit', async () => {
    const b = new CallBudget();
    b.settle(await b.acquire('user'), RATE_HEADERS);
    expect(b.state()).toMatchObject({ known: true, hourlyLimit: 100, hourlyUsed: 5, hourlyLeft: 95, dailyLimit: 0 });
    expect(b.state().summary).toBe('95 of 100 API calls left this hour');
  });

  it('names the sources of the facts that are not one reply', () => {
    expect(FACTS.pageSize.value).toBe(100);
    for (const fact of Object.values(FACTS)) expect(fact.source.path).not.toBe('');
  });
});
