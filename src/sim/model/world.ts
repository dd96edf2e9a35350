import { RandomStreams } from '../kernel/random.js';
import type { Scenario, Segment } from '../scenario/schema.js';
import { generatedSkuId } from '../scenario/load.js';
import type { ModeOption, PerSegment, SegmentKind } from '../policies/contract.js';
import { distanceKm } from './geo.js';

/** A SKU with every field resolved (generated SKUs included). */
export interface SkuInfo {
  id: string;
  unitCost: number;
  price: number;
  launchDay: number;
  replenish: boolean;
  /** Share of network demand (sums to 1 over SKUs). */
  share: number;
}

/** The static shipping options from one warehouse to one region. */
export interface LaneInfo {
  distanceKm: number;
  /** Open modes, cheapest first. Shared, read-only objects. */
  modes: readonly ModeOption[];
  /** Per open mode, the carrier's delay and transit variability. */
  lateDelayHours: readonly number[];
  transitCv: readonly number[];
  /** Per open mode, σ of the lognormal transit noise: sqrt(ln(1 + cv²)). */
  transitSigma: readonly number[];
  /** Index into the scenario's modes, per open mode. */
  modeIndex: readonly number[];
}

/**
 * A scenario compiled into indexed arrays for the simulator: SKUs resolved, lanes
 * derived from distances (with overrides), base demand per SKU × region × segment
 * and stock levels per warehouse × SKU. Built once per scenario and shared by runs;
 * it holds no run state and no randomness (generated SKUs draw from a stream seeded
 * by the scenario's name, so they do not change with the run's seed).
 */
export interface World {
  scenario: Scenario;
  horizonHours: number;
  skus: SkuInfo[];
  skuIndex: Map<string, number>;
  warehouseIndex: Map<string, number>;
  regionIndex: Map<string, number>;
  segmentIndex: Map<string, number>;
  modeIndex: Map<string, number>;
  segmentKinds: SegmentKind[];
  /** lanes[w * R + r] */
  lanes: LaneInfo[];
  /** Nearest warehouse to each region: where its unplaced demand counts for replenishment. */
  homeWarehouse: Int32Array;
  /** Warehouses by distance from each region, nearest first: [r][i]. */
  warehousesByDistance: Int32Array[];
  /** Base orders per day for SKU × region × segment: [(s * R + r) * G + g]. */
  baseOrdersPerDay: Float64Array;
  /** Expected units per day (base, before seasonality) for SKU × segment kind: [s * 3 + k]. */
  baseUnitsBySkuKind: Float64Array;
  /** Expected units per day charged to warehouse × SKU (home-region demand): [w * S + s]. */
  baseUnitsByCell: Float64Array;
  orderUpTo: Int32Array;
  reorderPoint: Int32Array;
  initialStock: Int32Array;
}

/**
 * Realised transit time of a shipment on `lane` by its open mode `m`, given the
 * order's luck: lognormal around the lane's mean with its cv (`z` a standard
 * normal), plus the carrier's delay when `u` (uniform) falls under the late risk.
 */
export function laneTransitHours(lane: LaneInfo, m: number, z: number, u: number): number {
  const sigma = lane.transitSigma[m]!;
  const mode = lane.modes[m]!;
  let transit = mode.transitHours;
  if (sigma > 0) transit *= Math.exp(sigma * z - (sigma * sigma) / 2);
  if (u < mode.lateRisk) transit += lane.lateDelayHours[m]!;
  return transit;
}

/**
 * The demand model's forecast for a SKU across the network, units per day by
 * segment kind: the base rate times the day's calendar factor. The simulator and
 * the service both fill `LineContext.forecastDailyUnits` with it.
 */
export function forecastDailyUnits(world: World, sku: number, factor: number): PerSegment {
  const base = world.baseUnitsBySkuKind;
  return { contract: base[sku * 3]! * factor, premium: base[sku * 3 + 1]! * factor, standard: base[sku * 3 + 2]! * factor };
}

export const KIND_INDEX: Record<SegmentKind, number> = { contract: 0, premium: 1, standard: 2 };

function resolveSkus(s: Scenario): SkuInfo[] {
  const out: { id: string; unitCost: number; price: number; launchDay: number; replenish: boolean; weight: number }[] = [];
  const gen = s.skus.generate;
  if (gen) {
    const rng = new RandomStreams(`scenario:${s.name}`).get('skus');
    for (let i = 0; i < gen.count; i++) {
      const unitCost = round2(gen.unitCost[0] + rng.uniform() * (gen.unitCost[1] - gen.unitCost[0]));
      const markup = gen.markup[0] + rng.uniform() * (gen.markup[1] - gen.markup[0]);
      out.push({
        id: generatedSkuId(gen.prefix, i, gen.count),
        unitCost: Math.max(0.01, unitCost),
        price: Math.max(0.01, round2(unitCost * (1 + markup))),
        launchDay: 0,
        replenish: true,
        weight: 1 / Math.pow(i + 1, gen.zipf),
      });
    }
  }
  const meanWeight = out.length ? out.reduce((a, b) => a + b.weight, 0) / out.length : 1;
  for (const k of s.skus.items) {
    out.push({ id: k.id, unitCost: k.unitCost, price: k.price, launchDay: k.launchDay, replenish: k.replenish, weight: k.popularity ?? meanWeight });
  }
  const total = out.reduce((a, b) => a + b.weight, 0) || 1;
  return out.map((k) => ({ id: k.id, unitCost: k.unitCost, price: k.price, launchDay: k.launchDay, replenish: k.replenish, share: k.weight / total }));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Expected units per order line for a segment. */
export function meanUnits(g: Segment): number {
  return g.meanOrderQuantity;
}

export function buildWorld(s: Scenario): World {
  const skus = resolveSkus(s);
  const S = skus.length;
  const W = s.warehouses.length;
  const R = s.regions.length;
  const G = s.segments.length;
  const index = (items: { id: string }[]) => new Map(items.map((x, i) => [x.id, i]));
  const skuIndex = new Map(skus.map((k, i) => [k.id, i]));
  const warehouseIndex = index(s.warehouses);
  const regionIndex = index(s.regions);
  const segmentIndex = index(s.segments);
  const modeIndex = index(s.modes);

  const lanes: LaneInfo[] = [];
  for (let w = 0; w < W; w++) {
    const wh = s.warehouses[w]!;
    for (let r = 0; r < R; r++) {
      const rg = s.regions[r]!;
      const d = distanceKm(wh.lat, wh.lon, rg.lat, rg.lon);
      const opts: { opt: ModeOption; late: number; cv: number; m: number }[] = [];
      s.modes.forEach((m, mi) => {
        const o = s.lanes.find((l) => l.warehouse === wh.id && l.region === rg.id && l.mode === m.id);
        if (o && !o.open) return;
        if (!o && d > m.maxDistanceKm) return;
        opts.push({
          opt: {
            mode: m.id,
            transitHours: o?.transitHours ?? m.handoverHours + d / m.speedKmPerHour,
            costPerUnit: o?.costPerUnit ?? m.fixedCostPerUnit + m.costPerUnitKm * d,
            lateRisk: o?.lateRisk ?? m.lateRisk,
          },
          late: m.lateDelayHours,
          cv: m.transitCv,
          m: mi,
        });
      });
      opts.sort((a, b) => a.opt.costPerUnit - b.opt.costPerUnit || a.m - b.m);
      lanes.push({
        distanceKm: d,
        modes: opts.map((x) => Object.freeze(x.opt)),
        lateDelayHours: opts.map((x) => x.late),
        transitCv: opts.map((x) => x.cv),
        transitSigma: opts.map((x) => Math.sqrt(Math.log(1 + x.cv * x.cv))),
        modeIndex: opts.map((x) => x.m),
      });
    }
  }

  const homeWarehouse = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    let best = 0;
    for (let w = 1; w < W; w++) if (lanes[w * R + r]!.distanceKm < lanes[best * R + r]!.distanceKm) best = w;
    homeWarehouse[r] = best;
  }

  const warehousesByDistance: Int32Array[] = [];
  for (let r = 0; r < R; r++) {
    const order = Array.from({ length: W }, (_, w) => w);
    order.sort((a, b) => lanes[a * R + r]!.distanceKm - lanes[b * R + r]!.distanceKm || a - b);
    warehousesByDistance.push(Int32Array.from(order));
  }

  const regionTotal = s.regions.reduce((a, r) => a + r.demandWeight, 0);
  const segTotal = s.segments.reduce((a, g) => a + g.demandShare, 0);
  const baseOrdersPerDay = new Float64Array(S * R * G);
  const baseUnitsBySkuKind = new Float64Array(S * 3);
  const baseUnitsByCell = new Float64Array(W * S);
  const segmentKinds = s.segments.map((g) => g.kind);
  for (let k = 0; k < S; k++) {
    for (let r = 0; r < R; r++) {
      const rw = s.regions[r]!.demandWeight / regionTotal;
      for (let g = 0; g < G; g++) {
        const seg = s.segments[g]!;
        const rate = s.demand.ordersPerDay * skus[k]!.share * rw * (seg.demandShare / segTotal);
        baseOrdersPerDay[(k * R + r) * G + g] = rate;
        const units = rate * meanUnits(seg);
        baseUnitsBySkuKind[k * 3 + KIND_INDEX[seg.kind]] += units;
        baseUnitsByCell[homeWarehouse[r]! * S + k] += units;
      }
    }
  }

  const rp = s.replenishment;
  const orderUpTo = new Int32Array(W * S);
  const reorderPoint = new Int32Array(W * S);
  const initialStock = new Int32Array(W * S);
  for (let w = 0; w < W; w++) {
    for (let k = 0; k < S; k++) {
      const c = w * S + k;
      const daily = baseUnitsByCell[c]!;
      const sku = skus[k]!;
      if (!sku.replenish) continue;
      orderUpTo[c] = Math.ceil(rp.orderUpToDays * daily);
      reorderPoint[c] = Math.ceil(rp.reorderPointDays * daily);
      initialStock[c] = sku.launchDay > 0 ? 0 : Math.ceil(rp.initialDays * daily);
    }
  }
  for (const l of rp.levels) {
    const c = warehouseIndex.get(l.warehouse)! * S + skuIndex.get(l.sku)!;
    orderUpTo[c] = l.orderUpTo;
    reorderPoint[c] = l.reorderPoint ?? l.orderUpTo;
    initialStock[c] = l.initial ?? l.orderUpTo;
  }

  return {
    scenario: s,
    horizonHours: s.horizonDays * 24,
    skus,
    skuIndex,
    warehouseIndex,
    regionIndex,
    segmentIndex,
    modeIndex,
    segmentKinds,
    lanes,
    homeWarehouse,
    warehousesByDistance,
    baseOrdersPerDay,
    baseUnitsBySkuKind,
    baseUnitsByCell,
    orderUpTo,
    reorderPoint,
    initialStock,
  };
}

/**
 * Demand multiplier for a SKU on a day from the calendar alone: weekly season,
 * trend and launch (zero before launch, then a decaying spike). Promotions are
 * applied separately since they may be regional.
 */
export function calendarFactor(world: World, sku: number, day: number): number {
  const d = world.scenario.demand;
  const info = world.skus[sku]!;
  const dayIndex = Math.floor(day);
  if (dayIndex < info.launchDay) return 0;
  let f = d.weekly[((dayIndex % 7) + 7) % 7]! * Math.max(0, 1 + (d.trendPerYear * dayIndex) / 365);
  for (const l of d.launches) {
    if (l.sku === info.id) f *= 1 + l.spikeMultiplier * Math.exp(-(dayIndex - info.launchDay) / l.decayDays);
  }
  return f;
}
