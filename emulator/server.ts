import type { Emulator, EmulatorOptions } from './index';

export async function startEmulator(_opts: EmulatorOptions = {}): Promise<Emulator> {
  throw new Error('cloudHPC emulator: implementation in progress');
}
