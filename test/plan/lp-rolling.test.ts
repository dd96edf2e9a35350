import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/report/harness.js';
import { parseLpRollingOptions } from '../../src/plan/lp-rolling.js';
import { resolvePolicy } from '../../src/report/strategies.js';

describe('lp-rolling', () => {
  it('lands between the best rule and the oracle on electronics-launch', async () => {
    // 30 days: the launch, the first two tranches of phones and the outage.
    const res = await runBenchmark({
      scenario: 'electronics-launch',
      strategies: ['nearest', 'cheapest', 'priority', 'fair-share', 'reserve', 'lp-rolling', 'oracle'],
      seeds: [0],
      days: 30,
      workers: 0,
    });
    const reward = (s: string) => res.records.find((r) => r.strategy === s)!.kpis!.reward;
    const bestRule = Math.max(...['nearest', 'cheapest', 'priority', 'fair-share', 'reserve'].map(reward));
    const oracle = res.records.find((r) => r.oracle)!.oracle!.reward;
    expect(reward('lp-rolling')).toBeGreaterThan(bestRule);
    expect(reward('lp-rolling')).toBeLessThan(oracle);
  });

  it('rejects bad settings naming the value', async () => {
    await expect(resolvePolicy('lp-rolling:window=0', { scenario: 'default' })).rejects.toMatchObject({ name: 'PolicyConfigError', message: expect.stringContaining('window(=0)') });
    expect((await resolvePolicy('lp-rolling:window=3', { scenario: 'default' })).name).toBe('lp-rolling');
    expect(parseLpRollingOptions('window=3,weight=0.5')).toEqual({ windowDays: 3, forecastWeight: 0.5 });
    expect(() => parseLpRollingOptions('window=-1')).toThrow(/window\(=-1\)/);
    expect(() => parseLpRollingOptions('weight=2')).toThrow(/weight\(=2\)/);
    expect(() => parseLpRollingOptions('horizon=2')).toThrow(/"horizon=2"/);
  });
});
