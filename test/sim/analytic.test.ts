import { describe, expect, it } from 'vitest';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { parseScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { simulate } from '../../src/sim/engine.js';
import { computeKpis } from '../../src/sim/kpis.js';
import { reconcile } from '../../src/sim/reconcile.js';
import { createRulePolicy } from '../../src/sim/policies/index.js';

/** P(X <= k) for X ~ Poisson(m). */
function poissonCdf(k: number, m: number): number {
  let p = Math.exp(-m);
  let c = p;
  for (let i = 1; i <= k; i++) {
    p *= m / i;
    c += p;
  }
  return c;
}

/**
 * One warehouse, one SKU, unit Poisson demand (λ per day), fixed lead time L,
 * continuous-review base-stock S, backorders (no lost sales). The textbook result
 * (e.g. Zipkin, Foundations of Inventory Management, §6.2): the fraction of demand
 * filled from stock is P(D_L <= S − 1) with D_L ~ Poisson(λL).
 */
describe('analytic check: base-stock fill rate', () => {
  const lambdaPerDay = 4;
  const leadDays = 2;
  const S = 10;
  const scenario = parseScenario({
    name: 'base-stock-check',
    horizonDays: 365,
    waveIntervalHours: 0,
    regions: [{ id: 'r', lat: 40, lon: -75 }],
    warehouses: [{ id: 'w', lat: 40, lon: -75, pickCapacityPerDay: 1e6, pickHours: 1 }],
    modes: [{ id: 'ground', costPerUnitKm: 0.001, speedKmPerHour: 50, transitCv: 0, lateRisk: 0 }],
    skus: { items: [{ id: 'A', unitCost: 10, price: 15 }] },
    segments: [{ id: 'all', kind: 'standard', demandShare: 1, patienceHours: 1e7, escalationHours: 1e7 }],
    demand: { distribution: 'poisson', ordersPerDay: lambdaPerDay },
    replenishment: {
      policy: 'base-stock',
      review: 'continuous',
      leadTimeHours: leadDays * 24,
      leadTimeCv: 0,
      levels: [{ warehouse: 'w', sku: 'A', orderUpTo: S }],
    },
  });
  const world = buildWorld(scenario);

  it('reproduces P(Poisson(λL) <= S − 1) within the 99% confidence interval over 40 seeds', () => {
    const expected = poissonCdf(S - 1, lambdaPerDay * leadDays);
    const rates: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const r = simulate(world, createRulePolicy('nearest'), { seed });
      reconcile(r);
      const k = computeKpis(r).kpis;
      expect(k.lostSalesUnits).toBe(0);
      rates.push(k.firstPassFillRate);
    }
    const m = mean(rates);
    console.log(`base-stock fill rate: simulated ${m.toFixed(4)} vs textbook ${expected.toFixed(4)}`);
    const half = (2.708 * sampleStandardDeviation(rates)) / Math.sqrt(rates.length); // t(0.995, 39)
    expect(expected).toBeGreaterThan(m - half);
    expect(expected).toBeLessThan(m + half);
    // The interval is tight enough to mean something: a wrong S would fall outside.
    expect(poissonCdf(S - 2, lambdaPerDay * leadDays)).toBeLessThan(m - half);
    expect(poissonCdf(S, lambdaPerDay * leadDays)).toBeGreaterThan(m + half);
  });
});
