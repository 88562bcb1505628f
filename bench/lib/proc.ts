// Process measurements from /proc (Linux): peak and current RSS, CPU seconds, bytes read; and
// timed runs of the baseline commands (curl, tar) as separate processes.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

let clkTck: number | null = null;
function ticksPerSecond(): number {
  if (clkTck === null) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface ProcSample {
  /** Peak resident set size (VmHWM), bytes. */
  peakRss: number;
  /** Current resident set size (VmRSS), bytes. */
  rss: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  /** Bytes the process asked to read (rchar of /proc/<pid>/io), or NaN when not readable. */
  rchar: number;
}

function kb(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  let rchar = Number.NaN;
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const m = /^rchar:\s+(\d+)/m.exec(io);
    if (m) rchar = Number(m[1]);
  } catch {
    // not readable (other user): left NaN
  }
  return { peakRss: kb(status, 'VmHWM'), rss: kb(status, 'VmRSS'), cpuSeconds: (utime + stime) / ticksPerSecond(), rchar };
}

export interface CmdResult {
  ms: number;
  stdout: string;
}

/** Runs a command to completion; the time is from spawn to exit. Throws with its stderr when it fails. */
export function runTimed(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { if (out.length < 1_000_000) out += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { if (err.length < 20_000) err += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve({ ms, stdout: out });
      else reject(new Error(`${cmd} exited with ${code}: ${err.trim().slice(0, 500)}`));
    });
  });
}
