import { RandomStreams } from '../sim/kernel/random.js';
import { EntryKind } from '../sim/ledger.js';
import type { World } from '../sim/model/world.js';
import { DemandProcess } from '../sim/model/demand.js';
import type { SimResult } from '../sim/index.js';
import { PlanError } from './lp.js';

/**
 * The realised demand of one seed: every order the simulator will create, with
 * its region (which the ledger does not record) and its transit luck. Demand is
 * common to all strategies on a seed, so it can be drawn without a run.
 */
export interface RealisedDemand {
  seed: number;
  days: number;
  /** Per order index: arrival hour, SKU, region, segment, units, unit price. */
  time: Float64Array;
  sku: Int32Array;
  region: Int32Array;
  segment: Int32Array;
  qty: Int32Array;
  unitPrice: Float64Array;
  /** Per order: standard normal for transit time and uniform for carrier lateness. */
  transitZ: Float64Array;
  lateU: Float64Array;
  count: number;
}

/**
 * Draws the demand of `seed` with the simulator's own demand process
 * (`DemandProcess`: the same named streams, in the same order). `checkDemand`
 * verifies the result against a run's ledger all the same.
 */
export function drawDemand(world: World, seed: number, days = world.scenario.horizonDays): RealisedDemand {
  const process = new DemandProcess(world, new RandomStreams(seed), days * 24);
  const rows = { time: [] as number[], sku: [] as number[], region: [] as number[], segment: [] as number[], qty: [] as number[], price: [] as number[], z: [] as number[], u: [] as number[] };
  for (let day = 0; day < days; day++) {
    process.drawDay(day, (sku, region, segment, quantity, timeHours, unitPrice, transitZ, lateU) => {
      rows.time.push(timeHours);
      rows.sku.push(sku);
      rows.region.push(region);
      rows.segment.push(segment);
      rows.qty.push(quantity);
      rows.price.push(unitPrice);
      rows.z.push(transitZ);
      rows.u.push(lateU);
    });
  }
  return {
    seed,
    days,
    time: Float64Array.from(rows.time),
    sku: Int32Array.from(rows.sku),
    region: Int32Array.from(rows.region),
    segment: Int32Array.from(rows.segment),
    qty: Int32Array.from(rows.qty),
    unitPrice: Float64Array.from(rows.price),
    transitZ: Float64Array.from(rows.z),
    lateU: Float64Array.from(rows.u),
    count: rows.time.length,
  };
}

/** FNV-1a over a string, as 8 hex digits. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function orderKey(i: number, t: number, k: number, g: number, q: number, amount: number): string {
  return `${i}:${t.toFixed(6)}:${k}:${g}:${q}:${Math.round(amount * 100)};`;
}

/**
 * A short fingerprint of the demand (every order's index, time, SKU, segment,
 * units and value): equal for a drawn demand and for any run on the same seed.
 */
export function demandFingerprint(d: RealisedDemand): string {
  let text = '';
  for (let i = 0; i < d.count; i++) text += orderKey(i, d.time[i]!, d.sku[i]!, d.segment[i]!, d.qty[i]!, d.qty[i]! * d.unitPrice[i]!);
  return `${d.count}-${fnv(text)}`;
}

/** The same fingerprint computed from a run's ledger (its ORDER entries). */
export function ledgerDemandFingerprint(result: SimResult): string {
  const L = result.ledger;
  const rows: string[] = new Array(result.orders).fill('');
  for (let i = 0; i < L.length; i++) {
    if (L.kind[i] !== EntryKind.ORDER) continue;
    const o = L.order[i]!;
    rows[o] = orderKey(o, L.time[i]!, L.sku[i]!, L.segment[i]!, L.qty[i]!, L.amount[i]!);
  }
  return `${result.orders}-${fnv(rows.join(''))}`;
}

/** Throws `PlanError` unless the drawn demand is exactly the demand of the run. */
export function checkDemand(d: RealisedDemand, result: SimResult): void {
  const a = demandFingerprint(d);
  const b = ledgerDemandFingerprint(result);
  if (a !== b) {
    throw new PlanError(`drawn demand (fingerprint ${a}) differs from the run's ledger (${b}) on seed ${d.seed}: the simulator's demand draw changed`);
  }
}
