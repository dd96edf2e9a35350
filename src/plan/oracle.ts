import { laneTransitHours, type World } from '../sim/model/world.js';
import type { ContractMode } from '../sim/scenario/index.js';
import { drawDemand, type RealisedDemand } from './demand.js';
import { LinearProgram, loadHighs } from './lp.js';

/**
 * The hindsight oracle: an upper bound on the scenario reward of any strategy on
 * one seed, from a linear programme over the whole horizon that knows the
 * realised demand (every order, its arrival, region, segment and transit luck)
 * and the scheduled supply.
 *
 * What is modelled exactly: revenue, COGS, handling and shipping per unit by
 * warehouse and mode; the scheduled supply of non-replenished SKUs (opening stock
 * plus scheduled inbound) with when it lands; warehouse outages; when an order
 * can first be allocated (its first wave) and when it walks away (patience);
 * lateness from the order's own transit luck; contract periods and shortfall.
 *
 * Where it relaxes (each relaxation can only raise the bound):
 * - replenished SKUs get unlimited supply: their receipts react to the strategy,
 *   so any fixed supply would not bound every strategy;
 * - pick capacity is ignored and a unit leaves `pickHours` after allocation;
 * - holding cost is counted only for scheduled stock, as a lower bound (on hand ≥
 *   landed − allocated at each day close); replenished stock's holding is taken as zero;
 * - within an (SKU, region, segment, epoch) group the LP may serve the on-time
 *   units first, at the best unit's value;
 * - the contract shortfall is not rounded up (soft mode), and contract credit of
 *   replenished orders may move across a period boundary at no cost.
 *
 * Contracts (`contracts`, default the scenario's): `soft` prices a shortfall at its
 * penalty, so the plan may trade a commitment for margin, and the result bounds every
 * strategy's reward. `hard` makes each contract segment's commitment per period
 * (⌈fillRateTarget × min(ordered, committed)⌉ units filled) a constraint; when the seed
 * cannot meet them in hindsight (not enough supply, or orders that arrive too late in a
 * period), the plan first minimises the total shortfall, then maximises the reward with
 * the shortfall held at that minimum (`contractsFeasible: false`, `contractShortfall`).
 * The hard result bounds the reward of every strategy that meets the commitments as far
 * as supply allows, not of one that trades them away.
 */
export interface OracleResult {
  seed: number;
  days: number;
  /** Upper bound on the scenario reward. */
  reward: number;
  /** Margin part of the bound (marginWeight × gross margin of the plan). */
  margin: number;
  /** Penalty part of the bound (penaltyWeight × penalties of the plan, a lower bound). */
  penalties: number;
  demandedUnits: number;
  /** Units the plan serves. */
  servedUnits: number;
  /** SKUs planned by the LP (not replenished). */
  lpSkus: string[];
  lpColumns: number;
  lpRows: number;
  /** How the plan treated the contract commitments. */
  contracts: ContractMode;
  /** Hard mode: whether every commitment can be met in hindsight; null in soft mode (not asked). */
  contractsFeasible: boolean | null;
  /** Contract units the plan fills / contract units ordered (the `contractFillRate` KPI of the plan). */
  contractFillRate: number;
  /** Filled up to the commitment / units the commitment covers (the `contractCommitmentFillRate` KPI of the plan). */
  contractCommitmentFillRate: number;
  /** Contract periods the plan leaves below target (`contractPeriodsMissed`). */
  contractPeriodsMissed: number;
  /**
   * Per contract segment and period: the units required (⌈target × min(ordered, committed)⌉),
   * filled by the plan, and short. In hard mode `shortUnits` is the least shortfall the seed
   * allows (its total is minimal; how it falls on periods is the reward-best among minimal ones).
   */
  contractShortfall: ContractPeriodPlan[];
  /** With `details: true`: dual prices and the plan per order (see `OracleDetails`). */
  details?: OracleDetails;
}

/** One contract segment × period of the plan. */
export interface ContractPeriodPlan {
  /** Segment index (scenario order). */
  segment: number;
  /** Period index within the horizon. */
  period: number;
  /** The day close (hour) at which the period ends. */
  periodEndHour: number;
  orderedUnits: number;
  requiredUnits: number;
  filledUnits: number;
  shortUnits: number;
}

/**
 * Hindsight information for imitation and bid-price features (`solveOracle(world, { seed, details: true })`).
 *
 * Time structure of the LP's supply: per scheduled-supply SKU and warehouse, one cumulative row
 * per landing — "units allocated before the next landing ≤ opening stock + everything landed so
 * far" — so stock is bucketed between consecutive landings of that SKU at that warehouse
 * (`supplyRows[i].fromHour` ≤ allocation moment < `untilHour`; the opening bucket starts at −∞).
 * Duals are in reward money per unit (the scenario's `marginWeight`/`penaltyWeight` applied).
 */
export interface OracleDetails {
  /** Each stock-balance row: SKU and warehouse index, its bucket, and its dual (≥ 0: reward of one more unit in the row's bound). */
  supplyRows: { sku: number; warehouse: number; fromHour: number; untilHour: number; dual: number }[];
  /**
   * Bid price of SKU `skuIndex` at warehouse `warehouseIndex` at `hour`: the reward the plan
   * gives up per unit allocated there and then (equivalently, what one more unit on hand there
   * from that hour is worth) — the sum of the duals of the rows the allocation counts in (its
   * bucket and every later one). ≥ 0; 0 for replenished SKUs (the bound gives them unlimited
   * supply) and where nothing is scheduled. The extra unit's own holding cost is not included.
   */
  bidPrice(skuIndex: number, warehouseIndex: number, hour: number): number;
  /**
   * Per contract segment × period: the reward the plan gives up per extra unit of commitment
   * (minus the row dual of its commitment row; ≥ 0), i.e. the value of one more unit credited
   * to that period. In soft mode it is at most penaltyWeight × shortfallPenaltyPerUnit; in hard
   * mode it may exceed it (the price of meeting the commitment); 0 when the commitment is slack.
   */
  contractPrices: { segment: number; period: number; periodEndHour: number; price: number }[];
  /** The contract price of segment `segmentIndex` for an allocation at `hour` (0 for a segment without a contract). */
  contractPrice(segmentIndex: number, hour: number): number;
  /**
   * The plan's allocations, one entry per (order, warehouse, moment): `order` indexes the
   * `RealisedDemand` arrays; `hour` is the allocation moment (a wave). Replenished SKUs: the
   * order's whole quantity at the best warehouse's first wave, when the plan serves it. Scheduled
   * SKUs: the LP serves groups (SKU × region × segment × epoch), not orders; a group's units at
   * each moment go to its orders still waiting then, earliest walk-away first (a feasible
   * assignment whenever the LP's is), so units may be fractional.
   */
  allocations: { order: Int32Array; warehouse: Int32Array; hour: Float64Array; units: Float64Array; count: number };
  /** Units the plan serves per order (index into the `RealisedDemand` arrays). */
  servedByOrder: Float64Array;
}

export interface OracleOptions {
  seed: number;
  days?: number;
  /** A demand already drawn for this seed (saves drawing it again). */
  demand?: RealisedDemand;
  /** Contract commitments as constraints (`hard`) or prices (`soft`); default the scenario's `contracts`. */
  contracts?: ContractMode;
  /** Also return duals and the plan per order (`OracleResult.details`). */
  details?: boolean;
  /**
   * Credit every contract unit to the period of the moment the plan allocates it, as the
   * simulator does (default false: a replenished order still waiting at the next period's
   * first wave may be credited to either period, a relaxation of the bound). A plan to
   * follow needs it: otherwise it can count on credit that following it never earns.
   */
  creditAsPlanned?: boolean;
  /**
   * Plan from a state reached part-way through the seed instead of from its start (hindsight
   * from that state: the same realised future, the episode's own past). Needs `creditAsPlanned`.
   */
  from?: OracleStart;
}

/**
 * A state of the seed at `hour`, as an episode left it: what is still unplaced of every order,
 * the stock of scheduled-supply SKUs free to allocate, and the contract credit already earned
 * in the period that is open at `hour`. Allocations at `hour` and later are the plan's.
 */
export interface OracleStart {
  hour: number;
  /** Per order (index into the realised demand): units not yet allocated. */
  remaining: ArrayLike<number>;
  /** Per warehouse × SKU ([w * S + k]): units on hand and not allocated, scheduled-supply SKUs (scheduled inbound before `hour` included). */
  onHand: ArrayLike<number>;
  /** Per segment: units allocated to its orders in the contract period open at `hour`, before `hour`. */
  credited: ArrayLike<number>;
}

const EPS = 1e-9;

/**
 * Hours in transit of order i shipped from warehouse w by the lane's open mode m:
 * the mode's mean transit scaled by the order's own lognormal luck, plus the
 * carrier's delay when its lateness draw falls under the mode's risk — exactly
 * as the simulator delivers it.
 */
export function realisedTransitHours(world: World, d: RealisedDemand, i: number, w: number, m: number): number {
  return laneTransitHours(world.lanes[w * world.scenario.regions.length + d.region[i]!]!, m, d.transitZ[i]!, d.lateU[i]!);
}

/** The simulator's wave clock: first wave at or after `t`, and the waves in [0, horizon). */
function waveClock(interval: number, horizon: number) {
  const lastWave = interval > 0 ? Math.ceil(horizon / interval - 1) * interval : horizon;
  return {
    /** First moment at or after t at which an order can be allocated. */
    next(t: number): number {
      return interval > 0 ? Math.ceil(t / interval - EPS) * interval : t;
    },
    /** First allocation moment strictly after t. */
    after(t: number): number {
      return interval > 0 ? (Math.floor(t / interval + EPS) + 1) * interval : t + EPS;
    },
    lastWave,
    /** True when an order created at t with this patience is surely lost before the horizon. */
    surelyLost(t: number, patience: number): boolean {
      return interval > 0 ? t + patience <= lastWave + EPS : Math.ceil((t + patience) / 24 - EPS) * 24 <= horizon;
    },
    /** True when an order created at t can still be allocated at moment a. */
    alive(t: number, patience: number, a: number): boolean {
      return interval > 0 ? a - t < patience - EPS : a < Math.ceil((t + patience) / 24 - EPS) * 24;
    },
  };
}

/** Contract periods as the simulator closes them: ends at the first day close at or after start + period. */
function contractPeriods(periodDays: number, days: number): number[] {
  const ends: number[] = [];
  let start = 0;
  for (let d = 0; d < days; d++) {
    const now = (d + 1) * 24;
    if (now + EPS >= start + periodDays * 24 || d === days - 1) {
      ends.push(now);
      start = now;
    }
  }
  return ends;
}

/** Period index of an allocation or arrival at hour a (period k covers (start_k, end_k]). */
function periodOf(ends: readonly number[], a: number): number {
  for (let k = 0; k < ends.length; k++) if (a <= ends[k]! + EPS) return k;
  return ends.length - 1;
}

/**
 * Solves the hindsight LP for one seed. One `electronics-launch` seed (60 days,
 * about 58,000 orders) builds and solves in a few seconds.
 */
export async function solveOracle(world: World, options: OracleOptions): Promise<OracleResult> {
  const s = world.scenario;
  const days = options.days ?? s.horizonDays;
  const d = options.demand ?? drawDemand(world, options.seed, days);
  const H = days * 24;
  const W = s.warehouses.length;
  const R = s.regions.length;
  const S = world.skus.length;
  const mw = s.reward.marginWeight;
  const pw = s.reward.penaltyWeight;
  const clock = waveClock(s.waveIntervalHours, H);
  const mode: ContractMode = options.contracts ?? s.contracts;
  const hard = mode === 'hard';
  const details = options.details === true;
  const from = options.from;
  if (from && !options.creditAsPlanned) throw new Error('solveOracle: planning from a state needs creditAsPlanned');
  const t0 = from ? from.hour : 0;
  /** Units of order i the plan may still place. */
  const qtyOf = (i: number): number => (from ? Math.max(0, from.remaining[i]!) : d.qty[i]!);
  /** The first moment order i can be allocated: its first wave, not before the start. */
  const firstWave = (i: number): number => clock.next(from ? Math.max(d.time[i]!, t0) : d.time[i]!);

  // Outage windows per warehouse, [start, end) in hours.
  const outages = s.warehouses.map((wh) =>
    wh.outages.filter((o) => o.startDay * 24 < H).map((o) => [o.startDay * 24, Math.min(o.endDay * 24, H)] as const),
  );
  const down = (w: number, a: number) => outages[w]!.some(([b, e]) => a >= b - EPS && a < e - EPS);
  /** First allocation moment at or after a when warehouse w is not in outage. */
  const firstUp = (w: number, a: number): number => {
    for (let guard = 0; guard < 1000 && down(w, a); guard++) {
      const end = outages[w]!.find(([b, e]) => a >= b - EPS && a < e - EPS)![1];
      a = clock.next(end);
    }
    return a;
  };

  // Contract bookkeeping per segment.
  const G = s.segments.length;
  const periodEnds = s.segments.map((g) => (g.contract ? contractPeriods(g.contract.periodDays, days) : []));
  const ordered = periodEnds.map((e) => new Float64Array(e.length));
  const constFilled = periodEnds.map((e) => new Float64Array(e.length));
  /** Contract units of replenished SKUs whose credit may fall either side of boundary k. */
  const shiftable = periodEnds.map((e) => new Float64Array(e.length));

  /** Best value of one unit of order i served from w allocated at a, over modes; and whether any mode is on time. */
  const unitValue = (i: number, w: number, a: number): { value: number; onTime: boolean } => {
    const r = d.region[i]!;
    const g = s.segments[d.segment[i]!]!;
    const lane = world.lanes[w * R + r]!;
    const base = d.unitPrice[i]! - world.skus[d.sku[i]!]!.unitCost - s.warehouses[w]!.handlingCostPerUnit;
    const ship = a + s.warehouses[w]!.pickHours;
    const due = d.time[i]! + g.promiseHours + EPS;
    let best = -Infinity;
    let onTime = false;
    for (let m = 0; m < lane.modes.length; m++) {
      const late = ship + realisedTransitHours(world, d, i, w, m) > due;
      const v = mw * (base - lane.modes[m]!.costPerUnit) - (late ? pw * g.latePenaltyPerUnit : 0);
      if (v > best) best = v;
      if (!late) onTime = true;
    }
    return { value: best, onTime };
  };

  const lp = new LinearProgram();
  /** Columns that credit contract segment g in period k. */
  const contractCols: number[][][] = periodEnds.map((e) => e.map(() => []));
  /** The plan's allocations (details only): order, warehouse, moment, units or the LP column that holds them. */
  const planned: { order: number; w: number; a: number; units: number; col: number }[] = [];
  /** Loss-making contract orders of replenished SKUs the LP may serve anyway (to meet a commitment). */
  const optional: { col: number; notServed: number }[] = [];

  let constant = 0;
  let constHolding = 0;
  let constPenalty = 0;
  /** Holding cost of one unit of SKU k at warehouse w for one day. */
  const holdingPerUnitDay = (w: number, k: number) => (world.skus[k]!.unitCost * s.warehouses[w]!.holdingCostRatePerYear) / 365;
  /** Day closes (within the horizon) at or after hour a: a unit on hand from a pays holding at each. */
  const closesFrom = (a: number) => (a <= 0 ? days : Math.max(0, days - Math.max(0, Math.ceil(a / 24 - EPS) - 1)));
  const penaltyCols: number[] = [];
  let constServed = 0;
  let demanded = 0;
  const scarce = world.skus.map((k) => !k.replenish);
  const scarceOrders: number[] = [];
  for (let i = 0; i < d.count; i++) {
    const g = d.segment[i]!;
    const seg = s.segments[g]!;
    const t = d.time[i]!;
    demanded += d.qty[i]!;
    if (seg.contract) ordered[g]![periodOf(periodEnds[g]!, t)]! += d.qty[i]!;
    const q = qtyOf(i);
    const fw = firstWave(i);
    if (fw >= H - EPS) continue; // arrives after the last wave: never allocated, never lost
    // From a state: placed already, or walked away before it (the past is the episode's).
    if (from && (q <= 0 || (t < t0 && !clock.alive(t, seg.patienceHours, fw)))) continue;
    if (scarce[d.sku[i]!]) {
      scarceOrders.push(i);
      continue;
    }
    // Replenished SKU, unlimited supply: serve from the best warehouse at the first wave it is up
    // (a warehouse in outage at the order's first wave can still serve it once the outage ends).
    let best = -Infinity;
    let bestW = -1;
    let bestA = 0;
    for (let w = 0; w < W; w++) {
      if (world.lanes[w * R + d.region[i]!]!.modes.length === 0) continue;
      const a = firstUp(w, fw);
      if (a >= H - EPS || !clock.alive(t, seg.patienceHours, a)) continue;
      const v = unitValue(i, w, a).value;
      if (v > best) {
        best = v;
        bestW = w;
        bestA = a;
      }
    }
    const notServed = clock.surelyLost(t, seg.patienceHours) ? -pw * seg.lostSalePenaltyPerUnit : 0;
    constant += q * Math.max(best, notServed);
    const k = seg.contract ? periodOf(periodEnds[g]!, options.creditAsPlanned ? bestA : fw) : -1;
    if (best >= notServed) {
      constServed += q;
      if (details) planned.push({ order: i, w: bestW, a: bestA, units: q, col: -1 });
    } else {
      constPenalty -= q * notServed;
      // A contract order served at a loss may still be worth it (or required) for the commitment.
      if (seg.contract && bestW >= 0) {
        const col = lp.addColumn(best - notServed, 0, q);
        optional.push({ col, notServed });
        contractCols[g]![k]!.push(col);
        if (details) planned.push({ order: i, w: bestW, a: bestA, units: 0, col });
      }
      continue;
    }
    if (seg.contract) {
      const ends = periodEnds[g]!;
      constFilled[g]![k]! += q;
      if (k + 1 < ends.length) {
        const firstNext = clock.after(ends[k]!);
        if (!options.creditAsPlanned && firstNext < H - EPS && clock.alive(t, seg.patienceHours, firstNext)) shiftable[g]![k]! += q;
      }
    }
  }

  const lpSkus = new Set<number>();

  // Event times that split the scarce demand into epochs (supply lands, outages, periods, days).
  const events = new Set<number>();
  for (let day = 1; day < days; day++) events.add(day * 24);
  for (const b of s.inbound) if (b.day * 24 < H) events.add(b.day * 24);
  for (const o of outages) for (const [b, e] of o) {
    events.add(b);
    events.add(e);
  }
  for (const ends of periodEnds) for (const e of ends) events.add(clock.after(e));
  const eventTimes = [...events].sort((a, b) => a - b);
  const epochOf = (t: number) => {
    let lo = 0;
    let hi = eventTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (eventTimes[mid]! <= t + EPS) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // Supply of scarce SKUs per warehouse: arrival moments and cumulative quantities.
  const arrivals = new Map<number, { time: number; qty: number }[]>();
  for (let w = 0; w < W; w++) {
    for (let k = 0; k < S; k++) {
      if (!scarce[k]) continue;
      const list = [{ time: -Infinity, qty: from ? Math.max(0, from.onHand[w * S + k]!) : world.initialStock[w * S + k]! }];
      arrivals.set(w * S + k, list);
    }
  }
  for (const b of s.inbound) {
    if (b.day * 24 >= H || b.quantity === 0 || b.day * 24 < t0) continue;
    const k = world.skuIndex.get(b.sku)!;
    if (!scarce[k]) continue;
    arrivals.get(world.warehouseIndex.get(b.warehouse)! * S + k)!.push({ time: b.day * 24, qty: b.quantity });
  }
  for (const list of arrivals.values()) list.sort((a, b) => a.time - b.time);
  /** Columns per warehouse × SKU with their allocation moment, for the supply rows. */
  const supplyCols = new Map<number, { col: number; a: number }[]>();
  /** Per group (details only): its orders and, per candidate moment, its columns by warehouse. */
  const groupPlans: { orders: number[]; moments: { a: number; cols: number[]; ws: number[] }[] }[] = [];

  // Group scarce orders by SKU, region, segment and epoch of their first wave.
  const groups = new Map<string, number[]>();
  for (const i of scarceOrders) {
    const key = `${d.sku[i]}:${d.region[i]}:${d.segment[i]}:${epochOf(firstWave(i))}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(i);
  }
  for (const orders of groups.values()) {
    const i0 = orders[0]!;
    const k = d.sku[i0]!;
    const r = d.region[i0]!;
    const g = d.segment[i0]!;
    const seg = s.segments[g]!;
    lpSkus.add(k);
    let total = 0;
    let sureLost = 0;
    let a0 = Infinity;
    let lastAlive = -Infinity;
    for (const i of orders) {
      total += qtyOf(i);
      if (clock.surelyLost(d.time[i]!, seg.patienceHours)) sureLost += qtyOf(i);
      a0 = Math.min(a0, firstWave(i));
      lastAlive = Math.max(lastAlive, d.time[i]! + seg.patienceHours);
    }
    // Candidate moments: the first wave, then every later moment something changes.
    const moments = new Set<number>([a0]);
    for (const e of eventTimes) {
      const a = clock.next(e);
      if (a > a0 + EPS && a < H - EPS && a < lastAlive + 24) moments.add(a);
    }
    const groupCols: number[] = [];
    const byMoment: { a: number; cols: number[]; ws: number[]; alive: number }[] = [];
    for (const a of [...moments].sort((x, y) => x - y)) {
      let alive = 0;
      for (const i of orders) if (clock.alive(d.time[i]!, seg.patienceHours, Math.max(a, firstWave(i)))) alive += qtyOf(i);
      if (alive === 0) continue;
      const cols: number[] = [];
      const ws: number[] = [];
      for (let w = 0; w < W; w++) {
        if (down(w, a) || world.lanes[w * R + r]!.modes.length === 0) continue;
        let onUnits = 0;
        let onBest = -Infinity;
        let lateValue = -Infinity;
        for (const i of orders) {
          const ai = Math.max(a, firstWave(i));
          if (!clock.alive(d.time[i]!, seg.patienceHours, ai)) continue;
          const v = unitValue(i, w, ai);
          if (v.onTime) {
            onUnits += qtyOf(i);
            onBest = Math.max(onBest, v.value);
          } else lateValue = Math.max(lateValue, v.value);
        }
        const pieces: [number, number][] = [];
        if (onUnits > 0) pieces.push([onBest, onUnits]);
        if (alive - onUnits > 0) pieces.push([lateValue, alive - onUnits]);
        for (const [value, cap] of pieces) {
          // Allocating a unit takes it out of the stock that pays holding at every later day close.
          const col = lp.addColumn(value + mw * holdingPerUnitDay(w, k) * closesFrom(a), 0, cap);
          cols.push(col);
          ws.push(w);
          groupCols.push(col);
          let list = supplyCols.get(w * S + k);
          if (!list) supplyCols.set(w * S + k, (list = []));
          list.push({ col, a });
          if (seg.contract) contractCols[g]![periodOf(periodEnds[g]!, a)]!.push(col);
        }
      }
      byMoment.push({ a, cols, ws, alive });
    }
    if (groupCols.length === 0) {
      constant -= pw * seg.lostSalePenaltyPerUnit * sureLost;
      constPenalty += pw * seg.lostSalePenaltyPerUnit * sureLost;
      continue;
    }
    if (details) groupPlans.push({ orders, moments: byMoment });
    lp.addRow(groupCols, groupCols.map(() => 1), -Infinity, total);
    // Units served at or after a moment must still be waiting then.
    for (let m = 1; m < byMoment.length; m++) {
      const later = byMoment.slice(m).flatMap((x) => x.cols);
      if (byMoment[m]!.alive < total) lp.addRow(later, later.map(() => 1), -Infinity, byMoment[m]!.alive);
    }
    if (sureLost > 0 && seg.lostSalePenaltyPerUnit > 0) {
      const lost = lp.addColumn(-pw * seg.lostSalePenaltyPerUnit, 0, sureLost);
      penaltyCols.push(lost);
      lp.addRow([lost, ...groupCols], [1, ...groupCols.map(() => 1)], sureLost, Infinity);
    }
  }

  // Supply: what is allocated from a warehouse by any moment is at most what has landed there by then.
  const supplyRows: { sku: number; warehouse: number; fromHour: number; untilHour: number; row: number }[] = [];
  for (const [cell, cols] of supplyCols) {
    const list = arrivals.get(cell)!;
    let cum = 0;
    for (let j = 0; j < list.length; j++) {
      cum += list[j]!.qty;
      const until = j + 1 < list.length ? list[j + 1]!.time : Infinity;
      const use = cols.filter((c) => c.a < until - EPS).map((c) => c.col);
      const row = use.length > 0 ? lp.addRow(use, use.map(() => 1), -Infinity, cum) : -1;
      supplyRows.push({ sku: cell % S, warehouse: Math.floor(cell / S), fromHour: list[j]!.time, untilHour: until, row });
    }
  }

  // Contract commitment per segment and period: filled + short ≥ required (short priced in soft
  // mode; in hard mode a slack the solve drives to its least possible total).
  const periods: { g: number; k: number; required: number; idx: number[]; coef: number[]; row: number; short: number }[] = [];
  const shortCols: number[] = [];
  for (let g = 0; g < G; g++) {
    const ct = s.segments[g]!.contract;
    if (!ct) continue;
    const ends = periodEnds[g]!;
    const shiftCols = ends.map((_, k) => (shiftable[g]![k]! > 0 ? lp.addColumn(0, 0, shiftable[g]![k]!) : -1));
    // From a state: closed periods are the episode's past; the open one starts from its credit so far.
    const kNow = from ? periodOf(ends, t0) : 0;
    if (from && ends.length > 0) constFilled[g]![kNow]! += from.credited[g] ?? 0;
    for (let k = kNow; k < ends.length; k++) {
      const target = ct.fillRateTarget * Math.min(ordered[g]![k]!, ct.committedUnitsPerPeriod);
      // The simulator misses a period when whole filled units fall below the target: hard mode asks for ⌈target⌉.
      const required = hard ? Math.ceil(target - 1e-9) : target;
      const need = required - constFilled[g]![k]!;
      const idx = [...contractCols[g]![k]!];
      const coef = idx.map(() => 1);
      if (shiftCols[k]! >= 0) {
        idx.push(shiftCols[k]!);
        coef.push(-1);
      }
      if (k > 0 && shiftCols[k - 1]! >= 0) {
        idx.push(shiftCols[k - 1]!);
        coef.push(1);
      }
      const p = { g, k, required, idx, coef, row: -1, short: -1 };
      periods.push(p);
      if (need <= 0 && !idx.some((_, j) => coef[j]! < 0)) continue;
      p.short = lp.addColumn(-pw * ct.shortfallPenaltyPerUnit, 0, Infinity);
      penaltyCols.push(p.short);
      shortCols.push(p.short);
      p.row = lp.addRow([p.short, ...idx], [1, ...coef], need, Infinity);
    }
  }

  // Holding cost of scheduled stock: on hand ≥ landed − allocated at every day close, so the
  // landed stock's holding (less what allocation saves, in the column values) is a lower bound.
  for (const [cell, list] of arrivals) {
    const w = Math.floor(cell / S);
    const k = cell % S;
    const rate = holdingPerUnitDay(w, k);
    for (const x of list) {
      const charge = mw * rate * x.qty * closesFrom(x.time === -Infinity ? t0 : x.time);
      constant -= charge;
      constHolding += charge;
    }
  }
  lp.offset = constant;
  const highs = await loadHighs();
  const sol = lp.solve(highs, hard ? { hardSlack: shortCols } : {});
  let served = constServed;
  for (const list of supplyCols.values()) for (const c of list) served += sol.x[c.col]!;
  // Lost-sale and contract penalties of the plan; late penalties stay inside unit values.
  let pen = constPenalty;
  for (const j of penaltyCols) pen -= lp.cost[j]! * sol.x[j]!;
  for (const o of optional) {
    served += sol.x[o.col]!;
    pen += o.notServed * sol.x[o.col]!;
  }
  const margin = sol.objective + pen;

  let ctOrdered = 0;
  let ctFilled = 0;
  let ctCovered = 0;
  let ctCoveredFilled = 0;
  let ctMissed = 0;
  const contractShortfall: ContractPeriodPlan[] = periods.map((p) => {
    let filled = constFilled[p.g]![p.k]!;
    p.idx.forEach((j, n) => (filled += p.coef[n]! * sol.x[j]!));
    ctOrdered += ordered[p.g]![p.k]!;
    ctFilled += filled;
    const covered = Math.min(ordered[p.g]![p.k]!, s.segments[p.g]!.contract!.committedUnitsPerPeriod);
    ctCovered += covered;
    ctCoveredFilled += Math.min(filled, covered);
    if (p.short >= 0 && sol.x[p.short]! > 1e-6) ctMissed++;
    const r3 = (v: number) => Math.round(v * 1000) / 1000;
    return {
      segment: p.g,
      period: p.k,
      periodEndHour: periodEnds[p.g]![p.k]!,
      orderedUnits: ordered[p.g]![p.k]!,
      requiredUnits: r3(p.required),
      filledUnits: r3(filled),
      shortUnits: r3(p.short >= 0 ? sol.x[p.short]! : 0),
    };
  });
  const target = s.segments.some((g) => g.contract) ? 1 : 0;

  return {
    seed: options.seed,
    days,
    reward: sol.objective,
    margin,
    penalties: pen,
    demandedUnits: demanded,
    servedUnits: Math.round(served * 1000) / 1000,
    lpSkus: [...lpSkus].sort((a, b) => a - b).map((k) => world.skus[k]!.id),
    lpColumns: lp.columns,
    lpRows: lp.rows,
    contracts: mode,
    contractsFeasible: hard ? sol.slack <= 1e-6 : null,
    contractFillRate: ctOrdered > 0 ? ctFilled / ctOrdered : target,
    contractCommitmentFillRate: ctCovered > 0 ? ctCoveredFilled / ctCovered : target,
    contractPeriodsMissed: ctMissed,
    contractShortfall,
    ...(details ? { details: buildDetails(world, d, sol.x, sol.rowDual, planned, groupPlans, supplyRows, periods, periodEnds, clock, qtyOf, firstWave) } : {}),
  };
}

/** Turns the solution into `OracleDetails`: duals by row, lookups, and the plan per order. */
function buildDetails(
  world: World,
  d: RealisedDemand,
  x: Float64Array,
  rowDual: Float64Array,
  planned: { order: number; w: number; a: number; units: number; col: number }[],
  groupPlans: { orders: number[]; moments: { a: number; cols: number[]; ws: number[] }[] }[],
  supplyRows: { sku: number; warehouse: number; fromHour: number; untilHour: number; row: number }[],
  periods: { g: number; k: number; row: number }[],
  periodEnds: number[][],
  clock: ReturnType<typeof waveClock>,
  qtyOf: (i: number) => number,
  firstWave: (i: number) => number,
): OracleDetails {
  const s = world.scenario;
  const S = world.skus.length;
  const rows = supplyRows.map((r) => ({ sku: r.sku, warehouse: r.warehouse, fromHour: r.fromHour, untilHour: r.untilHour, dual: r.row >= 0 ? Math.max(0, rowDual[r.row]!) : 0 }));
  /** Per (warehouse × SKU) cell: its rows in time order, with the suffix sums of their duals. */
  const cells = new Map<number, { from: number[]; suffix: number[] }>();
  for (const r of rows) {
    const key = r.warehouse * S + r.sku;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { from: [], suffix: [] }));
    c.from.push(r.fromHour);
    c.suffix.push(r.dual);
  }
  for (const c of cells.values()) for (let j = c.suffix.length - 2; j >= 0; j--) c.suffix[j]! += c.suffix[j + 1]!;
  const contractPrices = periods.map((p) => ({ segment: p.g, period: p.k, periodEndHour: periodEnds[p.g]![p.k]!, price: p.row >= 0 ? Math.max(0, -rowDual[p.row]!) : 0 }));
  const priceOf = new Map(contractPrices.map((p) => [`${p.segment}:${p.period}`, p.price]));

  // The plan per order: closed-form and optional allocations as they are, LP groups assigned
  // to their orders still waiting at each moment, earliest walk-away first.
  const out = { order: [] as number[], warehouse: [] as number[], hour: [] as number[], units: [] as number[] };
  const push = (i: number, w: number, a: number, u: number) => {
    if (u <= 1e-9) return;
    out.order.push(i);
    out.warehouse.push(w);
    out.hour.push(a);
    out.units.push(u);
  };
  for (const p of planned) push(p.order, p.w, p.a, p.col >= 0 ? x[p.col]! : p.units);
  for (const gp of groupPlans) {
    const patience = s.segments[d.segment[gp.orders[0]!]!]!.patienceHours;
    const byExpiry = [...gp.orders].sort((a, b) => d.time[a]! - d.time[b]! || a - b);
    const left = new Map(byExpiry.map((i) => [i, qtyOf(i)]));
    for (const m of gp.moments) {
      const perW = new Map<number, number>();
      m.cols.forEach((c, n) => perW.set(m.ws[n]!, (perW.get(m.ws[n]!) ?? 0) + x[c]!));
      for (const [w, total] of [...perW].sort((a, b) => a[0] - b[0])) {
        let units = total;
        for (const i of byExpiry) {
          if (units <= 1e-9) break;
          const ai = Math.max(m.a, firstWave(i));
          const rest = left.get(i)!;
          if (rest <= 1e-9 || !clock.alive(d.time[i]!, patience, ai)) continue;
          const u = Math.min(rest, units);
          push(i, w, ai, u);
          left.set(i, rest - u);
          units -= u;
        }
      }
    }
  }
  const servedByOrder = new Float64Array(d.count);
  for (let n = 0; n < out.order.length; n++) servedByOrder[out.order[n]!]! += out.units[n]!;
  return {
    supplyRows: rows,
    bidPrice(skuIndex: number, warehouseIndex: number, hour: number): number {
      const c = cells.get(warehouseIndex * S + skuIndex);
      if (!c) return 0;
      let j = 0;
      while (j + 1 < c.from.length && c.from[j + 1]! <= hour + EPS) j++;
      return c.suffix[j]!;
    },
    contractPrices,
    contractPrice(segmentIndex: number, hour: number): number {
      const ends = periodEnds[segmentIndex];
      if (!ends || ends.length === 0) return 0;
      return priceOf.get(`${segmentIndex}:${periodOf(ends, hour)}`) ?? 0;
    },
    allocations: {
      order: Int32Array.from(out.order),
      warehouse: Int32Array.from(out.warehouse),
      hour: Float64Array.from(out.hour),
      units: Float64Array.from(out.units),
      count: out.order.length,
    },
    servedByOrder,
  };
}
