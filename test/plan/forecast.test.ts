import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { simulate } from '../../src/sim/engine.js';
import { computeKpis } from '../../src/sim/kpis.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { drawDemand } from '../../src/plan/demand.js';
import { dailyHistory, etsForecast, evaluateForecast, fitEts, forecastEts, withForecast } from '../../src/plan/forecast.js';
import { planForecast } from '../../src/plan/forecast-source.js';

describe('forecasting', () => {
  it('recovers a weekly season and a trend', () => {
    const week = [1.3, 1.2, 1, 1, 0.9, 0.8, 0.8];
    const y = Array.from({ length: 56 }, (_, t) => (100 + 0.5 * t) * week[t % 7]!);
    const m = fitEts(y);
    const f = forecastEts(m, 7);
    for (let h = 0; h < 7; h++) expect(Math.abs(f[h]! - (100 + 0.5 * (56 + h)) * week[(56 + h) % 7]!) / f[h]!).toBeLessThan(0.05);
  });

  it('scores accuracy as WAPE and bias, and handles the launch SKU from its launch curve', () => {
    const world = buildWorld(loadScenario('electronics-launch').scenario);
    const d = drawDemand(world, 3, 40);
    const ev = evaluateForecast(world, d, 21, 14);
    expect(ev.ets.actualUnits).toBeGreaterThan(10_000);
    // Per SKU × region × day the series are noisy: the scenario's own demand plan (the true
    // mean) sets the floor, and the fitted forecast must come close to it without knowing it.
    expect(ev.plan.wape).toBeGreaterThan(0.3);
    expect(ev.ets.wape).toBeLessThan(ev.plan.wape + 0.1);
    expect(Math.abs(ev.ets.bias)).toBeLessThan(0.2);
    expect(ev.etsLaunch).not.toBeNull();
    expect(Math.abs(ev.etsLaunch!.bias)).toBeLessThan(0.25);
    expect(ev.etsLaunch!.wape).toBeLessThan(0.7);
    expect(() => evaluateForecast(world, d, 3, 14)).toThrow(/trainDays\(=3\)/);
  });

  it('is offered to strategies in place of the simulator forecast', () => {
    const world = buildWorld(loadScenario('electronics-launch').scenario);
    const hist = dailyHistory(world, drawDemand(world, 99, 30));
    const ets = etsForecast(world, hist, 30);
    const plan = planForecast(world);
    let seen = 0;
    const spy = createRulePolicy('reserve');
    const probe = { name: 'reserve', rank: spy.rank, decide: (ctx: Parameters<typeof spy.decide>[0]) => {
      const l = ctx.order.lines[0]!;
      const k = world.skuIndex.get(l.sku)!;
      let expected = 0;
      for (let r = 0; r < world.scenario.regions.length; r++) expected += ets.unitsPerDay(k, r, 0, ctx.nowHours / 24);
      expect(l.forecastDailyUnits.contract).toBeCloseTo(expected, 9);
      seen++;
      return spy.decide(ctx);
    } };
    const r = simulate(world, withForecast(probe, world, ets), { seed: 1, days: 3 });
    expect(seen).toBeGreaterThan(100);
    expect(computeKpis(r).kpis.fillRate).toBeGreaterThan(0);
    expect(plan.name).toBe('plan');
  });
});
