import { RandomStreams } from '../sim/kernel/random.js';
import { EntryKind } from '../sim/ledger.js';
import { calendarFactor, type World } from '../sim/model/world.js';
import type { SimResult } from '../sim/engine.js';
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

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Draws the demand of `seed` from the same named streams, in the same order, as
 * the simulator's daily demand draw (`demand` for counts, quantities and times;
 * `transit` for each order's transit luck). `checkDemand` verifies the result
 * against a run's ledger, so a change in the simulator is caught, not trusted.
 */
export function drawDemand(world: World, seed: number, days = world.scenario.horizonDays): RealisedDemand {
  const s = world.scenario;
  const streams = new RandomStreams(seed);
  const rng = streams.get('demand');
  const transit = streams.get('transit');
  const S = world.skus.length;
  const R = s.regions.length;
  const G = s.segments.length;
  const dem = s.demand;
  const nb = dem.distribution === 'negative-binomial';
  const horizon = days * 24;
  const rows = { time: [] as number[], sku: [] as number[], region: [] as number[], segment: [] as number[], qty: [] as number[], price: [] as number[], z: [] as number[], u: [] as number[] };
  const cum = new Float64Array(R * G);
  const regionPrice = new Float64Array(R);
  for (let day = 0; day < days; day++) {
    const promos = dem.promotions.filter((p) => day >= p.startDay && day < p.endDay);
    const dayStart = day * 24;
    const span = Math.min(24, horizon - dayStart);
    for (let k = 0; k < S; k++) {
      const cf = calendarFactor(world, k, day);
      if (cf === 0) continue;
      const info = world.skus[k]!;
      // The SKU's day: one count over all regions × segments, each order placed in a
      // cell with probability proportional to its mean (as the simulator draws it).
      let total = 0;
      for (let r = 0; r < R; r++) {
        let f = 1;
        let priceF = s.regions[r]!.priceFactor;
        for (const p of promos) {
          if ((p.sku === undefined || p.sku === info.id) && (p.region === undefined || p.region === s.regions[r]!.id)) {
            f *= p.demandMultiplier;
            priceF *= p.priceFactor;
          }
        }
        regionPrice[r] = priceF;
        const cell = (k * R + r) * G;
        for (let g = 0; g < G; g++) {
          total += world.baseOrdersPerDay[cell + g]! * f;
          cum[r * G + g] = total;
        }
      }
      const mean = total * cf * (span / 24);
      if (mean <= 0) continue;
      const n = rng.poisson(nb ? mean * rng.gamma(dem.dispersion, 1 / dem.dispersion) : mean);
      for (let i = 0; i < n; i++) {
        const u = rng.uniform() * total;
        let lo = 0;
        let hi = R * G - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cum[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        const r = Math.floor(lo / G);
        const g = lo - r * G;
        const seg = s.segments[g]!;
        const q = seg.meanOrderQuantity > 1 ? 1 + rng.poisson(seg.meanOrderQuantity - 1) : 1;
        rows.time.push(dayStart + rng.uniform() * span);
        rows.sku.push(k);
        rows.region.push(r);
        rows.segment.push(g);
        rows.qty.push(q);
        rows.price.push(round2(info.price * regionPrice[r]! * seg.priceFactor));
        rows.z.push(transit.normal());
        rows.u.push(transit.uniform());
      }
    }
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
