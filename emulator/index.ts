// Public, programmatic face of the cloudHPC API v2 emulator (see emulator/README.md).
// Other suites (API client, sync engine, simulations, UI, benchmarks) start it with startEmulator():
// a real HTTP server on loopback, port 0 by default. Keep this surface stable; add to it, never break it.
export type {
  CallCounts,
  Emulator,
  EmulatorKey,
  EmulatorOptions,
  EmulatorProfile,
  FaultConfig,
  FileDigest,
  SimulationRecord,
  SimulationStartEvent,
} from './types';
export { SimulationStatus, type SimulationStatusCode } from './status';
export { startEmulator } from './server';
