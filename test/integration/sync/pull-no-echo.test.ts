// The seam between pull and push: results pulled into the case are not pushed back, and a run after
// the pull still sees exactly the case (pulled files are local files now, with the cloud's content).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Env, KEY, startEnv } from './harness';

let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await env.close();
});

const FDS = "&HEAD CHID='room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n";

describe('pull then push', () => {
  it('pulled results cost no push; a pulled file the user edits is pushed', async () => {
    const dir = env.caseDir('roomfire');
    writeFileSync(join(dir, 'room.fds'), FDS);
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    await env.service.ensurePushed(p.id);
    await env.client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'roomfire' }, { priority: 'user' });
    env.service.noteSimulationStarted(p.id);
    await env.emu.clock.advance(2);
    await env.emu.clock.advance(10);
    expect(env.emu.simulations(KEY)[0]?.status).toBe(10);

    const r = await env.service.pull(p.id);
    expect(r.conflicts).toEqual([]);
    expect(readFileSync(join(dir, 'room_hrr.csv'), 'utf8')).toContain('Time,HRR');
    expect(readFileSync(join(dir, 'cloudhpc.log'), 'utf8')).toContain('starting fds6.9.1');

    // Push after the pull: the pulled files are not pushed back.
    const uploadsBefore = env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    const n0 = env.emu.calls(KEY).total;
    const push = await env.service.ensurePushed(p.id);
    expect(push.plan.strategy).toBe('none');
    expect(env.emu.calls(KEY).total).toBe(n0);
    expect(env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0).toBe(uploadsBefore);

    // After a restart too.
    await env.restart();
    const n1 = env.emu.calls(KEY).total;
    await env.service.ensurePushed(p.id);
    expect(env.emu.calls(KEY).total).toBe(n1);

    // The user edits a pulled result: that one is theirs now and goes up.
    writeFileSync(join(dir, 'room_hrr.csv'), 'my post-processing\n');
    const uploads2 = env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    await env.service.ensurePushed(p.id);
    expect(env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0).toBeGreaterThan(uploads2);
    const sha = createHash('sha256').update('my post-processing\n').digest('hex');
    expect((await env.emu.files(KEY, 'roomfire'))['room_hrr.csv']?.sha256).toBe(sha);
  });
});
