import { describe, expect, it } from 'vitest';
import { drawDemand } from '../../src/plan/demand.js';
import { solveOracle, type OracleResult, type OracleStart } from '../../src/plan/oracle.js';
import type { World } from '../../src/sim/model/world.js';
import { scarceContractWorld } from './fixtures.js';

/** The state reached at `hour` by following a plan: what its allocations before `hour` leave. */
function stateOnPlan(world: World, seed: number, plan: OracleResult, hour: number): OracleStart {
  const d = drawDemand(world, seed, world.scenario.horizonDays);
  const S = world.skus.length;
  const a = plan.details!.allocations;
  const remaining = Float64Array.from(d.qty);
  const onHand = Float64Array.from(world.initialStock);
  for (const b of world.scenario.inbound) if (b.day * 24 < hour) onHand[world.warehouseIndex.get(b.warehouse)! * S + world.skuIndex.get(b.sku)!]! += b.quantity;
  const credited = new Float64Array(world.scenario.segments.length);
  // Periods of 5 days: the one open at `hour` began at the last close before it.
  const opened = Math.floor((hour - 1e-6) / 120) * 120;
  for (let n = 0; n < a.count; n++) {
    if (a.hour[n]! >= hour) continue;
    const i = a.order[n]!;
    remaining[i]! -= a.units[n]!;
    onHand[a.warehouse[n]! * S + d.sku[i]!]! -= a.units[n]!;
    if (a.hour[n]! > opened) credited[d.segment[i]!]! += a.units[n]!;
  }
  return { hour, remaining, onHand, credited };
}

function unitsFrom(plan: OracleResult, hour: number): number {
  const a = plan.details!.allocations;
  let u = 0;
  for (let n = 0; n < a.count; n++) if (a.hour[n]! >= hour) u += a.units[n]!;
  return u;
}

describe('hindsight oracle from a state part-way through the seed', () => {
  it("continues its own plan: from a state on the plan's path it allocates what the plan still does, and only after the state", async () => {
    // 150 units now and 60 more on day 5 for ~200 contract and ~200 premium units over 10 days.
    const world = scarceContractWorld({ supply: 150, later: 60 });
    const base = await solveOracle(world, { seed: 3, details: true, creditAsPlanned: true });
    expect(base.contractsFeasible).toBe(true);
    for (const hour of [52, 120, 176]) {
      const from = stateOnPlan(world, 3, base, hour);
      const rest = await solveOracle(world, { seed: 3, details: true, creditAsPlanned: true, from });
      const a = rest.details!.allocations;
      for (let n = 0; n < a.count; n++) {
        expect(a.hour[n]!).toBeGreaterThanOrEqual(hour);
        expect(a.units[n]!).toBeLessThanOrEqual(from.remaining[a.order[n]!]! + 1e-6);
      }
      // Optimal from any state on its path (Bellman): the same units, and the open period's commitment still met.
      expect(unitsFrom(rest, hour)).toBeCloseTo(unitsFrom(base, hour), 6);
      expect(rest.contractsFeasible).toBe(true);
      expect(rest.contractShortfall.length).toBeLessThan(base.contractShortfall.length + (hour <= 120 ? 1 : 0));
    }
  });

  it('plans with the stock and contract credit the state has, not the opening ones', async () => {
    const world = scarceContractWorld({ supply: 150, later: 60 });
    const base = await solveOracle(world, { seed: 3, details: true, creditAsPlanned: true });
    const on = stateOnPlan(world, 3, base, 112);
    expect(on.credited[0]!).toBeGreaterThan(10); // the contract segment's credit in the open period
    // The episode sold everything before day 5: only the 60 landing then are left to plan.
    const empty = await solveOracle(world, { seed: 3, details: true, creditAsPlanned: true, from: { ...on, onHand: new Float64Array(on.onHand.length) } });
    const a = empty.details!.allocations;
    for (let n = 0; n < a.count; n++) expect(a.hour[n]!).toBeGreaterThanOrEqual(120);
    expect(unitsFrom(empty, 0)).toBeCloseTo(60, 6);
    // Behind on the open period's commitment: the plan serves every contract unit it still can in the period.
    const d = drawDemand(world, 3, world.scenario.horizonDays);
    const contractUnitsLeft = Array.from(d.qty.keys()).filter((i) => d.segment[i] === 0 && d.time[i]! <= 120).reduce((t, i) => t + on.remaining[i]!, 0);
    const behind = await solveOracle(world, { seed: 3, details: true, creditAsPlanned: true, from: { ...on, credited: new Float64Array(on.credited.length) } });
    const ahead = await solveOracle(world, { seed: 3, details: true, creditAsPlanned: true, from: on });
    const open = (r: OracleResult) => r.contractShortfall.find((p) => p.period === 0)!;
    expect(open(behind).requiredUnits - contractUnitsLeft).toBeGreaterThan(0); // it cannot make it all up
    expect(behind.contractsFeasible).toBe(false);
    expect(open(behind).filledUnits).toBeCloseTo(contractUnitsLeft, 6);
    expect(open(ahead).filledUnits).toBeGreaterThanOrEqual(open(ahead).requiredUnits - 1e-6);
    expect(ahead.contractsFeasible).toBe(true);
    await expect(solveOracle(world, { seed: 3, from: on })).rejects.toThrow(/creditAsPlanned/);
  });
});
