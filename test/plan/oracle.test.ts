import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { simulate } from '../../src/sim/engine.js';
import { EntryKind } from '../../src/sim/ledger.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { checkDemand, drawDemand } from '../../src/plan/demand.js';
import { realisedTransitHours, solveOracle } from '../../src/plan/oracle.js';
import { runBenchmark } from '../../src/report/harness.js';

const RULES = ['nearest', 'cheapest', 'priority', 'fair-share', 'reserve'];

describe('hindsight oracle', () => {
  it.each([
    ['default', 8],
    ['electronics-launch', 12],
  ])('bounds the reward of every strategy on every seed with contracts soft (%s, %i days)', async (scenario, days) => {
    // Soft: the shortfall is a price, so the bound holds for strategies that trade commitments away too.
    const res = await runBenchmark({ scenario, strategies: [...RULES, 'lp-rolling', 'oracle'], seeds: 3, days, workers: 0, contracts: 'soft' });
    expect(res.records.find((r) => r.oracle)!.oracle!.contracts).toBe('soft');
    const oracle = new Map(res.records.filter((r) => r.oracle).map((r) => [r.seed, r.oracle!]));
    expect(oracle.size).toBe(3);
    let checked = 0;
    for (const r of res.records) {
      if (!r.kpis) continue;
      expect(r.kpis.reward, `${r.strategy} seed ${r.seed}`).toBeLessThanOrEqual(oracle.get(r.seed)!.reward + 1e-6);
      checked++;
    }
    expect(checked).toBe(18);
    // The harness checked that all runs of a seed saw the demand the oracle drew.
    expect(res.summary.commonRandomNumbers).toBe(true);
    if (scenario === 'electronics-launch') {
      // The scarce launch SKU goes through the LP, the rest is closed form.
      expect(oracle.get(0)!.lpSkus).toEqual(['PHONE-X']);
      expect(oracle.get(0)!.lpColumns).toBeGreaterThan(100);
    }
  });

  it('draws exactly the demand and transit luck of a run', () => {
    const world = buildWorld(loadScenario('electronics-launch').scenario);
    const days = 14;
    const d = drawDemand(world, 7, days);
    const run = simulate(world, createRulePolicy('cheapest'), { seed: 7, days });
    expect(() => checkDemand(d, run)).not.toThrow();
    expect(() => checkDemand(drawDemand(world, 8, days), run)).toThrow(/differs from the run's ledger/);
    // Every delivery lands when the order's redrawn luck says it should.
    const L = run.ledger;
    const R = world.scenario.regions.length;
    const shipAt = new Map<string, number>();
    let deliveries = 0;
    for (let i = 0; i < L.length; i++) {
      const key = `${L.order[i]}:${L.warehouse[i]}:${L.mode[i]}`;
      if (L.kind[i] === EntryKind.SHIP) shipAt.set(key, L.time[i]!);
      if (L.kind[i] === EntryKind.DELIVER) {
        const o = L.order[i]!;
        const w = L.warehouse[i]!;
        const lane = world.lanes[w * R + d.region[o]!]!;
        const m = lane.modeIndex.indexOf(L.mode[i]!);
        expect(L.time[i]! - shipAt.get(key)!).toBeCloseTo(realisedTransitHours(world, d, o, w, m), 6);
        deliveries++;
      }
    }
    expect(deliveries).toBeGreaterThan(1000);
  });

  it('is exact on a tiny hand-checkable case: no strategy, all supply scheduled', async () => {
    // With the horizon ending before the launch SKU sells, the LP has nothing to plan and the bound is the closed form.
    const world = buildWorld(loadScenario('electronics-launch').scenario);
    const o = await solveOracle(world, { seed: 1, days: 5 });
    expect(o.lpSkus).toEqual([]);
    expect(o.reward).toBeGreaterThan(0);
    expect(o.servedUnits).toBeLessThanOrEqual(o.demandedUnits);
  });
});
