import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld, type World } from '../../src/sim/model/world.js';
import { simulate, Simulation, type SimResult } from '../../src/sim/engine.js';
import { EntryKind } from '../../src/sim/ledger.js';
import { computeKpis } from '../../src/sim/kpis.js';
import { reconcile } from '../../src/sim/reconcile.js';
import { createRulePolicy, RULE_NAMES } from '../../src/sim/policies/index.js';
import type { PendingOrderView, Policy } from '../../src/sim/policies/contract.js';

const worlds = new Map<string, World>();
function world(name: string): World {
  if (!worlds.has(name)) worlds.set(name, buildWorld(loadScenario(name).scenario));
  return worlds.get(name)!;
}

/** Days to simulate per scenario in tests: the whole horizon where it is quick. */
const TEST_DAYS: Record<string, number | undefined> = { 'network-large': 6 };

function demandOf(r: SimResult): string {
  const L = r.ledger;
  const rows: string[] = [];
  for (let i = 0; i < L.length; i++) {
    if (L.kind[i] === EntryKind.ORDER) rows.push(`${L.time[i]}|${L.order[i]}|${L.sku[i]}|${L.segment[i]}|${L.qty[i]}|${L.amount[i]}`);
  }
  return rows.join('\n');
}

function ledgerBytes(r: SimResult): string {
  const L = r.ledger;
  const parts: string[] = [];
  for (let i = 0; i < L.length; i++) parts.push(JSON.stringify(L.entry(i)));
  return parts.join('\n');
}

describe('reconciliation', () => {
  for (const name of listScenarios()) {
    it(`balances stock and money on ${name} under every rule strategy`, () => {
      for (const rule of RULE_NAMES) {
        const r = simulate(world(name), createRulePolicy(rule), { seed: 3, days: TEST_DAYS[name] });
        const rec = reconcile(r);
        expect(rec.entries).toBe(r.ledger.length);
        expect(r.orders).toBeGreaterThan(0);
        const k = computeKpis(r).kpis;
        expect(k.revenue).toBeGreaterThan(0);
        expect(k.fillRate).toBeGreaterThan(0);
        expect(k.fillRate).toBeLessThanOrEqual(1);
      }
    });
  }

  it('fails loudly when the ledger does not match the books', () => {
    const r = simulate(world('default'), createRulePolicy('cheapest'), { seed: 1, days: 10 });
    let ship = 0;
    while (r.ledger.kind[ship] !== EntryKind.SHIP) ship++;
    r.ledger.qty[ship] += 1;
    expect(() => reconcile(r)).toThrow(/stock does not balance at/);
    const r2 = simulate(world('default'), createRulePolicy('cheapest'), { seed: 1, days: 10 });
    let rev = 0;
    while (r2.ledger.kind[rev] !== EntryKind.REVENUE) rev++;
    r2.ledger.amount[rev] += 0.5;
    expect(() => reconcile(r2)).toThrow(/money does not balance for revenue/);
  });
});

describe('runs that keep no ledger (keepLedger: false)', () => {
  for (const name of listScenarios()) {
    it(`give exactly the KPIs and reconciliation of a kept ledger on ${name}`, () => {
      for (const rule of ['cheapest', 'fair-share']) {
        const kept = simulate(world(name), createRulePolicy(rule), { seed: 5, days: TEST_DAYS[name] });
        const tallied = simulate(world(name), createRulePolicy(rule), { seed: 5, days: TEST_DAYS[name], keepLedger: false });
        expect(tallied.ledger.kept).toBe(false);
        expect(tallied.ledger.length).toBe(kept.ledger.length);
        expect(tallied.events).toBe(kept.events);
        // Byte for byte, as a report or an evaluation would print them; asked twice, the same.
        const a = JSON.stringify(computeKpis(kept));
        expect(JSON.stringify(computeKpis(tallied))).toBe(a);
        expect(JSON.stringify(computeKpis(tallied))).toBe(a);
        expect(reconcile(tallied)).toEqual(reconcile(kept));
      }
    });
  }

  it('refuse to hand out entries they did not keep', () => {
    const r = simulate(world('default'), createRulePolicy('nearest'), { seed: 1, days: 3, keepLedger: false });
    expect(r.ledger.length).toBeGreaterThan(0);
    expect(() => r.ledger.entry(0)).toThrow(/kept no entries/);
    expect(() => r.ledger.rows({ skus: [], warehouses: [], segments: [], modes: [] }).next()).toThrow(/kept no entries/);
  });

  it('still catch books that do not balance', () => {
    const r = simulate(world('default'), createRulePolicy('cheapest'), { seed: 1, days: 10, keepLedger: false });
    r.accounts.revenue += 1;
    expect(() => reconcile(r)).toThrow(/money does not balance for revenue/);
    const r2 = simulate(world('default'), createRulePolicy('cheapest'), { seed: 1, days: 10, keepLedger: false });
    r2.closingOnHand[0] += 1;
    expect(() => reconcile(r2)).toThrow(/stock does not balance at/);
  });
});

describe('determinism and common random numbers', () => {
  it('same scenario, seed and strategy give an identical ledger and KPIs', () => {
    const a = simulate(world('electronics-launch'), createRulePolicy('reserve'), { seed: 11, days: 25 });
    const b = simulate(world('electronics-launch'), createRulePolicy('reserve'), { seed: 11, days: 25 });
    expect(ledgerBytes(b)).toBe(ledgerBytes(a));
    expect(JSON.stringify(computeKpis(b))).toBe(JSON.stringify(computeKpis(a)));
    const c = simulate(world('electronics-launch'), createRulePolicy('reserve'), { seed: 12, days: 25 });
    expect(demandOf(c)).not.toBe(demandOf(a));
  });

  it('a run writing into a released ledger\'s memory gives the same ledger and KPIs as one in fresh memory', () => {
    const w = world('electronics-launch');
    const fresh = simulate(w, createRulePolicy('reserve'), { seed: 8, days: 20 });
    const want = { bytes: ledgerBytes(fresh), kpis: computeKpis(fresh).kpis };
    // A longer run on another seed fills the columns, then hands them over.
    const other = simulate(w, createRulePolicy('cheapest'), { seed: 9, days: 25 });
    const before = other.ledger.length;
    const columns = other.ledger.time;
    other.ledger.release();
    expect(other.ledger.length).toBe(0);
    const reused = simulate(w, createRulePolicy('reserve'), { seed: 8, days: 20 });
    expect(reused.ledger.time).toBe(columns); // the same memory, with the longer run's entries past the end
    expect(before).toBeGreaterThan(reused.ledger.length);
    expect(ledgerBytes(reused)).toBe(want.bytes);
    expect(computeKpis(reused).kpis).toEqual(want.kpis);
    reconcile(reused);
  });

  it('every rule decides on lent (reused) context objects exactly as on fresh ones', () => {
    const w = world('electronics-launch');
    for (const rule of RULE_NAMES) {
      const p = createRulePolicy(rule);
      // run() lends one set of context objects to every decision; external stepping hands out new ones.
      const lent = simulate(w, p, { seed: 5, days: 12 });
      const sim = new Simulation(w, p, { seed: 5, days: 12, external: true });
      for (let ctx = sim.nextDecision(); ctx; ctx = sim.nextDecision()) sim.submit(p.decide(ctx));
      expect(ledgerBytes(lent)).toBe(ledgerBytes(sim.finish()));
    }
  });

  it('two strategies on one seed see exactly the same demand', () => {
    const a = simulate(world('electronics-launch'), createRulePolicy('nearest'), { seed: 5, days: 30 });
    const b = simulate(world('electronics-launch'), createRulePolicy('reserve'), { seed: 5, days: 30 });
    expect(demandOf(a).length).toBeGreaterThan(1000);
    expect(demandOf(b)).toBe(demandOf(a));
    // ... while what they did with it differs.
    expect(computeKpis(b).kpis.lostSalesUnits).not.toBe(computeKpis(a).kpis.lostSalesUnits);
  });
});

describe('external decisions (the stepping API)', () => {
  it('driving decisions one by one reproduces the internal run exactly', () => {
    const policy = createRulePolicy('fair-share');
    const internal = simulate(world('electronics-launch'), policy, { seed: 2, days: 20 });
    const sim = new Simulation(world('electronics-launch'), policy, { seed: 2, days: 20, external: true });
    let decisions = 0;
    for (let ctx = sim.nextDecision(); ctx; ctx = sim.nextDecision()) {
      sim.submit(policy.decide(ctx));
      decisions++;
    }
    const external = sim.finish();
    expect(decisions).toBeGreaterThan(100);
    expect(ledgerBytes(external)).toBe(ledgerBytes(internal));
    reconcile(external);
  });

  it('refuses out-of-order calls and invalid decisions with a clear message', () => {
    const policy = createRulePolicy('nearest');
    const sim = new Simulation(world('default'), policy, { seed: 1, days: 3, external: true });
    expect(() => sim.submit({ lines: [] })).toThrow(/call nextDecision\(\) first/);
    const ctx = sim.nextDecision()!;
    expect(() => sim.nextDecision()).toThrow(/submit\(\) the decision for order/);
    const c = ctx.order.lines[0]!.candidates[0]!;
    expect(() =>
      sim.submit({ lines: [{ allocations: [{ warehouse: c.warehouse, quantity: c.available + 1, mode: c.modes[0]!.mode }], backordered: 0 }] }),
    ).toThrow(/exceeds available|must equal quantity/);
    expect(() =>
      sim.submit({ lines: [{ allocations: [{ warehouse: 'atlantis', quantity: 1, mode: 'ground' }], backordered: ctx.order.lines[0]!.quantity - 1 }] }),
    ).toThrow(/warehouse\(=atlantis\) is not a candidate/);
    sim.submit(policy.decide(ctx));
  });
});
