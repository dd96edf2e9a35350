import { describe, expect, it } from 'vitest';
import { directionOf, interval, pairedDifference, tQuantile975 } from '../../src/report/stats.js';

describe('statistics', () => {
  it('gives mean, sample sd and a Student-t 95% interval', () => {
    const iv = interval([1, 2, 3, 4, 5]);
    expect(iv.mean).toBe(3);
    expect(iv.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    // t(0.975, 4) = 2.776
    expect(iv.hi - iv.mean).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
    expect(interval([7])).toMatchObject({ n: 1, mean: 7, lo: 7, hi: 7 });
  });

  it('has t quantiles that fall towards the normal one', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(31)).toBeLessThan(2.042);
    expect(tQuantile975(31)).toBeGreaterThan(2.03);
    expect(tQuantile975(1e6)).toBeCloseTo(1.96, 2);
  });

  it('calls a paired difference only when its interval excludes zero, in the KPI direction', () => {
    const base = [10, 20, 30, 40];
    expect(pairedDifference([11, 21, 31, 41.5], base, 'higher').verdict).toBe('better');
    expect(pairedDifference([11, 21, 31, 41.5], base, 'lower').verdict).toBe('worse');
    expect(pairedDifference([11, 19, 31, 39], base, 'higher').verdict).toBe('no difference');
    expect(pairedDifference([11, 21, 31, 41], base, 'neutral').verdict).toBe('no difference');
    expect(() => pairedDifference([1], [1, 2], 'higher')).toThrow(/differ in length/);
    expect(directionOf('reward')).toBe('higher');
    expect(directionOf('penalties')).toBe('lower');
  });
});
