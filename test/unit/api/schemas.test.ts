import { describe, expect, it } from 'vitest';
import { parseReply, schemas } from '../../../src-main/node/api/schemas';
import { CloudHpcError } from '../../../src-main/node/api/errors';

const real = {
  id: 10030, user_id: 4, cpu: 48, ram: 'hypercore', nopre: 0, folder: 'caseA', mesh: '', script: 'openFoam-v2406', clean: 0,
  idate: '2026-09-24 09:31:20', edate: '', cpu_hrs: '', cost: '', status: 30, logs: '', images: [], vnc_url: 'https://vnc.example/x',
};

function badReply(fn: () => unknown): CloudHpcError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CloudHpcError);
    return e as CloudHpcError;
  }
  throw new Error('expected a bad-reply error');
}

describe('reply schemas', () => {
  it('normalises a real simulation reply: "" → null, extra fields ignored', () => {
    const s = parseReply(schemas.simulation, real, 'GET /simulation/view-short/{id}');
    expect(s).toEqual({
      id: 10030, cpu: 48, ram: 'hypercore', nopre: 0, folder: 'caseA', mesh: '', script: 'openFoam-v2406', status: 30,
      idate: '2026-09-24 09:31:20', edate: null, cpuHours: null, cost: null, vncUrl: 'https://vnc.example/x', ipAddress: null, output: null, logs: null,
    });
  });

  it('takes numbers sent as strings', () => {
    const s = parseReply(schemas.simulation, { ...real, cpu: '4', status: '10', cpu_hrs: '1.5', cost: '0.42', nopre: '1' }, 'x');
    expect([s.cpu, s.status, s.cpuHours, s.cost, s.nopre]).toEqual([4, 10, 1.5, 0.42, 1]);
    expect(parseReply(schemas.cpuList, [1, '2', 4], 'x')).toEqual([1, 2, 4]);
  });

  it('refuses an id that is not a number, naming the endpoint', () => {
    const e = badReply(() => parseReply(schemas.simulation, { ...real, id: '10030' }, 'GET /simulation/view/{id}', 200));
    expect(e.kind).toBe('bad-reply');
    expect(e.endpoint).toBe('GET /simulation/view/{id}');
    expect(e.detail).toMatch(/at id/);
    expect(badReply(() => parseReply(schemas.simulationId, 'abc', 'POST /simulation/add')).kind).toBe('bad-reply');
    expect(parseReply(schemas.simulationId, 17, 'POST /simulation/add')).toBe(17);
  });

  it('refuses a numeric field that is text', () => {
    expect(badReply(() => parseReply(schemas.simulation, { ...real, cost: 'lots' }, 'x')).kind).toBe('bad-reply');
  });

  it('refuses signed URLs that are not http(s)', () => {
    expect(parseReply(schemas.uploadUrl, { url: 'https://storage.example/b/o?X-Goog-Signature=abc' }, 'x')).toMatch(/^https:/);
    expect(badReply(() => parseReply(schemas.uploadUrl, { url: 'file:///etc/passwd' }, 'POST /storage/upload-url')).endpoint).toBe('POST /storage/upload-url');
    expect(badReply(() => parseReply(schemas.uploadUrl, { url: 'javascript:alert(1)' }, 'x')).kind).toBe('bad-reply');
    expect(badReply(() => parseReply(schemas.downloadUrl, 'ftp://x/y', 'x')).kind).toBe('bad-reply');
  });

  it('reads an empty mediaLink as "not ready" and a set one as a URL', () => {
    expect(parseReply(schemas.mediaLink, { mediaLink: '' }, 'x')).toBeNull();
    expect(parseReply(schemas.mediaLink, { mediaLink: 'http://h/f?sig=1' }, 'x')).toBe('http://h/f?sig=1');
    expect(badReply(() => parseReply(schemas.mediaLink, { mediaLink: 'data:text/plain,hi' }, 'x')).kind).toBe('bad-reply');
  });

  it('accepts download URLs bare or wrapped', () => {
    expect(parseReply(schemas.downloadUrl, 'https://h/a', 'x')).toBe('https://h/a');
    expect(parseReply(schemas.downloadUrl, { url: 'https://h/b' }, 'x')).toBe('https://h/b');
    expect(parseReply(schemas.downloadUrl, { mediaLink: 'https://h/c' }, 'x')).toBe('https://h/c');
  });

  it('normalises storage items and fills basename/dirname from the name', () => {
    const items = parseReply(schemas.storageList, [
      { id: 1, name: 'caseA', basename: 'caseA', dirname: '', type: 'dir', size: '' },
      { id: 11, name: 'caseA/FDS.tar.gz', type: 'file', size: '5000000', timeCreated: '2026-09-24T10:00:00Z', extra: true },
    ], 'x');
    expect(items[0]).toEqual({ id: 1, name: 'caseA', basename: 'caseA', dirname: '', type: 'dir', size: null, timeCreated: null });
    expect(items[1]).toEqual({ id: 11, name: 'caseA/FDS.tar.gz', basename: 'FDS.tar.gz', dirname: 'caseA', type: 'file', size: 5000000, timeCreated: '2026-09-24T10:00:00Z' });
    expect(badReply(() => parseReply(schemas.storageItem, { id: 1, name: 'x', type: 'link' }, 'x')).kind).toBe('bad-reply');
    expect(badReply(() => parseReply(schemas.storageList, undefined, 'x')).kind).toBe('bad-reply');
  });
});
