import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { computeKpis } from '../../src/sim/kpis.js';
import { simulate } from '../../src/sim/engine.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { AllocationEnv, checkEnvConformance, EnvError, shadowPrice, VectorAllocationEnv } from '../../src/agent/env/index.js';
import { NC } from '../../src/agent/features/encoder.js';
import { nearFarWorld } from './fixtures.js';

describe('allocation env', () => {
  // Days long enough for every shipped scenario to offer decisions (electronics-launch's phone lands on day 8).
  for (const name of listScenarios()) {
    it(`conforms on the shipped scenario ${name}: same seed → same trajectory, observations finite and in bounds`, () => {
      const world = buildWorld(loadScenario(name).scenario);
      const report = checkEnvConformance(
        () => new AllocationEnv({ world, basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 }, days: 3 }),
        { seed: 5, maxSteps: 400 },
      );
      expect(report.problems).toEqual([]);
      expect(report.steps).toBeGreaterThan(50);
    });
  }

  it('the checker catches a non-deterministic env', () => {
    const world = nearFarWorld(2);
    let calls = 0;
    const report = checkEnvConformance(
      () => new AllocationEnv({ world, basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 }, days: 2 }),
      { seed: 1, maxSteps: 100, choose: (obs) => (calls++ < 100 ? 0 : obs.count) },
    );
    expect(report.problems.some((p) => p.includes('different trajectory'))).toBe(true);
  });

  it('an episode return (time credit) equals the run\'s KPI reward, and matches simulate() under the same choices', () => {
    const world = nearFarWorld();
    const env = new AllocationEnv({ world, basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 } });
    let { obs } = env.reset({ seed: 3 });
    let ret = 0;
    let last;
    while (!env.done) {
      // The cheapest candidate, as the `cheapest` rule would pick.
      let a = 0;
      for (let k = 0; k < obs.count; k++) if (obs.candidates[k * NC + 12] === 1) a = k;
      last = env.step(a);
      ret += last.reward;
      obs = last.obs;
    }
    expect(last!.truncated).toBe(true);
    expect(last!.terminated).toBe(false);
    const kpis = computeKpis(last!.info.result!).kpis;
    expect(ret).toBeCloseTo(kpis.reward, 6);
    expect(kpis.reward).toBeCloseTo(computeKpis(simulate(world, createRulePolicy('cheapest'), { seed: 3 })).kpis.reward, 6);
  });

  it('order credit sends an order\'s money to the step that decided it', () => {
    const world = nearFarWorld(3);
    const env = new AllocationEnv({ world, basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 }, credit: 'order' });
    let { obs } = env.reset({ seed: 2 });
    const credited = new Map<number, number>();
    let steps = 0;
    while (!env.done) {
      const r = env.step(0);
      for (const [s, v] of r.info.credits) credited.set(s, (credited.get(s) ?? 0) + v);
      obs = r.obs;
      steps++;
    }
    void obs;
    expect(credited.size).toBeGreaterThan(steps * 0.8);
    for (const [s] of credited) expect(s).toBeLessThan(steps);
  });

  it('rejects a bad action with a message naming it', () => {
    const env = new AllocationEnv({ world: nearFarWorld(2), basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 } });
    const { obs } = env.reset({ seed: 1 });
    expect(() => env.step(obs.count + 1)).toThrow(EnvError);
    expect(() => env.step(-1)).toThrow(/action\(=-1\)/);
  });

  it('vector env seeds copy i with seed + i and resets automatically', () => {
    const world = nearFarWorld(1);
    const venv = new VectorAllocationEnv(2, { world, basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 } });
    const { obs } = venv.reset({ seed: 10 });
    const single = new AllocationEnv({ world, basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 } });
    expect(Array.from(obs[1]!.context)).toEqual(Array.from(single.reset({ seed: 11 }).obs.context));
    let ended = 0;
    for (let t = 0; t < 200 && ended === 0; t++) {
      const r = venv.step(obs.map(() => 0));
      ended += r.truncated.reduce((a, b) => a + b, 0);
      if (r.truncated[0]) expect(r.finalObs[0]).not.toBeNull();
    }
    expect(ended).toBeGreaterThan(0);
    expect(venv.seedOf(0) === 12 || venv.seedOf(1) === 13).toBe(true);
  });
});

describe('stock charge (shadow price of scarce stock)', () => {
  const line = (available: number, inbound: number, perDay: number) => ({
    sku: 'X', quantity: 1, unitPrice: 10, unitCost: 5, networkAvailable: available, networkInbound: inbound,
    pendingUnits: { contract: 0, premium: 0, standard: 0 },
    forecastDailyUnits: { contract: 0, premium: 0, standard: perDay }, candidates: [],
  });
  const curve = Array.from({ length: 101 }, (_, i) => 100 - i); // margin 100 at the top of demand, 0 at the bottom

  it('is zero once remaining supply covers remaining demand, and falls as the horizon nears', () => {
    expect(shadowPrice(curve, line(100, 0, 10), 24 * 5)).toBe(0); // 100 units for 50 demanded
    expect(shadowPrice(curve, line(25, 0, 10), 24 * 10)).toBe(75); // a quarter of demand served: the 25th percentile margin
    expect(shadowPrice(curve, line(25, 0, 10), 24 * 5)).toBe(50);
    expect(shadowPrice(curve, line(25, 0, 10), 24 * 2)).toBe(0);
  });
});
