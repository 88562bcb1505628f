// Issue 16, hole 11: the headless server's staging of browser drops. A total quota over the batches
// not taken yet (a token holder cannot fill the temp folder with many batches), a 409 for a path that
// clashes with one already staged (x, then x/y), and dropped files that keep the modes users expect
// (0666 less the umask, not 0600). Real HTTP on loopback, real files.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreEndpoint } from '../../../src-main/node/app/endpoint';
import { DropPlanner } from '../../../src-main/node/app/drops';
import { startHeadlessServer, type HeadlessServer } from '../../../src-main/node/headless/server';

const TOKEN = 'staging-token-0123456789abcdef';

function put(port: number, method: string, path: string, body?: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'x-cloudhpc-token': TOKEN } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('headless staging of drops', () => {
  let dir: string;
  let server: HeadlessServer;
  const staging = (): string => join(dir, 'staging');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'staging-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
    const core: CoreEndpoint = { stagingRoot: staging(), request: async () => ({ ok: true, value: null }), onEvent: () => () => undefined };
    server = await startHeadlessServer({ core, rendererDir: dir, port: 0, token: TOKEN, uploadLimits: { maxBatchBytes: 1000, maxBatchFiles: 10, maxTotalBytes: 1500, maxBatches: 3 } });
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const batch = async (): Promise<{ status: number; id: string }> => {
    const r = await put(server.port, 'POST', '/upload/new');
    return { status: r.status, id: r.status === 200 ? (JSON.parse(r.body) as { stagingId: string }).stagingId : '' };
  };
  const upload = (id: string, path: string, body: string | Buffer) => put(server.port, 'PUT', `/upload/${id}?path=${encodeURIComponent(path)}`, body);

  it('a total quota over all batches, and a bounded number of batches waiting', async () => {
    const a = await batch();
    expect((await upload(a.id, 'a.bin', Buffer.alloc(900))).status).toBe(200);
    const b = await batch();
    const over = await upload(b.id, 'b.bin', Buffer.alloc(900)); // within its batch, past the total
    expect(over.status).toBe(413);
    expect(over.body).toMatch(/waiting to be copied/);
    expect((await upload(b.id, 'small.bin', Buffer.alloc(500))).status).toBe(200);
    expect((await batch()).status).toBe(200);
    expect((await batch()).status).toBe(429); // a fourth batch while three wait
    // a batch taken by a drop (its folder removed) frees its share
    await rm(join(staging(), a.id), { recursive: true, force: true });
    const c = await batch();
    expect(c.status).toBe(200);
    expect((await upload(c.id, 'c.bin', Buffer.alloc(900))).status).toBe(200);
  });

  it('409 for a path that clashes with one already staged, in either order', async () => {
    const { id } = await batch();
    expect((await upload(id, 'x', 'file')).status).toBe(200);
    const under = await upload(id, 'x/y', 'inside a file');
    expect(under.status).toBe(409);
    expect(under.body).toMatch(/clashes with x/);
    expect((await upload(id, 'd/e', 'deep')).status).toBe(200);
    expect((await upload(id, 'd', 'a file named like the folder')).status).toBe(409);
    expect((await upload(id, 'x', 'again')).status).toBe(409);
  });

  it('a dropped file keeps the usual modes (0666 less the umask), not 0600', async () => {
    const { id } = await batch();
    expect((await upload(id, 'up/f.txt', 'uploaded')).status).toBe(200);
    const caseDir = join(dir, 'case');
    await mkdir(caseDir);
    await mkdir(join(dir, 'home'));
    const planner = new DropPlanner({ home: join(dir, 'home'), stagingRoot: staging(), project: (pid) => ({ id: pid, localDir: caseDir }), suggestStorageName: () => 'case', now: () => Date.now() });
    const plan = await planner.plan('p', [{ kind: 'staged', stagingId: id, name: 'up' }]);
    await planner.copy(planner.take(plan.planId), 'all');
    const mask = process.umask();
    const expected = 0o666 & ~mask;
    expect(expected).not.toBe(0o600); // the test shows something only under a usual umask (022, 002)
    expect((await stat(join(caseDir, 'up', 'f.txt'))).mode & 0o777).toBe(expected);
  });
});
