import { describe, expect, it } from 'vitest';
import { formatParser, OUTPUT_FORMATS, parseSeeds } from '../../src/cli/options.js';
import { checkHorizon, runEstimate } from '../../src/cli/limits.js';
import { isLoopback } from '../../src/cli/serve.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';

describe('parseSeeds: one seed syntax for every command', () => {
  it('reads a count, a range and a list', () => {
    expect(parseSeeds('5')).toEqual([0, 1, 2, 3, 4]);
    expect(parseSeeds('9001..9005')).toEqual([9001, 9002, 9003, 9004, 9005]);
    expect(parseSeeds('7..7')).toEqual([7]);
    expect(parseSeeds('1,4,7')).toEqual([1, 4, 7]);
    expect(parseSeeds(' 9001 , 3..5 ,12')).toEqual([9001, 3, 4, 5, 12]);
  });

  it('rejects anything else with one line naming the option and value', () => {
    for (const bad of ['', 'abc', '-3', '5..2', '1,,2', '1,1', '1.5', '3..x', '0', '1,2..']) {
      expect(() => parseSeeds(bad, '--seeds')).toThrow(new RegExp(`^--seeds\\(=${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) `));
    }
    expect(() => parseSeeds('1', '--seeds', 2)).toThrow(/at least 2 needed/);
    expect(() => parseSeeds('0..100000')).toThrow(/more than 100,000 seeds/);
  });
});

describe('--format', () => {
  it('accepts table, json and csv only', () => {
    const parse = formatParser(OUTPUT_FORMATS);
    for (const f of OUTPUT_FORMATS) expect(parse(f)).toBe(f);
    expect(() => parse('xml')).toThrow('--format(=xml) must be table, json or csv');
    expect(() => parse('JSON')).toThrow(/must be table, json or csv/);
  });
});

describe('horizon limit', () => {
  const world = buildWorld(loadScenario('default').scenario);

  it('estimates a ledger that grows with the horizon and the order rate', () => {
    const a = runEstimate(world, 90);
    const b = runEstimate(world, 900);
    expect(b.entries).toBeGreaterThan(9 * a.entries);
    // The engine writes nine to twelve entries an order; default has 420 orders a day.
    expect(a.entries).toBeGreaterThan(90 * 420 * 9);
  });

  it('refuses a horizon over the memory limit with the longest that fits, and accepts the shipped ones', () => {
    expect(() => checkHorizon(world, 90, { maxMemoryMb: 2048 })).not.toThrow();
    const large = buildWorld(loadScenario('network-large').scenario);
    expect(() => checkHorizon(large, large.scenario.horizonDays, { maxMemoryMb: 2048 })).not.toThrow();
    let message = '';
    try {
      checkHorizon(world, 100_000, { maxMemoryMb: 2048 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^--days\(=100000\) needs about [\d,]+ MB .* over the --max-memory limit of 2,048 MB; at most ([\d,]+) days fit$/);
    const fit = Number(/at most ([\d,]+) days/.exec(message)![1]!.replace(/,/g, ''));
    expect(() => checkHorizon(world, fit, { maxMemoryMb: 2048 })).not.toThrow();
    expect(() => checkHorizon(world, fit + 1, { maxMemoryMb: 2048 })).toThrow();
    // Four runs at once fit a quarter of the horizon, roughly.
    expect(() => checkHorizon(world, fit, { maxMemoryMb: 2048, runs: 4, workers: 4 })).toThrow(/4 runs at once/);
  });
});

describe('serve --host', () => {
  it('tells loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1']) expect(isLoopback(h)).toBe(false);
  });
});
