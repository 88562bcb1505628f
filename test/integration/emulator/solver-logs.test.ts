// The emulator's solver output, read the way the app reads it (view/{id} over real HTTP, only the new
// tail handed on) and fed to RunInsight on the emulator's simulated clock: case-consistent clocks,
// decaying residuals, the diverging and stalled modes, cpu.csv / ram.csv.
import { describe, expect, it } from 'vitest';
import { writeFdsSample, writeOpenFoamSample } from '../../../emulator/samples';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { SimStatus } from '../../../src-main/node/api/types';
import { fdsWindow, openFoamWindow } from '../../../src-main/node/simulation/insight/end-time';
import { RunInsight, type CaseWindow } from '../../../src-main/node/simulation/insight/run-insight';
import { newTail } from '../../../src-main/node/simulation/log';
import { KEY, api, downloadByPath, emulator, tempDir } from './helpers';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../../../emulator/index';

const START = new Date('2026-09-24T10:00:00Z');

async function seedCase(emu: Emulator, folder: string, write: (dir: string) => Promise<string[]>, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const dir = await tempDir('case-');
  const files = await write(dir);
  const texts: Record<string, string> = {};
  for (const rel of files) {
    texts[rel] = await fsp.readFile(join(dir, ...rel.split('/')), 'utf8');
    await emu.seedFile(KEY, `${folder}/${rel}`, texts[rel]!);
  }
  for (const [rel, text] of Object.entries(extra)) {
    texts[rel] = text;
    await emu.seedFile(KEY, `${folder}/${rel}`, text);
  }
  return texts;
}

async function launch(emu: Emulator, folder: string, script: string): Promise<number> {
  const r = await api(emu, 'POST', '/simulation/add', { cpu: 2, ram: 'standard', script, folder });
  expect(r.status).toBe(200);
  return r.json.response as number;
}

/** Reads the log every `everySeconds` of simulated time until the run ends; returns the insight and what each read saw. */
async function follow(emu: Emulator, id: number, script: string, window: CaseWindow, everySeconds: number, onRead?: (ins: RunInsight, status: number) => void): Promise<{ ins: RunInsight; status: number; output: string }> {
  const client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url });
  const ins = new RunInsight({ id, script, window, cpu: 2 });
  let text = '';
  try {
    for (let i = 0; i < 10_000; i++) {
      const sim = await client.view(id);
      const now = emu.clock.now().getTime();
      const tail = newTail(text, sim.output ?? '');
      text = sim.output ?? '';
      ins.feedText(tail, now);
      ins.update({ status: sim.status, cost: sim.cost, cpuHours: sim.cpuHours }, now);
      onRead?.(ins, sim.status);
      if (sim.status !== SimStatus.PENDING && sim.status !== SimStatus.RUNNING && sim.status !== SimStatus.STOPPING) {
        ins.endOfLog(now);
        return { ins, status: sim.status, output: text };
      }
      await emu.clock.advance(everySeconds);
    }
    throw new Error('the run did not end');
  } finally {
    await client.close();
  }
}

describe('emulator solver logs', () => {
  it('FDS: steps reach the case\'s T_END when the run ends; step size, pressure iterations and velocity error are plotted; ETA is right', async () => {
    const emu = await emulator({ durations: { pendingSeconds: 30, runSeconds: 600 }, startTime: START });
    const texts = await seedCase(emu, 'fire', writeFdsSample);
    const id = await launch(emu, 'fire', 'fds6.9.1');
    const etaAtQuarter: { eta: number; at: number }[] = [];
    let endAt = 0;
    const { ins, status } = await follow(emu, id, 'fds6.9.1', fdsWindow(texts['room_fire.fds']!), 20, (i, st) => {
      const p = i.progress(emu.clock.now().getTime());
      if (p.percent !== null && p.percent >= 25 && etaAtQuarter.length === 0 && p.etaSeconds !== null) etaAtQuarter.push({ eta: p.etaSeconds, at: emu.clock.now().getTime() });
      if (st === SimStatus.COMPLETED && endAt === 0) endAt = emu.clock.now().getTime();
    });
    expect(status).toBe(SimStatus.COMPLETED);
    const v = ins.view(emu.clock.now().getTime());
    expect(v.progress).toMatchObject({ known: true, percent: 100, solverTime: 30 });
    expect(v.charts.map((c) => c.id)).toEqual(expect.arrayContaining(['step-size', 'pressure-iterations', 'velocity-error', 'cfl']));
    // the run ends 630 s after the start (30 s pending + 600 s running): ETA at 25 % within 10 %
    const realEnd = START.getTime() + 630_000;
    const real = (realEnd - etaAtQuarter[0]!.at) / 1000;
    expect(Math.abs(etaAtQuarter[0]!.eta - real) / real).toBeLessThan(0.1);
    const cpu = (await downloadByPath(emu, 'fire/cpu.csv')).toString();
    ins.setMonitor('cpu', cpu);
    ins.setMonitor('ram', (await downloadByPath(emu, 'fire/ram.csv')).toString());
    const charts = ins.view(emu.clock.now().getTime()).charts;
    const cpuChart = charts.find((c) => c.id === 'cpu')!;
    expect(cpuChart.xIsWallClock).toBe(true);
    expect(cpuChart.series[0]!.y.length).toBe(60);
    expect(Math.min(...(cpuChart.series[0]!.y as number[]))).toBeGreaterThan(50);
    const ram = charts.find((c) => c.id === 'ram')!.series[0]!.y as number[];
    expect(ram.at(-1)!).toBeGreaterThan(ram[0]!);
  });

  it('OpenFOAM: Time = steps to endTime with residuals decaying with noise, continuity errors; result folder named after the last time', async () => {
    const emu = await emulator({ durations: { pendingSeconds: 30, runSeconds: 300 }, startTime: START });
    const texts = await seedCase(emu, 'cav', writeOpenFoamSample);
    const id = await launch(emu, 'cav', 'openFoam-v2406');
    const { ins, status, output } = await follow(emu, id, 'openFoam-v2406', { ...openFoamWindow(texts['system/controlDict']!)!, start: 0 }, 30);
    expect(status).toBe(SimStatus.COMPLETED);
    expect(output).toMatch(/\nTime = 500\n/);
    expect(output).toContain('\nEnd\n');
    const v = ins.view(emu.clock.now().getTime());
    expect(v.progress.percent).toBe(100);
    const p = v.charts.find((c) => c.id === 'residuals')!.series.find((s) => s.label === 'p')!;
    const y = p.y as number[];
    expect(y.length).toBe(60);
    expect(y.at(-1)!).toBeLessThan(y[0]! / 100);
    // noisy: not monotonic
    expect(y.some((v2, i) => i > 0 && v2 > y[i - 1]!)).toBe(true);
    expect(v.charts.map((c) => c.id)).toContain('continuity');
    expect(v.warnings).toEqual([]);
    expect(await emu.files(KEY, 'cav')).toHaveProperty(['OPENFOAM-solution.tar.gz']);
  });

  it('OpenFOAM transient, diverging: Courant climbs, residuals rise (warned before the crash), then a floating point exception ends it in ERROR', async () => {
    const emu = await emulator({ durations: { pendingSeconds: 30, runSeconds: 600 }, startTime: START });
    const controlDict = 'application pimpleFoam;\nstartFrom startTime;\nstartTime 0;\nstopAt endTime;\nendTime 0.5;\ndeltaT 0.0005;\nmaxCo 1;\n';
    await seedCase(emu, 'div', writeOpenFoamSample, { 'system/controlDict': controlDict, 'emulator-behaviour.json': '{"mode":"diverging","at":0.6}' });
    const id = await launch(emu, 'div', 'openFoam-v2406');
    let warnedWhileRunning: string[] = [];
    const { ins, status, output } = await follow(emu, id, 'openFoam-v2406', { ...openFoamWindow(controlDict)!, start: 0 }, 15, (i, st) => {
      if (st === SimStatus.RUNNING && warnedWhileRunning.length === 0) warnedWhileRunning = i.newWarnings(emu.clock.now().getTime()).map((w) => w.code);
    });
    expect(status).toBe(SimStatus.ERROR);
    expect(output).toContain('Foam::sigFpe::sigHandler');
    expect(warnedWhileRunning).toContain('residuals-rising');
    const v = ins.view(emu.clock.now().getTime());
    expect(v.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['residuals-rising', 'courant-high', 'solver-crashed']));
    expect(v.progress.percent).toBeCloseTo(60, 0);
    const co = v.charts.find((c) => c.id === 'courant')!.series.find((s) => s.key === 'courant:max')!.y as number[];
    expect(co.at(-1)!).toBeGreaterThan(10 * co[0]!);
  });

  it('stalled: the solver clock stops while the run stays RUNNING, and the warning says so', async () => {
    const emu = await emulator({ durations: { pendingSeconds: 30, runSeconds: 3600 }, startTime: START });
    const texts = await seedCase(emu, 'st', writeFdsSample, { 'emulator-behaviour.json': '{"mode":"stalled","at":0.3}' });
    const id = await launch(emu, 'st', 'fds6.9.1');
    let seenStalled = false;
    const { ins } = await follow(emu, id, 'fds6.9.1', fdsWindow(texts['room_fire.fds']!), 120, (i, st) => {
      if (st === SimStatus.RUNNING && i.view(emu.clock.now().getTime()).warnings.some((w) => w.code === 'stalled')) seenStalled = true;
    });
    expect(seenStalled).toBe(true);
    expect(ins.view(emu.clock.now().getTime()).progress.solverTime).toBeCloseTo(9, 5);
  });

  it('code_saturne, code_aster and CalculiX clocks reach the end their case states', async () => {
    const emu = await emulator({ durations: { pendingSeconds: 30, runSeconds: 120 }, startTime: START });
    await emu.seedFile(KEY, 'sat/setup.xml', '<code_saturne_GUI><analysis_control><time_parameters><iterations>400</iterations><time_step_ref>0.05</time_step_ref></time_parameters></analysis_control></code_saturne_GUI>');
    await emu.seedFile(KEY, 'ast/beam.comm', "DEBUT()\nL=DEFI_LIST_REEL(DEBUT=0.0, INTERVALLE=_F(JUSQU_A=2.0, NOMBRE=20))\nFIN()\n");
    await emu.seedFile(KEY, 'ast/beam.export', 'P actions make_etude\n');
    await emu.seedFile(KEY, 'ccx/beam.inp', '*NODE\n1,0,0,0\n*STEP\n*STATIC\n0.1,1.0\n*END STEP\n*STEP\n*STATIC\n0.1,0.5\n*END STEP\n');
    const cases: [string, string, CaseWindow, number][] = [
      ['sat', 'codeSaturne-8.0', { start: 0, end: 400, unit: 'step', source: '' }, 400],
      ['ast', 'codeAster-17.0_mpi', { start: 0, end: 2, unit: 's', source: '' }, 2],
      ['ccx', 'calculiX-2.21', { start: 0, end: 1.5, unit: 's', source: '' }, 1.5],
    ];
    for (const [folder, script, window, end] of cases) {
      const id = await launch(emu, folder, script);
      const { ins, status } = await follow(emu, id, script, window, 15);
      expect(status, script).toBe(SimStatus.COMPLETED);
      expect(ins.view(emu.clock.now().getTime()).progress, script).toMatchObject({ known: true, percent: 100 });
      expect(ins.view(emu.clock.now().getTime()).progress.solverTime, script).toBeCloseTo(end, 6);
    }
  });
});
