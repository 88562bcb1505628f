// The run's end read from the local case folder (real files in a temp folder), and the new tail of
// successive full copies of the log.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCaseWindow, readInputText } from '../../../../src-main/node/simulation/insight/case-window';
import { OutputTail } from '../../../../src-main/node/simulation/insight/lines';

let dir = '';
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'case-window-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (rel: string, text: string): void => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
};

describe('the run\'s end from the local case folder', () => {
  it('FDS: the first .fds by name; OpenFOAM: controlDict with the time folders', () => {
    put('b.fds', "&HEAD CHID='b' /\n&TIME T_END=60 /\n");
    put('a.fds', "&HEAD CHID='a' /\n&TIME T_BEGIN=5, T_END=30 /\n");
    expect(readCaseWindow(dir, 'fds6.9.1')).toEqual({ window: { start: 5, end: 30, unit: 's', source: 'T_END in a.fds' }, reason: null });
    put('system/controlDict', 'startFrom latestTime;\nendTime 2;\n');
    mkdirSync(join(dir, '0'));
    mkdirSync(join(dir, '0.5'));
    expect(readCaseWindow(dir, 'openFoam-v2406').window).toEqual({ start: 0.5, end: 2, unit: '', source: 'endTime in system/controlDict' });
  });

  it('code_saturne, code_aster, CalculiX from their inputs', () => {
    put('setup.xml', '<code_saturne_case><time_parameters><iterations>250</iterations></time_parameters></code_saturne_case>');
    put('calc.comm', 'l = DEFI_LIST_REEL(DEBUT=0.0, INTERVALLE=_F(JUSQU_A=4.0, NOMBRE=4))\n');
    put('beam.inp', '*STEP\n*STATIC\n0.1, 2.0\n*END STEP\n');
    expect(readCaseWindow(dir, 'codeSaturne-8.0').window).toMatchObject({ end: 250, unit: 'step' });
    expect(readCaseWindow(dir, 'codeAster-17.0_mpi').window).toMatchObject({ start: 0, end: 4 });
    expect(readCaseWindow(dir, 'calculiX-2.21-PARDISO').window).toMatchObject({ end: 2 });
  });

  it('says why there is no end: no project here, no input, an input that is not a regular file, stopAt other than endTime', () => {
    expect(readCaseWindow(null, 'fds6.9.1').reason).toMatch(/not a project on this computer/);
    expect(readCaseWindow(join(dir, 'gone'), 'fds6.9.1').reason).toMatch(/cannot be read/);
    expect(readCaseWindow(dir, 'fds6.9.1').reason).toBe('the case folder has no readable .fds file');
    put('system/controlDict', 'stopAt writeNow;\nendTime 2;\n');
    expect(readCaseWindow(dir, 'openFoam-v2406').reason).toMatch(/stopAt is not endTime/);
    // no progress for these by design: RunInsight says why
    expect(readCaseWindow(dir, 'custom-script')).toEqual({ window: null, reason: null });
  });

  it('never blocks on a FIFO or follows into a device; large files are not read', () => {
    execFileSync('mkfifo', [join(dir, 'case.fds')]);
    expect(readInputText(join(dir, 'case.fds'))).toBeNull();
    mkdirSync(join(dir, 'system'));
    execFileSync('mkfifo', [join(dir, 'system', 'controlDict')]);
    expect(readCaseWindow(dir, 'openFoam-v2406').reason).toBe('the case folder has no readable system/controlDict');
    symlinkSync('/dev/zero', join(dir, 'zero.fds'));
    expect(readInputText(join(dir, 'zero.fds'))).toBeNull();
    put('real.txt', 'T_END=1');
    symlinkSync(join(dir, 'real.txt'), join(dir, 'linked.txt'));
    expect(readInputText(join(dir, 'real.txt'))).toBe('T_END=1');
    expect(readInputText(join(dir, 'linked.txt'))).toBeNull(); // a link is not followed (the sync engine does not upload it)
    put('big.txt', 'x'.repeat(2048));
    expect(readInputText(join(dir, 'big.txt'), 1024)).toBeNull();
    expect(readInputText(join(dir, 'big.txt'), 4096)).toHaveLength(2048);
  });
});

describe('the new tail of successive full copies of the log', () => {
  it('hands on what was added, keeping only an anchor; a log that does not continue comes whole behind a gap', () => {
    const t = new OutputTail();
    const a = 'line 1\nline 2\n';
    expect(t.next(a)).toBe(a);
    expect(t.next(`${a}line 3\n`)).toBe('line 3\n');
    expect(t.next(`${a}line 3\n`)).toBe('');
    const long = Array.from({ length: 500 }, (_, i) => `step ${i}`).join('\n');
    const u = new OutputTail();
    u.next(long);
    // the service trimmed the start of the log: the anchor is found further back
    expect(u.next(`${long.slice(1000)}\nstep 500`)).toBe('\nstep 500');
    expect(u.next('a new log\n')).toBe('\n[... log restarted ...]\na new log\n');
  });
});
