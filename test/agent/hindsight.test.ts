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
import { NothingToLearnError, trainHindsight } from '../../src/agent/hindsight/train.js';
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

  it('learns to keep scarce stock for the customers who pay more, and keeps the best validated round', async () => {
    const world = scarceWorld();
    const result = await trainHindsight(world, { hardContracts: true, rounds: 2, episodesPerRound: 2, epochs: 4, hidden: 16, validationSeeds: 3, seed: 7 });
    expect(result.derived.scarceSkus.map((s) => s.sku)).toEqual(['S']);
    expect(result.metrics).toHaveLength(3);
    const best = Math.max(...result.metrics.map((m) => m.val_reward));
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
    await expect(trainHindsight(world, { hardContracts: true, rounds: 1, validationSeeds: 1, hidden: 8 })).rejects.toThrow(NothingToLearnError);
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
