import { describe, expect, it } from 'vitest';
import type { BenchSummary } from '../../src/report/harness.js';
import { recommend } from '../../src/report/recommend.js';
import { interval, pairedDifference, directionOf } from '../../src/report/stats.js';
import { formatMoney, formatNumber } from '../../src/report/format.js';

const KPIS = ['reward', 'grossMargin', 'revenue', 'fillRate', 'onTimeRate', 'contractFillRate', 'contractFillTarget', 'lostSalesUnits', 'penalties', 'latePenalty', 'lostSalePenalty', 'contractPenalty', 'cogs', 'shippingCost', 'handlingCost', 'holdingCost', 'manualInterventionRate', 'meanDeliveryDays'];

/** A summary built from per-seed values: `values[strategy][kpi]` (other KPIs equal to the baseline's). */
function summaryOf(values: Record<string, Partial<Record<string, number[]>>>, baseline: string): BenchSummary {
  const strategies = Object.keys(values);
  const seeds = values[baseline]!.reward!.map((_, i) => i);
  const base = (k: string) => values[baseline]![k] ?? seeds.map(() => (k === 'contractFillTarget' ? 0.95 : k.endsWith('Rate') ? 0.9 : 100));
  const of = (x: string, k: string) => values[x]![k] ?? base(k);
  const kpis: BenchSummary['kpis'] = {};
  const paired: BenchSummary['paired'] = {};
  for (const x of strategies) {
    kpis[x] = Object.fromEntries(KPIS.map((k) => [k, interval(of(x, k))]));
    if (x !== baseline) paired[x] = Object.fromEntries(KPIS.map((k) => [k, pairedDifference(of(x, k), base(k), directionOf(k))]));
  }
  return {
    scenario: 't', description: '', currency: 'USD', days: 10, seeds, strategies, baseline, warehouses: [], segments: [{ id: 'key', kind: 'contract' }], contracts: 'hard',
    commonRandomNumbers: true, kpis, paired, bySegment: {}, learningCurves: {},
  };
}

describe('recommendation', () => {
  it('names no strategy when the interval on the objective includes zero, even if another KPI differs', () => {
    const s = summaryOf({ a: { reward: [100, 200, 150, 120] }, b: { reward: [110, 190, 160, 115], fillRate: [0.95, 0.96, 0.95, 0.96] } }, 'a');
    const r = recommend(s);
    expect(r.winner).toBeNull();
    expect(r.headline).toBe('No strategy is better than `a` on reward: over 4 seeds no paired difference excludes zero.');
    expect(r.details).toContain('`b` against `a`: fill rate 5.5 points higher.');
  });

  it('names the strategy whose paired interval excludes zero, with service, lost units, contract fill and cost lines', () => {
    const s = summaryOf(
      {
        a: { reward: [1e6, 2e6, 1.5e6, 1.2e6], lostSalesUnits: [10, 20, 30, 40], shippingCost: [500, 600, 700, 800] },
        b: { reward: [1.3e6, 2.25e6, 1.8e6, 1.46e6], lostSalesUnits: [40, 52, 61, 70], contractFillRate: [0.9, 0.91, 0.92, 0.9], shippingCost: [500, 600, 700, 800] },
      },
      'a',
    );
    const r = recommend(s);
    expect(r.winner).toBe('b');
    expect(r.headline).toMatch(/^`b` is better than `a` on reward: \+\$277\.5 k per run \(95% interval \+\$[\d.]+ k to \+\$[\d.]+ k, 4 seeds, paired\)\.$/);
    expect(r.details).toContain(`Lost sales: ${formatNumber(30.75)} more lost units per run (56 units per run against 25).`);
    expect(r.details.find((d) => d.startsWith('Contract commitments:'))).toBe('Contract commitments: 90.8% filled against a target of 95.0%; `a` 90.0%; contract fill about the same.');
    expect(r.details).toContain('No cost line moved significantly.');
  });

  it('names the baseline when every challenger is significantly worse', () => {
    const s = summaryOf({ a: { reward: [100, 200, 150, 120] }, b: { reward: [90, 188, 141, 111] }, c: { reward: [80, 170, 130, 100] } }, 'a');
    const r = recommend(s);
    expect(r.winner).toBe('a');
    expect(r.headline).toMatch(/^`a` \(the baseline\) is better than every other strategy on reward: .* against the closest, `b`, \+\$10 per run/);
  });

  it('judges on the chosen objective', () => {
    const s = summaryOf({ a: { reward: [100, 200, 150, 120], fillRate: [0.9, 0.91, 0.9, 0.92] }, b: { reward: [100, 200, 150, 120], fillRate: [0.95, 0.96, 0.95, 0.97] } }, 'a');
    expect(recommend(s).winner).toBeNull();
    expect(recommend(s, { objective: 'fillRate' }).headline).toMatch(/^`b` is better than `a` on fill rate: \+5\.0 points per run/);
  });

  it('writes money one way', () => {
    expect([2_304_512, 13_040, 3_854.4, -1_200_000, 0].map((v) => formatMoney(v, 'USD'))).toEqual(['$2.30 M', '$13.0 k', '$3,854', '−$1.20 M', '$0']);
    expect(formatMoney(1500, 'CHF')).toBe('CHF 1,500');
    expect(formatNumber(1234567.4)).toBe('1,234,567');
  });
});
