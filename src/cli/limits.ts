import type { World } from '../sim/model/world.js';
import { UsageError } from './errors.js';

/**
 * Memory a command will need, estimated before it starts, so that a horizon too
 * long for the machine is refused in a second with one line instead of growing
 * past the memory for minutes. A run keeps its whole ledger in memory (KPIs and
 * the reconciliation read it at the end), so its peak grows with its ledger.
 */

/** Default of `--max-memory`, in MB: what a command may plan to use at its peak. */
export const DEFAULT_MAX_MEMORY_MB = 2048;

/**
 * Ledger entries reserved per expected order: the engine sizes its ledger the
 * same way (an order makes nine to twelve entries: order, allocations, picks,
 * shipments, deliveries, revenue, costs).
 */
const ENTRIES_PER_ORDER = 12;
/**
 * Peak resident bytes per ledger entry, whole process: the ledger's columns
 * (about 35 bytes) plus what grows with it (orders in flight, KPI passes, the
 * run's daily series). The slope of peak RSS against ledger size measured on the
 * three shipped scenarios was 35–41 bytes; 45 leaves a margin.
 */
const BYTES_PER_ENTRY = 45;
/** Resident memory of a process that has loaded a scenario, before its run (measured ~110 MB, rounded up). */
const BASE_BYTES = 150 * 2 ** 20;
/** A worker thread's own heap and code before it runs anything. */
const WORKER_BYTES = 40 * 2 ** 20;

/**
 * Expected orders over `days`: the scenario's order rate under its linear trend
 * (`1 + trendPerYear × day / 365`, as the demand model applies it; the weekly
 * season averages to one), so long horizons of a growing market are not underestimated.
 */
export function expectedOrders(world: World, days: number): number {
  const d = world.scenario.demand;
  return d.ordersPerDay * Math.max(0, days + (d.trendPerYear * days * (days - 1)) / 730);
}

/** Expected ledger entries and peak bytes of one simulation of `world` over `days`. */
export function runEstimate(world: World, days: number): { entries: number; bytes: number } {
  const s = world.scenario;
  const cells = s.warehouses.length * world.skus.length;
  const entries = expectedOrders(world, days) * ENTRIES_PER_ORDER + days * (s.warehouses.length + 3) + cells;
  return { entries, bytes: entries * BYTES_PER_ENTRY };
}

/** Parses `--max-memory <MB>`. */
export function maxMemoryOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 256) throw new UsageError(`--max-memory(=${value}) must be a whole number of MB >= 256`);
  return n;
}

const mb = (bytes: number) => Math.ceil(bytes / 2 ** 20).toLocaleString('en-US');

/**
 * Refuses, with one line naming the limit, a horizon whose estimated peak memory
 * exceeds `maxMemoryMb`: `runs` simulations at once (a benchmark's workers) plus
 * `extraBytes` kept beside them (a benchmark's per-day results). The message says
 * the longest horizon that fits.
 */
export function checkHorizon(world: World, days: number, o: { maxMemoryMb: number; runs?: number; workers?: number; extraBytesPerDay?: number; what?: string }): void {
  const runs = o.runs ?? 1;
  const need = (n: number) => BASE_BYTES + (o.workers ?? 0) * WORKER_BYTES + runs * runEstimate(world, n).bytes + n * (o.extraBytesPerDay ?? 0);
  const limit = o.maxMemoryMb * 2 ** 20;
  if (need(days) <= limit) return;
  // need() grows with days: the longest horizon that fits, by bisection.
  let lo = 0;
  let hi = days;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (need(mid) <= limit) lo = mid;
    else hi = mid;
  }
  const maxDays = lo;
  const entries = runEstimate(world, days).entries;
  throw new UsageError(
    `--days(=${days}) needs about ${mb(need(days))} MB (${world.scenario.name}: ~${Math.round(entries / 1e6).toLocaleString('en-US')} M ledger entries a run${runs > 1 ? `, ${runs} runs at once` : ''}), over the --max-memory limit of ${o.maxMemoryMb.toLocaleString('en-US')} MB; at most ${maxDays.toLocaleString('en-US')} days fit${o.what ? ` ${o.what}` : ''}`,
  );
}
