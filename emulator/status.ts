// Status codes of the real service (also re-exported from index.ts).
export const SimulationStatus = {
  COMPLETED: 10,
  PENDING: 20,
  RUNNING: 30,
  STOPPING: 40,
  STOPPED: 50,
  ERROR: 60,
} as const;
export type SimulationStatusCode = (typeof SimulationStatus)[keyof typeof SimulationStatus];
