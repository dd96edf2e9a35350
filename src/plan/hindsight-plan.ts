import { buildWorld, type World } from '../sim/model/world.js';
import { drawDemand } from './demand.js';
import { solveOracle, type OracleStart } from './oracle.js';

/** The hindsight plan of one seed per order, as the learning code takes it (see `agent/hindsight/plan.ts`). */
export interface OrderPlan {
  ordered: Int32Array;
  /** Segment and SKU index per order. */
  segment: Int32Array;
  sku: Int32Array;
  order: Int32Array;
  warehouse: Int32Array;
  hour: Float64Array;
  units: Float64Array;
  count: number;
  /** The plan's bid prices: each stock-balance row (SKU, warehouse, the hour its bucket starts) and its dual. */
  supply: { sku: Int32Array; warehouse: Int32Array; fromHour: Float64Array; dual: Float64Array };
  /** The plan's contract prices: per segment × period, the period's end hour and its price per credited unit. */
  contracts: { segment: Int32Array; periodEndHour: Float64Array; price: Float64Array };
}

/**
 * A source of hindsight plans for imitation: the oracle's plan of a seed, per
 * order. `contractBuffer[g]` raises contract segment g's fill-rate target by that
 * share (capped at 1) for the plan only — the scenario and its KPIs are untouched.
 * Demand does not depend on the targets, so every buffer plans the same orders.
 * Contract credit falls where the plan allocates (`creditAsPlanned`): the plan is one
 * the simulator can follow, commitments included.
 */
export function oraclePlanner(world: World): (seed: number, days: number | undefined, contractBuffer: readonly number[], from?: OracleStart) => Promise<OrderPlan> {
  const worlds = new Map<string, World>([['', world]]);
  const demands = new Map<string, ReturnType<typeof drawDemand>>();
  return async (seed, days, contractBuffer, from) => {
    const key = contractBuffer.some((b) => b > 0) ? contractBuffer.join(',') : '';
    let w = worlds.get(key);
    if (!w) {
      const s = world.scenario;
      w = buildWorld({
        ...s,
        segments: s.segments.map((g, i) =>
          g.contract && (contractBuffer[i] ?? 0) > 0 ? { ...g, contract: { ...g.contract, fillRateTarget: Math.min(1, g.contract.fillRateTarget + contractBuffer[i]!) } } : g,
        ),
      });
      worlds.set(key, w);
    }
    // A seed's demand is drawn once: plans from an episode's states re-solve the same future.
    const dk = `${seed} ${days ?? ''}`;
    let demand = demands.get(dk);
    if (!demand) {
      if (demands.size >= 4) demands.delete(demands.keys().next().value!);
      demands.set(dk, (demand = drawDemand(w, seed, days ?? w.scenario.horizonDays)));
    }
    const o = await solveOracle(w, { seed, days, demand, details: true, creditAsPlanned: true, ...(from ? { from } : {}) });
    const { allocations: a, supplyRows: r, contractPrices: c } = o.details!;
    return {
      ordered: demand.qty,
      segment: demand.segment,
      sku: demand.sku,
      order: a.order,
      warehouse: a.warehouse,
      hour: a.hour,
      units: a.units,
      count: a.count,
      supply: {
        sku: Int32Array.from(r, (x) => x.sku),
        warehouse: Int32Array.from(r, (x) => x.warehouse),
        fromHour: Float64Array.from(r, (x) => x.fromHour),
        dual: Float64Array.from(r, (x) => x.dual),
      },
      contracts: {
        segment: Int32Array.from(c, (x) => x.segment),
        periodEndHour: Float64Array.from(c, (x) => x.periodEndHour),
        price: Float64Array.from(c, (x) => x.price),
      },
    };
  };
}
