// Helpers shared by the simulation commands (launch, wait, stop, sync, log, simulations).
import { createInterface } from 'node:readline/promises';
import { statusName } from '../../common/contract';
import type { Simulation } from '../../node/api/types';
import { formatDiagnoses, mainCause, type Diagnosis, type Outcome } from '../../node/simulation/diagnosis';
import { formatRunSummary } from '../../node/simulation/run-summary';
import { UsageError, type ParsedArgs } from '../args';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';

export function simulationId(args: ParsedArgs, command: string): number {
  const raw = args.positional[0];
  if (!raw || args.positional.length > 1) throw new UsageError(`${command} takes exactly one simulation id (see cloudhpc-sync simulations).`);
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${raw}" is not a simulation id: it is a number, as listed by cloudhpc-sync simulations.`);
  return id;
}

/** Asks a yes/no question on an interactive terminal; false when there is none (scripts must pass --yes). */
export async function askYes(ctx: CliContext, question: string): Promise<boolean> {
  if (!process.stdin.isTTY || ctx.json) return false;
  const rl = createInterface({ input: process.stdin, output: ctx.stderr });
  try {
    const a = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(a.trim());
  } finally {
    rl.close();
  }
}

export function outcomeExit(outcome: Outcome): number {
  return outcome === 'error' || outcome === 'completed with errors' ? EXIT.FAILURE : EXIT.OK;
}

/** The end of a run for a person: outcome, duration/cost, the cause of a failure and what the log shows. */
export function printFinished(ctx: CliContext, sim: Simulation, outcome: Outcome, diagnoses: Diagnosis[], verbose = false, diagnosed = true): void {
  ctx.out(`Simulation ${sim.id} ${statusName(sim.status)}: ${outcome} (${formatRunSummary(sim)}).`);
  if (!diagnosed) {
    ctx.out(`Log diagnosis: the log was not read (API call budget); read it later with cloudhpc-sync log ${sim.id}.`);
    return;
  }
  const cause = mainCause(diagnoses);
  if (cause && (outcome === 'error' || outcome === 'completed with errors')) ctx.out(`Cause: ${cause.cause}\nFix: ${cause.fix}`);
  const shown = verbose ? diagnoses : diagnoses.filter((d) => d.severity !== 'info');
  ctx.out(`Log diagnosis:\n${formatDiagnoses(shown)}`);
}

export function simulationJson(sim: Simulation): Record<string, unknown> {
  return { id: sim.id, status: sim.status, statusName: statusName(sim.status), folder: sim.folder, script: sim.script, cpu: sim.cpu, ram: sim.ram, regular: sim.nopre === 1, mesh: sim.mesh, started: sim.idate, ended: sim.edate, cpuHours: sim.cpuHours, cost: sim.cost };
}
