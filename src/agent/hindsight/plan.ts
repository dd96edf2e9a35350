import { orderIndexOf } from '../../sim/ledger.js';
import type { DecisionContext } from '../../sim/policies/contract.js';
import type { EncodedStep } from '../features/encoder.js';
import type { World } from '../../sim/model/world.js';

/**
 * The hindsight plan of one seed, per order: which warehouse the plan serves
 * how many of the order's units from, and from which moment on. Built from the
 * hindsight optimum (`solveOracle(world, { details: true })`, in `plan/`) by the
 * command that trains; the learning code sees only these arrays.
 */
export interface HindsightPlanData {
  /** Units ordered per order index (the seed's realised demand). */
  ordered: ArrayLike<number>;
  /** Segment and SKU index per order index. */
  segment?: ArrayLike<number>;
  sku?: ArrayLike<number>;
  /** One entry per (order, warehouse, moment): order index, warehouse index, hour, units. */
  order: ArrayLike<number>;
  warehouse: ArrayLike<number>;
  hour: ArrayLike<number>;
  units: ArrayLike<number>;
  count: number;
  /**
   * The plan's bid prices (LP duals, reward money per unit): one entry per stock-balance row —
   * SKU, warehouse, the hour its bucket of stock starts (−∞ for opening stock) and its dual.
   * A unit allocated at hour t from a warehouse is worth the duals of its bucket and every later one.
   */
  supply?: { sku: ArrayLike<number>; warehouse: ArrayLike<number>; fromHour: ArrayLike<number>; dual: ArrayLike<number> };
  /** The plan's contract prices: per contract segment × period, the period's end hour and the value of one more unit credited in it. */
  contracts?: { segment: ArrayLike<number>; periodEndHour: ArrayLike<number>; price: ArrayLike<number> };
}

/**
 * A state an episode reached part-way through its seed, from which the seed's plan can be
 * solved again (hindsight from that state: the seed's future, the episode's past). Allocations
 * at `hour` and later are the plan's.
 */
export interface PlanStart {
  hour: number;
  /** Per order index: units not yet allocated. */
  remaining: ArrayLike<number>;
  /** Per warehouse × SKU ([w * S + k]): units on hand and not allocated, of SKUs without replenishment. */
  onHand: ArrayLike<number>;
  /** Per segment: units allocated to it before `hour` in the contract period open at `hour`. */
  credited: ArrayLike<number>;
}

/**
 * Gets the plan of a seed (a hindsight LP solve); `days` overrides the horizon;
 * `contractBuffer[g]` raises contract segment g's fill-rate target by that share
 * (capped at 1) for the plan, a margin the imitation's errors can fall into
 * without breaking the commitment; `from`: the plan from an episode's state
 * rather than from the seed's start (its allocations are all at `from.hour` or later).
 */
export type HindsightPlanner = (seed: number, days: number | undefined, contractBuffer: readonly number[], from?: PlanStart) => Promise<HindsightPlanData>;

/**
 * A plan from an episode's state with the episode's own allocations before that state put in
 * front, so that the plan's running totals (what is due of an order, what was allocated to a
 * SKU or a segment by an hour) count the episode's past as the plan's.
 */
export function withHistory(plan: HindsightPlanData, past: { order: ArrayLike<number>; warehouse: ArrayLike<number>; hour: ArrayLike<number>; units: ArrayLike<number>; count: number }): HindsightPlanData {
  const n = past.count + plan.count;
  const join = <T extends Int32Array | Float64Array>(out: T, a: ArrayLike<number>, b: ArrayLike<number>): T => {
    for (let i = 0; i < past.count; i++) out[i] = a[i]!;
    for (let i = 0; i < plan.count; i++) out[past.count + i] = b[i]!;
    return out;
  };
  return {
    ...plan,
    order: join(new Int32Array(n), past.order, plan.order),
    warehouse: join(new Int32Array(n), past.warehouse, plan.warehouse),
    hour: join(new Float64Array(n), past.hour, plan.hour),
    units: join(new Float64Array(n), past.units, plan.units),
    count: n,
  };
}

/** A plan indexed by order. */
export class HindsightPlan {
  private readonly first: Int32Array;
  private readonly next: Int32Array;
  /** Per "sku warehouse": bucket start hours ascending and the suffix sums of their duals. */
  private readonly cells = new Map<string, { from: number[]; suffix: number[] }>();
  /** Per contract segment: period end hours ascending and their prices. */
  private readonly periods = new Map<number, { end: number[]; price: number[] }>();
  /** Per segment or SKU (built on first use): the plan's allocation hours ascending and the units allocated up to each. */
  private readonly curves = new Map<string, { hour: Float64Array; cum: Float64Array }>();

  constructor(private readonly d: HindsightPlanData) {
    const sp = d.supply;
    if (sp) {
      const rows = Array.from({ length: sp.sku.length }, (_, i) => i).sort((a, b) => sp.fromHour[a]! - sp.fromHour[b]!);
      for (const i of rows) {
        const key = `${sp.sku[i]} ${sp.warehouse[i]}`;
        let c = this.cells.get(key);
        if (!c) this.cells.set(key, (c = { from: [], suffix: [] }));
        c.from.push(sp.fromHour[i]!);
        c.suffix.push(Math.max(0, sp.dual[i]!));
      }
      for (const c of this.cells.values()) for (let j = c.suffix.length - 2; j >= 0; j--) c.suffix[j]! += c.suffix[j + 1]!;
    }
    const cp = d.contracts;
    if (cp) {
      const rows = Array.from({ length: cp.segment.length }, (_, i) => i).sort((a, b) => cp.periodEndHour[a]! - cp.periodEndHour[b]!);
      for (const i of rows) {
        let p = this.periods.get(cp.segment[i]!);
        if (!p) this.periods.set(cp.segment[i]!, (p = { end: [], price: [] }));
        p.end.push(cp.periodEndHour[i]!);
        p.price.push(Math.max(0, cp.price[i]!));
      }
    }
    this.first = new Int32Array(d.ordered.length).fill(-1);
    this.next = new Int32Array(d.count).fill(-1);
    // Entries of an order chained in reverse input order, then walked as they come.
    for (let n = d.count - 1; n >= 0; n--) {
      const o = d.order[n]!;
      this.next[n] = this.first[o]!;
      this.first[o] = n;
    }
  }

  /** Whether the plan carries its prices (bid prices of stock and contract prices). */
  get priced(): boolean {
    return this.d.supply !== undefined;
  }

  /** The plan's bid price of SKU `k` at warehouse `w` for a unit allocated at `hour` (0 where nothing is scheduled). */
  bidPrice(k: number, w: number, hour: number): number {
    const c = this.cells.get(`${k} ${w}`);
    if (!c) return 0;
    let j = 0;
    while (j + 1 < c.from.length && c.from[j + 1]! <= hour + 1e-6) j++;
    return c.suffix[j]!;
  }

  /** The plan's price of one more unit credited to contract segment `g` at `hour` (0 without a contract). */
  contractPrice(g: number, hour: number): number {
    const p = this.periods.get(g);
    if (!p) return 0;
    let j = 0;
    while (j + 1 < p.end.length && hour > p.end[j]! + 1e-6) j++;
    return p.price[j]!;
  }

  /** Units the plan allocates to segment `g`'s orders in [`from`, `until`] (hours; allocations at `until` included). */
  allocatedTo(g: number, from: number, until: number): number {
    return this.allocated('segment', g, from, until);
  }

  /** Units of SKU `k` the plan allocates before `hour`. */
  allocatedBefore(k: number, hour: number): number {
    return this.allocated('sku', k, -Infinity, hour - 2e-6);
  }

  private allocated(by: 'segment' | 'sku', i: number, from: number, until: number): number {
    const of = this.d[by];
    if (!of) return 0;
    let c = this.curves.get(`${by} ${i}`);
    if (!c) {
      const idx: number[] = [];
      for (let n = 0; n < this.d.count; n++) if (of[this.d.order[n]!] === i) idx.push(n);
      idx.sort((a, b) => this.d.hour[a]! - this.d.hour[b]!);
      const hour = Float64Array.from(idx, (n) => this.d.hour[n]!);
      const cum = new Float64Array(idx.length);
      let t = 0;
      idx.forEach((n, i) => (cum[i] = t += this.d.units[n]!));
      this.curves.set(`${by} ${i}`, (c = { hour, cum }));
    }
    return unitsBefore(c.hour, c.cum, until + 1e-6) - unitsBefore(c.hour, c.cum, from - 1e-6);
  }

  /**
   * What the plan still wants of order `o` at `hour`, given `remaining` of its
   * units are still unplaced: units due by now beyond what is placed already, and
   * the warehouses they come from (units each).
   */
  due(o: number, hour: number, remaining: number): { units: number; from: Map<number, number> } {
    const from = new Map<number, number>();
    if (o < 0 || o >= this.first.length) return { units: 0, from };
    const placed = Math.max(0, this.d.ordered[o]! - remaining);
    let dueNow = 0;
    for (let n = this.first[o]!; n >= 0; n = this.next[n]!) {
      if (this.d.hour[n]! > hour + 1e-6) continue;
      const u = this.d.units[n]!;
      dueNow += u;
      const w = this.d.warehouse[n]!;
      from.set(w, (from.get(w) ?? 0) + u);
    }
    return { units: Math.max(0, dueNow - placed), from };
  }
}

/** What a plan label needs of a step, kept so the step can be labelled again by another plan of its seed. */
export interface PlanStep {
  seed: number;
  /** The hour the step's plan starts from (0: the seed's start; later: re-solved from the episode's state then). */
  from: number;
  order: number;
  hour: number;
  /** Units of the line still unplaced. */
  quantity: number;
  /** Per option: its warehouse index and value per unit. */
  warehouse: Int32Array;
  values: Float64Array;
  /** SKU and segment index of the line, and what leaving one of its units unserved is worth (−penalty weight × lost-sale penalty). */
  sku: number;
  segment: number;
  unserved: number;
  /**
   * A contract order's period as the episode stands at the step: when the period began, the units
   * the episode has allocated to the segment in it so far, and the units the target requires of
   * the committed volume. Absent for other orders.
   */
  contract?: { periodStart: number; filled: number; required: number };
  /**
   * Set once the episode is over: the units of the SKU the episode had allocated before the step,
   * and the step's state-aware hindsight values (`hindsightValues`: the bid price of the episode's
   * own remaining supply). Where the episode has sold fewer units than the plan by then, it holds
   * stock the plan does not, and where more, it lacks stock the plan has.
   */
  episodeAllocated?: number;
  stateValues?: Float64Array;
}

/** The plan-label record of a step. */
export function planStep(seed: number, step: EncodedStep, ctx: DecisionContext, line: number, world: Pick<World, 'warehouseIndex' | 'skuIndex' | 'segmentIndex' | 'scenario'>, penaltyWeight: number): PlanStep {
  const l = ctx.order.lines[line]!;
  const n = step.open.length;
  const segment = world.segmentIndex.get(ctx.order.segment) ?? -1;
  const warehouse = new Int32Array(n);
  for (let k = 0; k < n; k++) warehouse[k] = world.warehouseIndex.get(l.candidates[step.open[k]!]!.warehouse) ?? -1;
  return {
    seed,
    from: 0,
    order: orderIndexOf(ctx.order.id),
    hour: ctx.nowHours,
    quantity: l.quantity,
    warehouse,
    values: Float64Array.from(step.values),
    sku: world.skuIndex.get(l.sku) ?? -1,
    segment,
    unserved: -penaltyWeight * ctx.order.lostSalePenaltyPerUnit,
    ...contractOf(ctx, world.scenario.segments[segment]?.contract?.periodDays),
  };
}

function contractOf(ctx: DecisionContext, periodDays: number | undefined): { contract?: PlanStep['contract'] } {
  const c = ctx.order.contract;
  if (!c || periodDays === undefined) return {};
  return { contract: { periodStart: ctx.nowHours + c.hoursToPeriodEnd - periodDays * 24, filled: c.filledUnits, required: c.fillRateTarget * c.committedUnits } };
}


/**
 * Whether the episode is behind the plan on a contract order's commitment: the
 * units it has allocated to the segment this period are fewer than the plan had
 * allocated to it by the same hour (counted up to the units the target requires).
 * The plan was solved from the start of the seed, not from the episode's state;
 * re-solved from here it would have to make that up, so the step is labelled serve.
 */
function behind(st: PlanStep, plan: HindsightPlan): boolean {
  const c = st.contract;
  if (!c) return false;
  return c.filled < Math.min(c.required, plan.allocatedTo(st.segment, c.periodStart, st.hour)) - 1e-6;
}

/**
 * What getting a plan label wrong costs in hindsight, by the plan's own prices:
 * the reduced cost of serving the step's units now — the best offered option's
 * value per unit, less the plan's bid price of a unit at that warehouse and hour,
 * plus the contract price of a unit credited now, less what leaving it unserved
 * is worth — times the units, counted on the side of the label (serve: the
 * reduced cost; defer: its negative) and 0 where the prices disagree with the
 * label. An order at the margin of the plan (reduced cost 0) costs nothing either
 * way; one whose stock the plan has to spare, or that is far below the stock's
 * price, costs its whole difference. The plan's labels are votes of one seed's
 * future; weighting each by its stake makes imitation side with the larger
 * expected regret, not the more frequent label (Sinclair et al. train on
 * hindsight values, not votes). Without prices: 1.
 */
export function planStake(st: PlanStep, plan: HindsightPlan, label: Float64Array): number {
  if (!plan.priced) return 1;
  const n = st.values.length;
  let best = -Infinity;
  for (let k = 0; k < n; k++) best = Math.max(best, st.values[k]! - plan.bidPrice(st.sku, st.warehouse[k]!, st.hour));
  if (n === 0) return 0;
  const rc = best + plan.contractPrice(st.segment, st.hour) - st.unserved;
  const serve = argmaxOf(label) < n;
  return Math.max(0, serve ? rc : -rc) * st.quantity;
}

/**
 * Hindsight values of a step of a scarce SKU from the plan: serve when the plan
 * serves (at least half of) what is left of the order by now — by its options
 * from the plan's warehouses, valued as they are (the mode is the value's choice) —
 * otherwise defer (the last entry). Options the plan rules out are −∞. A planned
 * warehouse that is not offered (no stock left in this episode) gives way to every
 * offered one. Contract commitments are in the plan (hard mode: as constraints), so
 * a contract order is served when and where the plan serves it: serving every
 * contract order while its period is short, as it comes, spends the stock the plan
 * keeps elsewhere (measured: about 5% of the reward on electronics-launch).
 */
export function planValues(st: PlanStep, plan: HindsightPlan): Float64Array {
  const n = st.values.length;
  const q = new Float64Array(n + 1).fill(-Infinity);
  const { units, from } = plan.due(st.order, st.hour, st.quantity);
  if (n > 0 && behind(st, plan)) {
    for (let k = 0; k < n; k++) q[k] = st.values[k]!;
    return q;
  }
  const serve = n > 0 && units >= Math.max(0.5, st.quantity / 2);
  // Off the plan's path by at least this order's units: the plan's own choice assumed stock the episode does not have
  // (or lacked stock it has); the state-aware values decide, where they disagree with the plan.
  const sv = st.stateValues;
  if (sv && st.episodeAllocated !== undefined) {
    const surplus = plan.allocatedBefore(st.sku, st.hour) - st.episodeAllocated;
    const svServe = argmaxOf(sv) < n;
    if ((surplus >= st.quantity && !serve && svServe) || (surplus <= -st.quantity && serve && !svServe)) return Float64Array.from(sv);
  }
  if (!serve) {
    q[n] = 0;
    return q;
  }
  let any = false;
  for (let k = 0; k < n; k++) {
    if (from.has(st.warehouse[k]!)) {
      q[k] = st.values[k]!;
      any = true;
    }
  }
  if (!any) for (let k = 0; k < n; k++) q[k] = st.values[k]!;
  return q;
}

/** The index of the largest value (the first of equals). */
export function argmaxOf(q: Float64Array): number {
  let b = 0;
  for (let k = 1; k < q.length; k++) if (q[k]! > q[b]!) b = k;
  return b;
}

/** Of entries at ascending `times` with running totals `cum`: the total of those before `hour`. */
export function unitsBefore(times: ArrayLike<number>, cum: ArrayLike<number>, hour: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < hour) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? cum[lo - 1]! : 0;
}
