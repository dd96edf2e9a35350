import { mean, sampleStandardDeviation, probit } from 'simple-statistics';

/** Summary of one KPI over seeds: mean, sample standard deviation and a 95% interval for the mean. */
export interface Interval {
  n: number;
  mean: number;
  sd: number;
  /** 95% confidence interval for the mean (Student's t); equal to the mean when n < 2. */
  lo: number;
  hi: number;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (normal beyond 30, with a small-sample correction). */
export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[Math.floor(df) - 1]!;
  const z = probit(0.975);
  // Cornish–Fisher expansion: close to the table at 30 and exact in the limit.
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/** Mean, sample standard deviation and 95% confidence interval of `xs`. */
export function interval(xs: readonly number[]): Interval {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, lo: NaN, hi: NaN };
  const m = mean(xs as number[]);
  if (n < 2) return { n, mean: m, sd: 0, lo: m, hi: m };
  const sd = sampleStandardDeviation(xs as number[]);
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, lo: m - half, hi: m + half };
}

/** Which way is good for a KPI. */
export type Direction = 'higher' | 'lower' | 'neutral';

const LOWER_IS_BETTER = new Set([
  'cogs', 'shippingCost', 'handlingCost', 'holdingCost', 'latePenalty', 'lostSalePenalty', 'contractPenalty', 'penalties',
  'meanDeliveryDays', 'meanInventoryAgeDays', 'stockoutDays', 'backorderUnits', 'openBackorderUnits', 'lostSalesUnits',
  'splitShipmentRate', 'manualInterventionRate', 'inventoryValue', 'contractPeriodsMissed', 'contractShortfallUnits',
]);
const NEUTRAL = new Set(['orders', 'demandedUnits', 'contractFillTarget', 'contractPeriods', 'warehouseUtilisation']);

/** Direction of a KPI by name: most are "higher is better"; costs, penalties and delays are "lower". */
export function directionOf(kpi: string): Direction {
  if (LOWER_IS_BETTER.has(kpi)) return 'lower';
  if (NEUTRAL.has(kpi)) return 'neutral';
  return 'higher';
}

/** A paired comparison of a strategy with the baseline over the same seeds. */
export interface PairedDifference extends Interval {
  /** 'better' or 'worse' only when the interval excludes zero; otherwise 'no difference'. */
  verdict: 'better' | 'worse' | 'no difference';
}

/**
 * Paired difference `a − b` seed by seed (common random numbers make the pairs
 * comparable), with its 95% interval. The verdict follows the KPI's direction
 * and is called only when the interval excludes zero.
 */
export function pairedDifference(a: readonly number[], b: readonly number[], direction: Direction): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length (${a.length} vs ${b.length})`);
  const diffs = a.map((x, i) => x - b[i]!);
  const iv = interval(diffs);
  let verdict: PairedDifference['verdict'] = 'no difference';
  const excludesZero = iv.n >= 2 && (iv.lo > 0 || iv.hi < 0) && direction !== 'neutral';
  if (excludesZero) {
    const up = iv.lo > 0;
    verdict = (up && direction === 'higher') || (!up && direction === 'lower') ? 'better' : 'worse';
  }
  return { ...iv, verdict };
}
