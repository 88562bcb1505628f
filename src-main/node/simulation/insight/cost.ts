// Cost so far and at the end. The service fills `cost` and `cpu_hrs` when a run ends (empty while
// it runs, as far as the replies we have show), so while running the cost is estimated: vCPU hours
// so far (elapsed × vCPU) times a price per vCPU hour learnt from the user's own finished runs of the
// same RAM class (cost / cpu_hrs). Pure.

import type { RunCostView } from '../../../common/insight';

export interface CostInput {
  /** EUR, when the service gives it (null while running). */
  serviceCost: number | null;
  serviceCpuHours: number | null;
  cpu: number | null;
  elapsedSeconds: number | null;
  etaSeconds: number | null;
  /** EUR per vCPU hour, e.g. from learnPricePerCpuHour(); null if unknown. */
  pricePerCpuHour: number | null;
  /** The run has ended: nothing more will be spent. */
  ended: boolean;
}

export function costView(i: CostInput): RunCostView {
  const estHours = i.cpu !== null && i.elapsedSeconds !== null ? (i.cpu * i.elapsedSeconds) / 3600 : null;
  const cpuHoursSoFar = i.serviceCpuHours !== null && i.serviceCpuHours > 0 ? i.serviceCpuHours : estHours;
  let costSoFar: number | null = null;
  let fromService = false;
  if (i.serviceCost !== null && (i.serviceCost > 0 || i.ended)) {
    costSoFar = i.serviceCost;
    fromService = true;
  } else if (cpuHoursSoFar !== null && i.pricePerCpuHour !== null) {
    costSoFar = cpuHoursSoFar * i.pricePerCpuHour;
  }
  let projected: number | null = null;
  if (costSoFar !== null) {
    if (i.ended) projected = costSoFar;
    else if (i.etaSeconds !== null && i.elapsedSeconds !== null && i.elapsedSeconds > 0) projected = (costSoFar * (i.elapsedSeconds + i.etaSeconds)) / i.elapsedSeconds;
  }
  return { costSoFar, costFromService: fromService, cpuHoursSoFar, projectedCost: projected, pricePerCpuHour: fromService ? null : i.pricePerCpuHour };
}

export interface FinishedRunCost {
  ram: string;
  cost: number | null;
  cpuHours: number | null;
}

/** Median EUR per vCPU hour of the finished runs of this RAM class (null when there are none). */
export function learnPricePerCpuHour(runs: FinishedRunCost[], ram: string): number | null {
  const rates = runs
    .filter((r) => r.ram === ram && r.cost !== null && r.cpuHours !== null && r.cpuHours > 0 && r.cost >= 0)
    .map((r) => (r.cost as number) / (r.cpuHours as number))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (rates.length === 0) return null;
  const mid = Math.floor(rates.length / 2);
  return rates.length % 2 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
}
