// Files pulled from the cloud are not pushed back (no echo), also after a restart; a pulled file the
// user then edits is theirs and is pushed.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Env, KEY, invariantViolations, localDigests, startEnv, startSimulation } from './harness';

let env: Env;
beforeEach(async () => { env = await startEnv(); });
afterEach(async () => { await env.close(); });

const uploads = (): number => env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;

describe('push after pull', () => {
  it('pulled results are not pushed back; edited ones are', async () => {
    const dir = env.caseDir('echo');
    writeFileSync(join(dir, 'run.sh'), 'echo run\n');
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    await env.service.ensurePushed(p.id);
    await startSimulation(env, p.id, 'echo'); // runs to the end: the service writes cloudhpc.log and monitors
    await env.service.pull(p.id, { priority: 'user' });
    expect(existsSync(join(dir, 'cloudhpc.log'))).toBe(true);

    const before = uploads();
    const calls = env.emu.calls(KEY).total;
    const r = await env.service.ensurePushed(p.id);
    expect(r.plan.strategy).toBe('none');
    expect(uploads()).toBe(before);
    await env.restart();
    await env.service.ensurePushed(p.id);
    expect(env.emu.calls(KEY).total).toBe(calls);

    writeFileSync(join(dir, 'cloudhpc.log'), 'my own notes now\n');
    await env.service.ensurePushed(p.id);
    expect(uploads()).toBe(before + 1);
    const sim = await startSimulation(env, p.id, 'echo');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
  });
});
