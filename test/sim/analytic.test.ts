import { describe, expect, it } from 'vitest';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { parseScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { simulate } from '../../src/sim/engine.js';
import { computeKpis } from '../../src/sim/kpis.js';
import { reconcile } from '../../src/sim/reconcile.js';
import { createRulePolicy } from '../../src/sim/policies/index.js';
import { EntryKind } from '../../src/sim/ledger.js';

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

/** Erlang's loss formula B(c, a): the share of arrivals a loss system of c servers under offered load a turns away. */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let n = 1; n <= c; n++) b = (a * b) / (n + a * b);
  return b;
}

/** A one-warehouse, one-SKU scenario: unit Poisson demand (λ per day), fixed lead time, continuous-review base-stock S. */
function singleCell(o: { name: string; lambdaPerDay: number; leadDays: number; S: number; patienceHours: number; waveIntervalHours: number; horizonDays?: number }) {
  return parseScenario({
    name: o.name,
    horizonDays: o.horizonDays ?? 365,
    waveIntervalHours: o.waveIntervalHours,
    regions: [{ id: 'r', lat: 40, lon: -75 }],
    warehouses: [{ id: 'w', lat: 40, lon: -75, pickCapacityPerDay: 1e6, pickHours: 1 }],
    modes: [{ id: 'ground', costPerUnitKm: 0.001, speedKmPerHour: 50, transitCv: 0, lateRisk: 0 }],
    skus: { items: [{ id: 'A', unitCost: 10, price: 15 }] },
    segments: [{ id: 'all', kind: 'standard', demandShare: 1, patienceHours: o.patienceHours, escalationHours: 1e7 }],
    demand: { distribution: 'poisson', ordersPerDay: o.lambdaPerDay },
    replenishment: {
      policy: 'base-stock',
      review: 'continuous',
      leadTimeHours: o.leadDays * 24,
      leadTimeCv: 0,
      levels: [{ warehouse: 'w', sku: 'A', orderUpTo: o.S, initial: o.S }],
    },
  });
}

/** Mean and 95% half-width (Student t, 39 degrees of freedom) of 40 values. */
function interval95(xs: number[]): { m: number; half: number } {
  expect(xs.length).toBe(40);
  return { m: mean(xs), half: (2.023 * sampleStandardDeviation(xs)) / Math.sqrt(xs.length) };
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

  it('reproduces P(Poisson(λL) <= S − 1) within the 95% confidence interval over 40 seeds', () => {
    const expected = poissonCdf(S - 1, lambdaPerDay * leadDays);
    const rates: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const r = simulate(world, createRulePolicy('nearest'), { seed });
      reconcile(r);
      const k = computeKpis(r).kpis;
      expect(k.lostSalesUnits).toBe(0);
      rates.push(k.firstPassFillRate);
    }
    const { m, half } = interval95(rates);
    console.log(`base-stock fill rate: simulated ${m.toFixed(4)} vs textbook ${expected.toFixed(4)} (± ${half.toFixed(4)})`);
    expect(expected).toBeGreaterThan(m - half);
    expect(expected).toBeLessThan(m + half);
    // The interval is tight enough to mean something: a wrong S would fall outside.
    expect(poissonCdf(S - 2, lambdaPerDay * leadDays)).toBeLessThan(m - half);
    expect(poissonCdf(S, lambdaPerDay * leadDays)).toBeGreaterThan(m + half);
  });
});

/**
 * The same system with lost sales instead of backorders: patience 0, so a demand
 * that stock cannot serve on arrival is lost at once, and only a sale orders a
 * replacement. Units on order then form an M/G/S/S loss system (Palm's theorem:
 * each sale holds one of the S units for a lead time), so the share of demand
 * lost is Erlang's B(S, λL) and the fill rate 1 − B(S, λL), whatever the
 * lead-time distribution.
 */
describe('analytic check: lost-sales fill rate (Erlang loss)', () => {
  const lambdaPerDay = 4;
  const leadDays = 2;
  const S = 8;
  const world = buildWorld(singleCell({ name: 'erlang-loss-check', lambdaPerDay, leadDays, S, patienceHours: 0, waveIntervalHours: 0 }));

  it('reproduces 1 − B(S, λL) within the 95% confidence interval over 40 seeds', () => {
    const a = lambdaPerDay * leadDays;
    const expected = 1 - erlangB(S, a);
    const rates: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const r = simulate(world, createRulePolicy('nearest'), { seed });
      reconcile(r);
      const k = computeKpis(r).kpis;
      // Nothing waits: every unit is allocated on arrival or lost then.
      expect(r.openBackorderUnits).toBe(0);
      expect(k.lostSalesUnits).toBeGreaterThan(0);
      rates.push(k.fillRate);
    }
    const { m, half } = interval95(rates);
    console.log(`lost-sales fill rate: simulated ${m.toFixed(4)} vs Erlang ${expected.toFixed(4)} (± ${half.toFixed(4)})`);
    expect(expected).toBeGreaterThan(m - half);
    expect(expected).toBeLessThan(m + half);
    // Tight enough to tell S from S ± 1 (and the loss system from the backorder one).
    expect(1 - erlangB(S - 1, a)).toBeLessThan(m - half);
    expect(1 - erlangB(S + 1, a)).toBeGreaterThan(m + half);
    expect(poissonCdf(S - 1, a)).toBeLessThan(m - half);
  });

  it('with waves, a demand without patience is still served or lost on arrival (the same run)', () => {
    const waved = buildWorld(singleCell({ name: 'erlang-loss-check', lambdaPerDay, leadDays, S, patienceHours: 0, waveIntervalHours: 2, horizonDays: 60 }));
    const plain = buildWorld(singleCell({ name: 'erlang-loss-check', lambdaPerDay, leadDays, S, patienceHours: 0, waveIntervalHours: 0, horizonDays: 60 }));
    const a = simulate(waved, createRulePolicy('nearest'), { seed: 3 });
    const b = simulate(plain, createRulePolicy('nearest'), { seed: 3 });
    expect(computeKpis(a).kpis).toEqual(computeKpis(b).kpis);
    expect(a.ledger.length).toBe(b.ledger.length);
  });
});

describe('continuous review with allocation waves', () => {
  it('orders at every demand arrival, not at the next allocation', () => {
    // Backorders (long patience) and 2-hour waves: each arrival lowers the inventory
    // position by its units, and a replenishment of exactly those units leaves then.
    const world = buildWorld(singleCell({ name: 'review-check', lambdaPerDay: 30, leadDays: 2, S: 40, patienceHours: 1e6, waveIntervalHours: 2, horizonDays: 30 }));
    const r = simulate(world, createRulePolicy('nearest'), { seed: 4 });
    const L = r.ledger;
    const orders: string[] = [];
    const purchases: string[] = [];
    for (let i = 0; i < L.length; i++) {
      if (L.kind[i] === EntryKind.ORDER) orders.push(`${L.time[i]}:${L.qty[i]}`);
      if (L.kind[i] === EntryKind.PURCHASE) purchases.push(`${L.time[i]}:${L.qty[i]}`);
    }
    expect(orders.length).toBeGreaterThan(500);
    expect(purchases).toEqual(orders);
  });
});
