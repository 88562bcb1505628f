// Which simulation belongs to which project: one JSON file in the app data folder
// (simulations.json), replaced atomically. Launches record here; the tracker and the CLI read it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { appDataDir, writeFileAtomicSync } from '../project';

const RecordSchema = z.object({
  id: z.number().int(),
  projectId: z.string().nullable(),
  folder: z.string(),
  script: z.string(),
  cpu: z.number(),
  ram: z.string(),
  mesh: z.string(),
  regular: z.boolean(),
  launchedAt: z.number(),
  /** Last status seen, and when it was final. */
  status: z.number().nullable(),
  outcome: z.string().nullable(),
  finishedAt: z.number().nullable(),
  /**
   * What the project's sync engine was told about this run, once: 'running' (seen past extracting
   * upload.tar.gz) or 'ended' (ended without being seen running). Absent: not yet.
   */
  noted: z.enum(['running', 'ended']).optional(),
});
export type SimulationRecord = z.infer<typeof RecordSchema>;
const FileSchema = z.object({ version: z.literal(1), simulations: z.array(RecordSchema) });

export class SimulationRecords {
  readonly file: string;

  constructor(home: string = appDataDir()) {
    this.file = join(home, 'simulations.json');
  }

  list(projectId?: string): SimulationRecord[] {
    const all = this.read();
    return (projectId === undefined ? all : all.filter((r) => r.projectId === projectId)).sort((a, b) => b.id - a.id);
  }

  get(id: number): SimulationRecord | undefined {
    return this.read().find((r) => r.id === id);
  }

  /** Adds or replaces the record of a simulation. */
  put(rec: SimulationRecord): void {
    const all = this.read().filter((r) => r.id !== rec.id);
    all.push(RecordSchema.parse(rec));
    this.write(all);
  }

  update(id: number, patch: Partial<Pick<SimulationRecord, 'status' | 'outcome' | 'finishedAt' | 'noted'>>): SimulationRecord | undefined {
    const all = this.read();
    const r = all.find((x) => x.id === id);
    if (!r) return undefined;
    Object.assign(r, patch);
    this.write(all);
    return r;
  }

  private read(): SimulationRecord[] {
    let text: string;
    try { text = readFileSync(this.file, 'utf8'); } catch { return []; }
    try {
      const parsed = FileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data.simulations;
    } catch { /* fall through */ }
    // a damaged file is kept aside, not silently overwritten
    writeFileAtomicSync(`${this.file}.damaged-${Date.now()}`, text);
    return [];
  }

  private write(all: SimulationRecord[]): void {
    writeFileAtomicSync(this.file, `${JSON.stringify({ version: 1, simulations: all }, null, 1)}\n`);
  }
}
