import type { RandomStreams, Stream } from '../kernel/random.js';
import { calendarFactor, type World } from './world.js';

/** Receives one drawn order: where, what, how many, when, at what price, and its transit luck. */
export type OrderSink = (
  sku: number,
  region: number,
  segment: number,
  quantity: number,
  timeHours: number,
  unitPrice: number,
  transitZ: number,
  lateU: number,
) => void;

/**
 * The demand process of a scenario on one seed: the orders of each day, drawn from
 * the `demand` stream (counts, cells, quantities, times) and the `transit` stream
 * (each order's transit-time and carrier-delay luck). It depends on nothing a
 * strategy does, which is what gives common random numbers; the simulator and the
 * planners (hindsight oracle) draw the same orders from it.
 *
 * Per SKU and day: the mean over all its regions × segments (base rate × calendar
 * × promotions); one gamma demand shock shared by them when demand is negative
 * binomial (dispersion k: variance = mean + mean²/k); one Poisson count; and each
 * order placed in a region × segment with probability proportional to its mean —
 * the same law as a Poisson count per cell, at the cost of the orders rather than
 * the cells.
 */
export class DemandProcess {
  /** The calendar factor of each SKU on the last day drawn (0 before launch). */
  readonly factor: Float64Array;
  private readonly rng: Stream;
  private readonly transit: Stream;
  private readonly cum: Float64Array;
  private readonly regionPrice: Float64Array;

  constructor(
    private readonly world: World,
    streams: RandomStreams,
    private readonly horizonHours: number,
  ) {
    this.rng = streams.get('demand');
    this.transit = streams.get('transit');
    this.factor = new Float64Array(world.skus.length);
    this.cum = new Float64Array(world.scenario.regions.length * world.scenario.segments.length);
    this.regionPrice = new Float64Array(world.scenario.regions.length);
  }

  /** Draws day `day`'s orders, in draw order, into `sink`. Days must be drawn in order. */
  drawDay(day: number, sink: OrderSink): void {
    const world = this.world;
    const s = world.scenario;
    const S = world.skus.length;
    const R = s.regions.length;
    const G = s.segments.length;
    const rng = this.rng;
    const dem = s.demand;
    const nb = dem.distribution === 'negative-binomial';
    const promos = dem.promotions.filter((p) => day >= p.startDay && day < p.endDay);
    const base = world.baseOrdersPerDay;
    const dayStart = day * 24;
    const span = Math.min(24, this.horizonHours - dayStart);
    const cum = this.cum;
    const regionPrice = this.regionPrice;
    for (let k = 0; k < S; k++) {
      const cf = calendarFactor(world, k, day);
      this.factor[k] = cf;
      if (cf === 0 || span <= 0) continue;
      const sku = world.skus[k]!;
      let total = 0;
      for (let r = 0; r < R; r++) {
        let f = 1;
        let priceF = s.regions[r]!.priceFactor;
        for (const p of promos) {
          if ((p.sku === undefined || p.sku === sku.id) && (p.region === undefined || p.region === s.regions[r]!.id)) {
            f *= p.demandMultiplier;
            priceF *= p.priceFactor;
          }
        }
        regionPrice[r] = priceF;
        const cell = (k * R + r) * G;
        for (let g = 0; g < G; g++) {
          total += base[cell + g]! * f;
          cum[r * G + g] = total;
        }
      }
      const mean = total * cf * (span / 24);
      if (mean <= 0) continue;
      const n = rng.poisson(nb ? mean * rng.gamma(dem.dispersion, 1 / dem.dispersion) : mean);
      for (let i = 0; i < n; i++) {
        // Which region × segment: binary search of the cumulative means.
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
        const qty = seg.meanOrderQuantity > 1 ? 1 + rng.poisson(seg.meanOrderQuantity - 1) : 1;
        const at = dayStart + rng.uniform() * span;
        const price = Math.round(sku.price * regionPrice[r]! * seg.priceFactor * 100) / 100;
        sink(k, r, g, qty, at, price, this.transit.normal(), this.transit.uniform());
      }
    }
  }
}
