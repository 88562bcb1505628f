// What every benchmark gets (sizes, temp folder, the engine child launcher) and what it returns (rows
// of the one results table, with their raw numbers for results.json).
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index';
import { CloudHpcClient } from '../../src-main/node/api/client';
import type { Launcher } from './child-host';

export const API_KEY = 'bench-key-0123456789';
export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export interface Sizes {
  largeFile: number;
  largeRuns: number;
  largeSnapshotRuns: number;
  caseFiles: number;
  caseBig: number[];
  caseRuns: number;
  perFileRuns: number;
  /** Edits measured while our archive is not extracted (each rebuilds the whole snapshot). */
  editsUnextracted: number;
  /** Edits measured after a run extracted the archive (plus the first one, reported apart). */
  edits: number;
  treeFiles: number;
  treeRuns: number;
  rescanRuns: number;
  idleSeconds: number;
  pullArchive: number;
  pullRuns: number;
}

export const FULL: Sizes = {
  largeFile: 2 * GiB,
  largeRuns: 3,
  largeSnapshotRuns: 3,
  caseFiles: 5000,
  caseBig: [50 * MiB, 100 * MiB, 200 * MiB],
  caseRuns: 3,
  perFileRuns: 1,
  editsUnextracted: 2,
  edits: 3,
  treeFiles: 100_000,
  treeRuns: 2,
  rescanRuns: 3,
  idleSeconds: 60,
  pullArchive: GiB,
  pullRuns: 3,
};

export const QUICK: Sizes = {
  largeFile: 64 * MiB,
  largeRuns: 2,
  largeSnapshotRuns: 1,
  caseFiles: 500,
  caseBig: [5 * MiB],
  caseRuns: 2,
  perFileRuns: 1,
  editsUnextracted: 2,
  edits: 2,
  treeFiles: 5_000,
  treeRuns: 2,
  rescanRuns: 2,
  idleSeconds: 15,
  pullArchive: 64 * MiB,
  pullRuns: 2,
};

export interface Ctx {
  quick: boolean;
  sizes: Sizes;
  /** The run's own temp folder (removed at the end). */
  tmp: string;
  launcher: Launcher;
  log(message: string): void;
}

/** 'invalid': the row could not prove its work was done (nothing in storage, no call): never a goal met. */
export type Met = 'yes' | 'no' | 'n/a' | 'invalid';

export interface Row {
  id: string;
  benchmark: string;
  engine: string;
  baseline: string;
  ratio: string;
  calls: string;
  goal: string;
  met: Met;
  notes: string[];
  data: Record<string, unknown>;
}

export function met(ok: boolean | null): Met {
  return ok === null ? 'n/a' : ok ? 'yes' : 'no';
}

export async function benchEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ keys: [{ key: API_KEY, hourlyLimit: 0 }], durations: { runSeconds: 10_000_000 }, ...o });
}

export function benchClient(emu: Emulator): CloudHpcClient {
  return new CloudHpcClient({ baseUrl: emu.url, apiKey: API_KEY });
}

export function totalCalls(emu: Emulator): number {
  return emu.calls(API_KEY).total;
}
