import { describe, expect, it } from 'vitest';
import { computeKpis } from '../../src/sim/kpis.js';
import { EntryKind } from '../../src/sim/ledger.js';
import { simulate } from '../../src/sim/engine.js';
import { parseScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { validateDecision, type DecisionContext } from '../../src/sim/policies/contract.js';
import { selectBackend } from '../../src/agent/backend.js';
import { HindsightPrices } from '../../src/agent/hindsight/labels.js';
import { episodeRecord, NothingToLearnError, replanHours, startAt, trainHindsight } from '../../src/agent/hindsight/train.js';
import { HindsightPlan, planStake, planValues, withHistory, type PlanStep } from '../../src/agent/hindsight/plan.js';
import { drawDemand } from '../../src/plan/demand.js';
import { oraclePlanner } from '../../src/plan/hindsight-plan.js';
import { initParams, Network } from '../../src/agent/network.js';
import { NetworkPolicy } from '../../src/agent/network-policy.js';
import { defaultFeatureSpec } from '../../src/agent/features/encoder.js';
import { scarceWorld } from './fixtures.js';

describe('hindsight imitation', async () => {
  await selectBackend('cpu');

  it('prices a unit at the S-th most valuable unit of the demand still to come (checked by brute force)', () => {
    const world = scarceWorld();
    const run = simulate(world, createRulePolicy('fair-share'), { seed: 4 });
    const prices = new HindsightPrices(world, run, new Set([0]), false);
    const L = run.ledger;
    const future: [number, number, number][] = [];
    for (let i = 0; i < L.length; i++) if (L.kind[i] === EntryKind.ORDER) future.push([L.time[i]!, L.qty[i]!, L.amount[i]! / L.qty[i]! - 50]);
    for (const hour of [0, 24, 100, 200]) {
      for (const supply of [1, 10, 60, 150, 1000]) {
        // Every unit to come, most valuable first; the price is the margin of unit number `supply`.
        const units = future.filter((f) => f[0] > hour).flatMap(([, q, m]) => new Array<number>(q).fill(m)).sort((a, b) => b - a);
        const want = units.length <= supply ? 0 : units[supply - 1]!;
        expect(prices.price(0, hour, supply, 0)).toBeCloseTo(want, 9);
      }
    }
    // An SKU that is not scarce has no price.
    expect(new HindsightPrices(world, run, new Set(), false).price(0, 0, 1, 0)).toBe(0);
  });

  it.each(['prices', 'plan'] as const)('learns to keep scarce stock for the customers who pay more (%s labels), and keeps the best validated round', async (labels) => {
    const world = scarceWorld();
    const result = await trainHindsight(
      world,
      { hardContracts: true, labels, rounds: 2, episodesPerRound: 2, epochs: 4, hidden: 16, validationSeeds: 3, seed: 7 },
      { planner: oraclePlanner(world) },
    );
    expect(result.derived.scarceSkus.map((s) => s.sku)).toEqual(['S']);
    expect(result.metrics).toHaveLength(3);
    // Fewest contract periods below target first (none here: no contract), then reward.
    const fewest = Math.min(...result.metrics.map((m) => m.val_contract_misses));
    const best = Math.max(...result.metrics.filter((m) => m.val_contract_misses === fewest).map((m) => m.val_reward));
    expect(result.metrics[result.bestRound]!.val_reward).toBe(best);
    const policy = new NetworkPolicy('h', 'v1', new Network(result.params, result.spec), { minUnitMargin: 0 }, createRulePolicy('fair-share'), 'greedy');
    let net = 0;
    let rule = 0;
    for (const seed of [9001, 9002, 9003, 9004]) {
      net += computeKpis(simulate(world, policy, { seed })).kpis.reward;
      rule += computeKpis(simulate(world, createRulePolicy('fair-share'), { seed })).kpis.reward;
    }
    expect(net).toBeGreaterThan(rule);
  });

  it('labels a step by what the plan still wants of the order by now, from where', () => {
    // Order 0 (5 units): 2 from warehouse 1 at hour 4, 3 from warehouse 0 at hour 8. Order 1: not served. Order 2: 2 from warehouse 1 at hour 4.
    const plan = new HindsightPlan({ ordered: [5, 3, 2], order: [0, 0, 2], warehouse: [1, 0, 1], hour: [4, 8, 4], units: [2, 3, 2], count: 3 });
    expect(plan.due(0, 3, 5).units).toBe(0);
    expect(plan.due(0, 4, 5)).toEqual({ units: 2, from: new Map([[1, 2]]) });
    expect(plan.due(0, 8, 3)).toEqual({ units: 3, from: new Map([[1, 2], [0, 3]]) }); // 2 already placed
    expect(plan.due(1, 100, 3).units).toBe(0);
    const step = (order: number, hour: number, quantity: number): PlanStep => ({
      seed: 1, from: 0, order, hour, quantity, warehouse: Int32Array.from([0, 0, 1]), values: Float64Array.from([10, 12, 9]), sku: 0, segment: 0, unserved: -1,
    });
    // Before its moment, or never in the plan: defer (the last entry) is the only option.
    expect([...planValues(step(0, 3, 5), plan)]).toEqual([-Infinity, -Infinity, -Infinity, 0]);
    expect([...planValues(step(1, 50, 3), plan)]).toEqual([-Infinity, -Infinity, -Infinity, 0]);
    // 2 of 5 due at hour 4 is less than half of what is left: defer; at hour 8 everything is due, from both.
    expect(planValues(step(0, 4, 5), plan)[3]).toBe(0);
    expect([...planValues(step(0, 8, 5), plan)]).toEqual([10, 12, 9, -Infinity]);
    // Order 0 at hour 4 with its 2 units already placed: nothing more due yet.
    expect(planValues(step(0, 4, 3), plan)[3]).toBe(0);
    // Order 2, due from warehouse 1 only: its option, valued; the others ruled out.
    expect([...planValues(step(2, 4, 2), plan)]).toEqual([-Infinity, -Infinity, 9, -Infinity]);
    // The planned warehouse is not offered: every offered option stays open.
    const elsewhere = { ...step(2, 4, 2), warehouse: Int32Array.from([0, 0, 2]) };
    expect([...planValues(elsewhere, plan)]).toEqual([10, 12, 9, -Infinity]);
  });

  it("reads the plan's bid and contract prices, and weighs each label by what the other choice costs at them", () => {
    // SKU 0 at warehouse 0: opening bucket (dual 30) and a landing at hour 100 (dual 50); warehouse 1: one row, dual 0.
    // Segment 1 is a contract: period 1 ends at hour 200 (price 40), period 2 at 400 (price 0).
    const plan = new HindsightPlan({
      ordered: [4, 2], segment: [1, 0], sku: [0, 0], order: [0], warehouse: [0], hour: [120], units: [4], count: 1,
      supply: { sku: [0, 0, 0], warehouse: [0, 0, 1], fromHour: [100, -Infinity, -Infinity], dual: [50, 30, 0] },
      contracts: { segment: [1, 1], periodEndHour: [400, 200], price: [0, 40] },
    });
    expect(plan.bidPrice(0, 0, 10)).toBe(80); // the opening bucket and every later one
    expect(plan.bidPrice(0, 0, 150)).toBe(50);
    expect(plan.bidPrice(0, 1, 10)).toBe(0);
    expect(plan.bidPrice(3, 0, 10)).toBe(0); // nothing scheduled
    expect(plan.contractPrice(1, 150)).toBe(40);
    expect(plan.contractPrice(1, 250)).toBe(0);
    expect(plan.contractPrice(0, 150)).toBe(0);
    expect(plan.allocatedTo(1, 100, 200)).toBe(4);
    expect(plan.allocatedTo(1, 121, 200)).toBe(0);
    expect(plan.allocatedBefore(0, 120)).toBe(0);
    expect(plan.allocatedBefore(0, 121)).toBe(4);
    // Order 1 (2 units, segment 0, not in the plan): values 100 from warehouse 0, 60 from warehouse 1; unserved −5.
    const st: PlanStep = { seed: 1, from: 0, order: 1, hour: 10, quantity: 2, warehouse: Int32Array.from([0, 1]), values: Float64Array.from([100, 60]), sku: 0, segment: 0, unserved: -5 };
    const defer = planValues(st, plan);
    expect([...defer]).toEqual([-Infinity, -Infinity, 0]);
    // Serving is worth max(100 − 80, 60 − 0) + 5 = 65 a unit more than leaving it: the defer label is against the prices, so it weighs 0.
    expect(planStake(st, plan, defer)).toBe(0);
    // A serve label weighs that reduced cost times the units.
    expect(planStake(st, plan, Float64Array.from([100, 60, -Infinity]))).toBe(130);
    // Where serving is below the prices (warehouse 1 dear too), a defer label weighs the difference.
    const dear = new HindsightPlan({ ordered: [4, 2], order: [], warehouse: [], hour: [], units: [], count: 0, supply: { sku: [0, 0], warehouse: [0, 1], fromHour: [-Infinity, -Infinity], dual: [200, 90] } });
    expect(planStake(st, dear, defer)).toBe(2 * (90 - 60 - 5));
    // A contract order is credited its period's contract price: serving at max(100 − 200, 60 − 90) + 40 + 5 = 15 a unit.
    const dearContract = new HindsightPlan({
      ordered: [4, 2], order: [], warehouse: [], hour: [], units: [], count: 0,
      supply: { sku: [0, 0], warehouse: [0, 1], fromHour: [-Infinity, -Infinity], dual: [200, 90] },
      contracts: { segment: [1], periodEndHour: [200], price: [40] },
    });
    expect(planStake({ ...st, segment: 1 }, dearContract, Float64Array.from([100, 60, -Infinity]))).toBe(30);
    expect(planStake({ ...st, segment: 1 }, dearContract, defer)).toBe(0);
    // Without prices every label weighs 1.
    expect(planStake(st, new HindsightPlan({ ordered: [4, 2], order: [], warehouse: [], hour: [], units: [], count: 0 }), defer)).toBe(1);
  });

  it('labels a contract order serve while the episode is behind the plan on its commitment', () => {
    // Contract segment 1: the plan allocates 4 units to order 0 at hour 20 and 6 to order 2 at hour 120 (period from hour 0).
    const plan = new HindsightPlan({
      ordered: [4, 3, 6], segment: [1, 1, 1], sku: [0, 0, 0], order: [0, 2], warehouse: [0, 0], hour: [20, 120], units: [4, 6], count: 2,
    });
    const st = (filled: number, hour: number, required = 24): PlanStep => ({
      seed: 1, from: 0, order: 1, hour, quantity: 3, warehouse: Int32Array.from([0]), values: Float64Array.from([7]), sku: 0, segment: 1, unserved: -1,
      contract: { periodStart: 0, filled, required },
    });
    // Order 1 is not in the plan. At hour 100 the plan has allocated 4: with 3 filled the episode is behind, serve.
    expect([...planValues(st(3, 100), plan)]).toEqual([7, -Infinity]);
    // With 4 filled it is not: the plan's own label, defer.
    expect([...planValues(st(4, 100), plan)]).toEqual([-Infinity, 0]);
    // At hour 120 the plan has allocated 10: 9 is behind, unless the target requires only 9.
    expect([...planValues(st(9, 120), plan)]).toEqual([7, -Infinity]);
    expect([...planValues(st(9, 120, 9), plan)]).toEqual([-Infinity, 0]);
    // Allocations before the period began do not count.
    expect([...planValues({ ...st(3, 100), contract: { periodStart: 50, filled: 0, required: 24 } }, plan)]).toEqual([-Infinity, 0]);
    // Other orders are never affected.
    const { contract: _, ...plain } = st(0, 100);
    expect([...planValues(plain, plan)]).toEqual([-Infinity, 0]);
  });

  it("takes the state's hindsight values where the episode has sold ahead of or behind the plan by the order's units", () => {
    // The plan serves order 0 (2 units) at hour 10 and leaves order 1 (2 units) unserved; by hour 50 it has sold 2 units.
    const plan = new HindsightPlan({ ordered: [2, 2], segment: [0, 0], sku: [0, 0], order: [0], warehouse: [0], hour: [10], units: [2], count: 1 });
    const serveHere = Float64Array.from([5, -1]);
    const deferHere = Float64Array.from([-3, -1]);
    const st = (order: number, sold: number, state: Float64Array): PlanStep => ({
      seed: 1, from: 0, order, hour: 50, quantity: 2, warehouse: Int32Array.from([0]), values: Float64Array.from([5]), sku: 0, segment: 0, unserved: -1, episodeAllocated: sold, stateValues: state,
    });
    // On the plan's path (sold 2): the plan decides, whatever the state's values say.
    expect([...planValues(st(1, 2, serveHere), plan)]).toEqual([-Infinity, 0]);
    expect([...planValues(st(0, 2, deferHere), plan)]).toEqual([5, -Infinity]);
    // Sold nothing (2 units of stock the plan does not have): the state's serve wins over the plan's defer.
    expect([...planValues(st(1, 0, serveHere), plan)]).toEqual([5, -1]);
    // Sold 4 (2 units short of the plan's stock): the state's defer wins over the plan's serve.
    expect([...planValues(st(0, 4, deferHere), plan)]).toEqual([-3, -1]);
    // Off the path but agreeing with the plan: the plan's label.
    expect([...planValues(st(1, 0, deferHere), plan)]).toEqual([-Infinity, 0]);
    // Off by less than the order's units: the plan's label.
    expect([...planValues(st(1, 1, serveHere), plan)]).toEqual([-Infinity, 0]);
  });

  it("reads the state an episode reached from its ledger, for plans solved again from there", () => {
    const world = scarceWorld({ contract: true });
    const run = simulate(world, createRulePolicy('fair-share'), { seed: 5 });
    const demand = drawDemand(world, 5, world.scenario.horizonDays);
    const record = episodeRecord(world, run, demand.qty);
    const L = run.ledger;
    const allocs: number[] = [];
    for (let i = 0; i < L.length; i++) if (L.kind[i] === EntryKind.ALLOCATE) allocs.push(i);
    expect(record.alloc.count).toBe(allocs.length);
    // After every allocation: what is on hand is what the run closed with (everything allocated has shipped).
    const end = startAt(world, record, 1e9, world.scenario.horizonDays);
    expect(end.past).toBe(allocs.length);
    expect(end.start.onHand[0]).toBe(run.closingOnHand[0]);
    // Part-way: each order's units less what was allocated to it before the hour; allocations at the hour are the plan's.
    const hour = 100;
    const mid = startAt(world, record, hour, world.scenario.horizonDays);
    const before = allocs.filter((i) => L.time[i]! < hour);
    expect(mid.past).toBe(before.length);
    const left = Float64Array.from(demand.qty);
    for (const i of before) left[L.order[i]!]! -= L.qty[i]!;
    expect(Array.from(mid.start.remaining)).toEqual([...left]);
    expect(mid.start.onHand[0]).toBe(260 - before.reduce((t, i) => t + L.qty[i]!, 0));
    // The contract segment's credit: its allocations since its last period close before the hour (day 5 closes the first).
    const close = L.time[Array.from(L.kind.keys()).find((i) => L.kind[i] === EntryKind.CONTRACT_PERIOD)!]!;
    expect(close).toBe(120);
    for (const h of [100, 180]) {
      const want = allocs.filter((i) => L.segment[i] === 1 && L.time[i]! < h && (h <= close || L.time[i]! > close)).reduce((t, i) => t + L.qty[i]!, 0);
      expect(startAt(world, record, h, world.scenario.horizonDays).start.credited[1]).toBe(want);
    }
    expect(mid.start.credited[1]).toBeGreaterThan(0);
    // The plan from there counts the episode's past as its own.
    const plan = withHistory({ ordered: demand.qty, order: [3], warehouse: [0], hour: [hour], units: [1], count: 1 }, { ...record.alloc, count: mid.past });
    expect(plan.count).toBe(mid.past + 1);
    expect(new HindsightPlan({ ...plan, sku: demand.sku }).allocatedBefore(0, hour + 1)).toBe(260 - mid.start.onHand[0]! + 1);
    expect(replanHours(10, 8)).toEqual([0, 24, 48, 72, 120, 144, 168, 192]);
    expect(replanHours(3, 8)).toEqual([0, 24, 48]);
    expect(replanHours(60, 1)).toEqual([0]);
  });

  it('meets a contract commitment by raising the margin of the plans it imitates', async () => {
    const world = scarceWorld({ contract: true });
    const result = await trainHindsight(
      world,
      { hardContracts: true, labels: 'plan', rounds: 2, episodesPerRound: 2, epochs: 4, hidden: 16, validationSeeds: 3, seed: 7 },
      { planner: oraclePlanner(world) },
    );
    // The buffer only grows, and only after a DAgger round (not round 0, fitted to the expert's states) whose validation left a period short.
    result.metrics.forEach((m, i) => {
      if (i <= 1) expect(m.contract_buffer).toBe(0);
      else expect(m.contract_buffer).toBeGreaterThanOrEqual(result.metrics[i - 1]!.contract_buffer);
      if (i > 0 && result.metrics[i - 1]!.val_contract_misses === 0) expect(m.contract_buffer).toBe(result.metrics[i - 1]!.contract_buffer);
    });
    expect(result.metrics.at(-1)!.contract_buffer).toBeLessThanOrEqual(0.05 + 1e-12);
    const kept = result.metrics[result.bestRound]!;
    expect(kept.val_contract_misses).toBe(Math.min(...result.metrics.map((m) => m.val_contract_misses)));
  });

  it('refuses plan labels without a planner', async () => {
    await expect(trainHindsight(scarceWorld(), { hardContracts: true, rounds: 0, validationSeeds: 1, hidden: 8 })).rejects.toThrow(/planner/);
  });

  it('refuses a scenario that offers nothing to decide, instead of saving a model', async () => {
    const world = buildWorld(
      parseScenario({
        name: 'empty',
        horizonDays: 3,
        regions: [{ id: 'r', lat: 0, lon: 0 }],
        warehouses: [{ id: 'w', lat: 0, lon: 0.1, pickCapacityPerDay: 10 }],
        modes: [{ id: 'ground', costPerUnitKm: 0.01, speedKmPerHour: 60 }],
        skus: { items: [{ id: 'A', unitCost: 1, price: 2 }] },
        segments: [{ id: 's', kind: 'standard', demandShare: 1 }],
        demand: { distribution: 'poisson', ordersPerDay: 0 },
        replenishment: { policy: 'base-stock', review: 'continuous', leadTimeHours: 24, orderUpToDays: 1 },
      }),
    );
    await expect(trainHindsight(world, { hardContracts: true, rounds: 1, validationSeeds: 1, hidden: 8 }, { planner: oraclePlanner(world) })).rejects.toThrow(NothingToLearnError);
  });
});

describe('network policy attribution and stock', () => {
  const world = scarceWorld();
  const base = createRulePolicy('fair-share');
  const network = new Network(initParams(8, 1), defaultFeatureSpec());
  /** Contexts the simulator offers on a seed (copied: the engine may reuse its objects). */
  const contexts = (): DecisionContext[] => {
    const out: DecisionContext[] = [];
    const spy = { name: 'spy', decide: (ctx: DecisionContext) => (out.push(structuredClone(ctx)), base.decide(ctx)) };
    simulate(world, spy, { seed: 2, days: 2 });
    return out.filter((c) => c.order.lines.some((l) => l.candidates.some((k) => k.available > 0)));
  };

  it('names the rule, with a reason, when the model decided nothing; names the model when it chose', () => {
    const ctxs = contexts().slice(0, 20);
    expect(ctxs.length).toBeGreaterThan(0);
    const outOfScope = new NetworkPolicy('m', 'v1', network, { minUnitMargin: 1e9 }, base);
    const inScope = new NetworkPolicy('m', 'v1', network, { minUnitMargin: 0 }, base);
    for (const ctx of ctxs) {
      const d = outOfScope.decide(ctx);
      expect(d.decidedBy).toMatchObject({ kind: 'rules', name: 'fair-share' });
      expect(d.decidedBy!.reason).toMatch(/outside the scope/);
      const m = inScope.decide(ctx);
      expect(m.decidedBy).toMatchObject({ kind: 'model', name: 'm', version: 'v1' });
      expect(m.lineDecidedBy).toBeUndefined();
    }
  });

  it('marks per line who decided when only some lines are in scope', () => {
    const ctx = contexts()[0]!;
    const cheap = structuredClone(ctx.order.lines[0]!);
    cheap.unitPrice = cheap.unitCost + 1;
    const mixed: DecisionContext = { ...ctx, order: { ...ctx.order, lines: [ctx.order.lines[0]!, cheap] } };
    const d = new NetworkPolicy('m', 'v1', network, { minUnitMargin: 10 }, base).decide(mixed);
    expect(d.decidedBy!.kind).toBe('model');
    expect(d.lineDecidedBy).toEqual(['model', 'rules']);
  });

  it('two lines of the same SKU never take more than the stock there is', () => {
    const ctx = contexts()[0]!;
    const line = structuredClone(ctx.order.lines[0]!);
    const stock = line.candidates.reduce((a, c) => a + c.available, 0);
    line.quantity = stock;
    const twice: DecisionContext = { ...ctx, order: { ...ctx.order, lines: [line, structuredClone(line)] } };
    for (const mode of ['greedy', 'sample'] as const) {
      const d = new NetworkPolicy('m', 'v1', network, { minUnitMargin: 0 }, base, mode).decide(twice);
      validateDecision(twice, d);
      let placed = 0;
      for (const l of d.lines) for (const a of l.allocations) placed += a.quantity;
      expect(placed).toBeLessThanOrEqual(stock);
    }
  });
});
