import { orderIndexOf } from '../../sim/ledger.js';
import type { DecisionContext } from '../../sim/policies/contract.js';
import type { EncodedStep } from '../features/encoder.js';

/**
 * The hindsight plan of one seed, per order: which warehouse the plan serves
 * how many of the order's units from, and from which moment on. Built from the
 * hindsight optimum (`solveOracle(world, { details: true })`, in `plan/`) by the
 * command that trains; the learning code sees only these arrays.
 */
export interface HindsightPlanData {
  /** Units ordered per order index (the seed's realised demand). */
  ordered: ArrayLike<number>;
  /** One entry per (order, warehouse, moment): order index, warehouse index, hour, units. */
  order: ArrayLike<number>;
  warehouse: ArrayLike<number>;
  hour: ArrayLike<number>;
  units: ArrayLike<number>;
  count: number;
}

/**
 * Gets the plan of a seed (a hindsight LP solve); `days` overrides the horizon;
 * `contractBuffer[g]` raises contract segment g's fill-rate target by that share
 * (capped at 1) for the plan, a margin the imitation's errors can fall into
 * without breaking the commitment.
 */
export type HindsightPlanner = (seed: number, days: number | undefined, contractBuffer: readonly number[]) => Promise<HindsightPlanData>;

/** A plan indexed by order. */
export class HindsightPlan {
  private readonly first: Int32Array;
  private readonly next: Int32Array;

  constructor(private readonly d: HindsightPlanData) {
    this.first = new Int32Array(d.ordered.length).fill(-1);
    this.next = new Int32Array(d.count).fill(-1);
    // Entries of an order chained in reverse input order, then walked as they come.
    for (let n = d.count - 1; n >= 0; n--) {
      const o = d.order[n]!;
      this.next[n] = this.first[o]!;
      this.first[o] = n;
    }
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
  order: number;
  hour: number;
  /** Units of the line still unplaced. */
  quantity: number;
  /** Per option: its warehouse index and value per unit. */
  warehouse: Int32Array;
  values: Float64Array;
}

/** The plan-label record of a step. */
export function planStep(seed: number, step: EncodedStep, ctx: DecisionContext, line: number, warehouseIndex: ReadonlyMap<string, number>): PlanStep {
  const l = ctx.order.lines[line]!;
  const n = step.open.length;
  const warehouse = new Int32Array(n);
  for (let k = 0; k < n; k++) warehouse[k] = warehouseIndex.get(l.candidates[step.open[k]!]!.warehouse) ?? -1;
  return { seed, order: orderIndexOf(ctx.order.id), hour: ctx.nowHours, quantity: l.quantity, warehouse, values: Float64Array.from(step.values) };
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
  if (n === 0 || units < Math.max(0.5, st.quantity / 2)) {
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
