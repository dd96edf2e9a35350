import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/engine.js';
import { EntryKind } from '../../src/sim/ledger.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { loadScenario, parseScenario } from '../../src/sim/scenario/index.js';
import { paymentTerms, runDetail } from '../../src/report/detail.js';

const DAYS = 35;

/** `default` with explicit terms: each segment its own, suppliers net 14. */
function scenarioWithTerms(customerDays: (kind: string, i: number) => number | undefined, supplierDays?: number) {
  const base = loadScenario('default').scenario;
  const raw = JSON.parse(JSON.stringify(base)) as Record<string, unknown> & { segments: Record<string, unknown>[] };
  raw.segments = raw.segments.map((g, i) => {
    const d = customerDays(String(g.kind), i);
    return d === undefined ? g : { ...g, paymentTermsDays: d };
  });
  if (supplierDays !== undefined) raw.supplierPaymentTermsDays = supplierDays;
  return parseScenario(raw);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-6 * Math.max(1, Math.abs(b)));

describe('finance view', () => {
  it('applies the documented default terms: contract segments 30 days, others on delivery, suppliers 30 days', () => {
    const s = loadScenario('default').scenario;
    const t = paymentTerms(s);
    expect(t.supplierDays).toBe(30);
    expect(t.customerDays).toEqual(s.segments.map((g) => (g.kind === 'contract' ? 30 : 0)));
    expect(paymentTerms(scenarioWithTerms((_, i) => 7 * (i + 1), 14))).toEqual({ customerDays: s.segments.map((_, i) => 7 * (i + 1)), supplierDays: 14 });
  });

  it('reconciles cash in and out over the horizon with the ledger entries under the terms', () => {
    const scenario = scenarioWithTerms((_, i) => [0, 10, 21][i % 3]!, 14);
    const terms = paymentTerms(scenario);
    const world = buildWorld(scenario);
    const result = simulate(world, createRulePolicy('nearest'), { seed: 4, days: DAYS });
    const f = runDetail(result).finance;
    const L = result.ledger;
    const H = DAYS * 24;
    // Independent sums over the ledger's money entries, each moved by its terms.
    let cashIn = 0, revenue = 0, purchases = 0, paid = 0, ops = 0, cogs = 0, opening = 0, received = 0;
    for (let i = 0; i < L.length; i++) {
      const k = L.kind[i]!;
      const t = L.time[i]!;
      const unitCost = k === EntryKind.RECEIPT || k === EntryKind.OPENING ? world.skus[L.sku[i]!]!.unitCost : 0;
      if (k === EntryKind.REVENUE && t < H) {
        revenue += L.amount[i]!;
        if (t + 24 * terms.customerDays[L.segment[i]!]! < H) cashIn += L.amount[i]!;
      }
      if (k === EntryKind.RECEIPT && t <= H) {
        purchases += L.qty[i]! * unitCost;
        received += L.qty[i]! * unitCost;
        if (t + 24 * terms.supplierDays < H) paid += L.qty[i]! * unitCost;
      }
      if ((k === EntryKind.SHIPPING_COST || k === EntryKind.HANDLING_COST || k === EntryKind.PENALTY_LATE || k === EntryKind.PENALTY_LOST_SALE) && t < H) ops += L.amount[i]!;
      if (k === EntryKind.PENALTY_CONTRACT && t <= H) ops += L.amount[i]!;
      if (k === EntryKind.COGS && t <= H) cogs += L.amount[i]!;
      if (k === EntryKind.OPENING) opening += L.qty[i]! * unitCost;
    }
    expect(revenue).toBeGreaterThan(0);
    expect(cashIn).toBeLessThan(revenue); // terms of 10 and 21 days leave money open at the end
    close(sum(f.weeks.cashIn), cashIn);
    close(f.totals.cashIn, cashIn);
    close(sum(f.weeks.revenue), revenue);
    close(f.totals.cashIn + f.totals.receivables, revenue);
    close(sum(f.weeks.cashOutPurchases), paid);
    close(f.totals.cashOutPurchases + f.totals.payables, purchases);
    close(sum(f.weeks.cashOutOperations), ops);
    close(sum(f.weeks.netCash), cashIn - paid - ops);
    // Working capital: opening stock + stock received − cost of goods shipped = closing stock, all at cost.
    close(f.totals.openingInventory, opening);
    close(f.totals.openingInventory + received - cogs, f.totals.closingInventory);
    expect(f.weeks.revenue).toHaveLength(Math.ceil(DAYS / 7));
  });

  it('moves cash, not totals: longer terms leave more receivable and less cash in', () => {
    const world = (d: number) => buildWorld(scenarioWithTerms(() => d, d));
    const run = (d: number) => runDetail(simulate(world(d), createRulePolicy('nearest'), { seed: 2, days: DAYS })).finance;
    const now = run(0);
    const later = run(14);
    close(later.totals.revenue, now.totals.revenue);
    close(now.totals.receivables, 0);
    expect(later.totals.receivables).toBeGreaterThan(0);
    expect(later.totals.cashIn).toBeLessThan(now.totals.cashIn);
    expect(later.weeks.cashIn[0]).toBe(0); // nothing delivered in week 0 is due before day 14
    expect(later.totals.payables).toBeGreaterThan(now.totals.payables);
  });
});
