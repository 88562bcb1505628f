import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulationRecords, type SimulationRecord } from '../../../src-main/node/simulation/records';

let home = '';
afterEach(() => { if (home) rmSync(home, { recursive: true, force: true }); home = ''; });

const rec = (id: number, projectId: string): SimulationRecord => ({ id, projectId, folder: `f${id}`, script: 'custom-script', cpu: 1, ram: 'standard', mesh: '', regular: false, launchedAt: 1, status: null, outcome: null, finishedAt: null });

describe('simulation records', () => {
  it('keeps which simulation belongs to which project across instances, newest first', () => {
    home = mkdtempSync(join(tmpdir(), 'records-'));
    const a = new SimulationRecords(home);
    a.put(rec(10001, 'p1'));
    a.put(rec(10002, 'p2'));
    a.put(rec(10003, 'p1'));
    const b = new SimulationRecords(home);
    expect(b.list('p1').map((r) => r.id)).toEqual([10003, 10001]);
    expect(b.update(10001, { status: 10, outcome: 'completed', finishedAt: 5 })!.outcome).toBe('completed');
    expect(new SimulationRecords(home).get(10001)!.status).toBe(10);
    expect(b.update(99, { status: 10 })).toBeUndefined();
  });

  it('keeps a damaged file aside instead of losing it', () => {
    home = mkdtempSync(join(tmpdir(), 'records-'));
    writeFileSync(join(home, 'simulations.json'), '{"version":1,"simulations":[{"id":');
    const r = new SimulationRecords(home);
    expect(r.list()).toEqual([]);
    const aside = readdirSync(home).find((f) => f.startsWith('simulations.json.damaged-'))!;
    expect(readFileSync(join(home, aside), 'utf8')).toContain('"simulations"');
    r.put(rec(1, 'p'));
    expect(r.list().map((x) => x.id)).toEqual([1]);
  });
});
