// Issue 16, hole 3: a file swapped for a same-size symlink to a secret while its upload URL is being
// fetched is never uploaded through the link: the upload opens the file once (no symlink followed),
// checks it, and sends the bytes of what it opened.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { SyncService } from '../../../src-main/node/sync/service';
import { startGate, type Gate } from '../../hostile/servers';

const KEY = 'toctou-key-0123456789';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('time of check, time of use on a single-file upload', () => {
  let emu: Emulator;
  let gate: Gate;
  let root: string;
  let client: CloudHpcClient;
  let service: SyncService;

  beforeEach(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
    root = mkdtempSync(join(tmpdir(), 'toctou-'));
    // Hold the upload link of big.bin (sent beside the first archive as a single upload).
    gate = await startGate(new URL(emu.url).origin, (m, url, body) => m === 'POST' && url.endsWith('/storage/upload-url') && body.includes('"big.bin"'));
    client = new CloudHpcClient({ apiKey: KEY, baseUrl: `${gate.origin}${new URL(emu.url).pathname}`, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    service = new SyncService({ registry: new ProjectRegistry(join(root, 'home')), cloud: client });
  });
  afterEach(async () => {
    await service.close();
    await client.close();
    await gate.close();
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('uploads what it opened, never the secret a same-size symlink points to', async () => {
    const dir = join(root, 'case');
    mkdirSync(dir);
    const original = Buffer.alloc(64 * 1024, 7);
    const secret = Buffer.alloc(64 * 1024, 0x53);
    writeFileSync(join(dir, 'input.txt'), 'small input');
    writeFileSync(join(dir, 'big.bin'), original);
    writeFileSync(join(root, 'secret.key'), secret);
    const project = service.registry.add(dir, { settings: { quietPeriodMs: 0, largeFileBytes: 1024 } });

    const pushed = service.ensurePushed(project.id, { timeoutMs: 30_000 }).then(() => null, (e: unknown) => e);
    await gate.held();
    rmSync(join(dir, 'big.bin'));
    symlinkSync(join(root, 'secret.key'), join(dir, 'big.bin'));
    gate.release();
    await pushed;

    const files = await emu.files(KEY, 'case');
    expect(Object.values(files).map((f) => f.sha256)).not.toContain(sha(secret));
    if (files['big.bin']) expect(files['big.bin'].sha256).toBe(sha(original));
  }, 60_000);
});
