import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CallBudget } from '../../../src-main/node/api/budget';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import type { Diagnosis } from '../../../src-main/node/simulation/diagnosis';
import { LogReader, newTail } from '../../../src-main/node/simulation/log';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';

const KEY = 'log-key-0123456789';
let emu: Emulator | null = null;
let client: CloudHpcClient | null = null;
afterEach(async () => {
  await client?.close();
  await emu?.stop();
  emu = null;
  client = null;
});

describe('log tail', () => {
  it('hands on only what is new, also when the service sends a window of the log', () => {
    expect(newTail('a\nb\n', 'a\nb\nc\n')).toBe('c\n');
    expect(newTail('', 'x')).toBe('x');
    expect(newTail('same', 'same')).toBe('');
    const long = Array.from({ length: 400 }, (_, i) => `line ${i}`).join('\n');
    const windowed = long.slice(1000) + '\nline 400';
    expect(newTail(long, windowed)).toBe('\nline 400');
    expect(newTail('old text entirely', 'new')).toContain('log restarted');
  });
});

describe('log reader against the emulator', () => {
  it('follows a run within the budget, shows the log incrementally and diagnoses it as it comes', async () => {
    const sched = new ManualScheduler();
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 100 }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: 1800 }, logWarnings: ['@@@ RAM used > 80.0%'] });
    client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url, budget: new CallBudget({ now: () => sched.now() }) });
    await emu.seedFile(KEY, 'case/run.sh', 'echo');
    const id = await client.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder: 'case' });
    const chunks: string[] = [];
    const found: Diagnosis[] = [];
    const reader = new LogReader({ client, id, scheduler: sched, onText: (t) => chunks.push(t), onDiagnosis: (d) => found.push(d) });
    let done = false;
    const followed = reader.follow().then((s) => { done = true; return s; });
    const viewCalls = (): number => emu!.calls(KEY).byEndpoint['GET /simulation/view/{id}'] ?? 0;
    const deadline = Date.now() + 20_000;
    while (!done && Date.now() < deadline) {
      if (viewCalls() > 0 && sched.pending() > 0) {
        const dt = sched.nextDue()! - sched.now();
        await emu.clock.advance(dt / 1000);
        sched.runNext();
      }
      await new Promise((r) => setImmediate(r));
    }
    const final = await followed;
    expect(final.status).toBe(10);
    expect(chunks.join('')).toBe(reader.log);
    expect(chunks.length).toBeGreaterThan(2);
    expect(found.map((d) => d.id)).toContain('ram-high');
    // about 35 simulated minutes of following at 100 calls/hour: well within a third of it per hour
    expect(viewCalls()).toBeLessThanOrEqual(Math.ceil((35 / 60) * (100 / 3)));
  });
});
