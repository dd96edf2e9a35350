import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { quantileSorted } from 'simple-statistics';
import { ESCALATION_CAUSES, type EscalationCause, type FinanceTotals, type FinanceWeeks, type PaymentTerms } from './detail.js';
import { interval, type Interval } from './stats.js';
import type { TaskRecord } from './task.js';

/**
 * The bench's `detail.json`: per strategy, what the report's warehouse, daily,
 * contract, intervention and finance views draw, aggregated over seeds (means,
 * and for daily series the median with a 10–90% band).
 */
export interface BenchDetail {
  terms: PaymentTerms;
  strategies: Record<string, StrategyDetail>;
}

export interface WarehouseRow {
  warehouse: string;
  shippedUnits: number;
  utilisation: number;
  /** Shipping + handling + holding. */
  cost: number;
  stockoutDays: number;
  meanOnHand: number;
  meanPickBacklog: number;
  daysOfCover: number;
  meanValue: number;
  meanAgeDays: number;
}

/** A daily series over seeds: median and the 10th–90th percentile band, per day. */
export interface Band {
  median: number[];
  lo: number[];
  hi: number[];
}

export interface StrategyDetail {
  warehouses: WarehouseRow[];
  daily: { fill: Band; backlog: Band; stockouts: Band; inventoryValue: Band };
  /** Mean inventory value per warehouse per day. */
  valueByWarehouse: number[][];
  contracts: { segment: string; period: number; endDay: number; fill: Interval; target: number; shortUnits: number }[];
  /** Escalated orders per run (mean over seeds), by cause. */
  escalations: Record<EscalationCause, number>;
  finance: { weeks: FinanceWeeks; totals: FinanceTotals };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function band(series: number[][]): Band {
  const days = series[0]?.length ?? 0;
  const out: Band = { median: [], lo: [], hi: [] };
  for (let d = 0; d < days; d++) {
    const xs = series.map((s) => s[d]!).sort((a, b) => a - b);
    out.median.push(quantileSorted(xs, 0.5));
    out.lo.push(quantileSorted(xs, 0.1));
    out.hi.push(quantileSorted(xs, 0.9));
  }
  return out;
}

/** Element-wise mean of equally shaped number arrays. */
function meanArrays(xs: number[][]): number[] {
  return (xs[0] ?? []).map((_, i) => mean(xs.map((x) => x[i]!)));
}

export function benchDetail(strategies: readonly string[], records: readonly TaskRecord[]): BenchDetail {
  const terms = records.find((r) => r.detail)?.detail!.finance.terms ?? { customerDays: [], supplierDays: 0 };
  const out: BenchDetail = { terms, strategies: {} };
  for (const name of strategies) {
    const runs = records.filter((r) => r.strategy === name && r.detail && r.byWarehouse).sort((a, b) => a.seed - b.seed);
    if (runs.length === 0) continue;
    const first = runs[0]!;
    const warehouses = first.byWarehouse!.map((w, wi) => {
      const at = <T>(pick: (r: TaskRecord) => T) => runs.map(pick);
      const k = at((r) => r.byWarehouse![wi]!);
      const d = at((r) => r.detail!.warehouses[wi]!);
      return {
        warehouse: w.warehouse,
        shippedUnits: mean(k.map((x) => x.shippedUnits)),
        utilisation: mean(k.map((x) => x.utilisation)),
        cost: mean(k.map((x) => x.shippingCost + x.handlingCost + x.holdingCost)),
        stockoutDays: mean(k.map((x) => x.stockoutDays)),
        meanOnHand: mean(d.map((x) => x.meanOnHand)),
        meanPickBacklog: mean(d.map((x) => x.meanPickBacklog)),
        daysOfCover: mean(d.map((x) => x.daysOfCover)),
        meanValue: mean(d.map((x) => x.meanValue)),
        meanAgeDays: mean(d.map((x) => x.meanAgeDays)),
      };
    });
    const daily = (pick: (r: TaskRecord) => number[]) => band(runs.map(pick));
    const contracts = first.detail!.contracts.map((c, ci) => {
      const fills = runs.map((r) => {
        const x = r.detail!.contracts[ci];
        return x && x.ordered > 0 ? x.filled / x.ordered : 1;
      });
      return { segment: c.segment, period: c.period, endDay: c.endDay, fill: interval(fills), target: c.target, shortUnits: mean(runs.map((r) => r.detail!.contracts[ci]?.shortUnits ?? 0)) };
    });
    const escalations = Object.fromEntries(ESCALATION_CAUSES.map((c) => [c, mean(runs.map((r) => r.detail!.escalations[c]))])) as Record<EscalationCause, number>;
    const fw = (k: keyof FinanceWeeks) => meanArrays(runs.map((r) => r.detail!.finance.weeks[k]));
    const totals = Object.fromEntries(
      (Object.keys(first.detail!.finance.totals) as (keyof FinanceTotals)[]).map((k) => [k, mean(runs.map((r) => r.detail!.finance.totals[k]))]),
    ) as unknown as FinanceTotals;
    out.strategies[name] = {
      warehouses,
      daily: {
        fill: daily((r) => r.detail!.daily.fill),
        backlog: daily((r) => r.detail!.daily.backlog),
        stockouts: daily((r) => r.detail!.daily.stockouts),
        inventoryValue: daily((r) => r.detail!.daily.inventoryValue),
      },
      valueByWarehouse: first.detail!.daily.valueByWarehouse.map((_, wi) => meanArrays(runs.map((r) => r.detail!.daily.valueByWarehouse[wi]!))),
      contracts,
      escalations,
      finance: { weeks: { revenue: fw('revenue'), cashIn: fw('cashIn'), cashOutPurchases: fw('cashOutPurchases'), cashOutOperations: fw('cashOutOperations'), netCash: fw('netCash') }, totals },
    };
  }
  return out;
}

/** Writes `detail.json` into a results directory (temp file + rename: never half-written). */
export function writeBenchDetail(dir: string, strategies: readonly string[], records: readonly TaskRecord[]): void {
  const file = join(dir, 'detail.json');
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(benchDetail(strategies, records))}\n`);
  renameSync(tmp, file);
}
