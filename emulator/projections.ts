// What the API shows of the emulator's records: the short and full forms of a simulation (with the
// reply patches of the `simulationPatches` fault applied) and storage items. Shared by the API
// routes and the control surface.
import type { StorageItem } from './storage';
import type { SimulationRecord } from './types';

export type SimulationPatch = Record<string, unknown>;

/** view-short / index-short: every field of the record except `output`. */
export function shortForm(r: SimulationRecord, patch?: SimulationPatch): Record<string, unknown> {
  const { output: _output, ...rest } = r;
  return { ...rest, images: [...r.images], ...patch };
}

/** view/{id}: the short form plus `output`. */
export function fullForm(r: SimulationRecord, patch?: SimulationPatch): Record<string, unknown> {
  return { ...r, images: [...r.images], ...patch };
}

export function publicItem(it: StorageItem): StorageItem {
  return { ...it };
}
