import { describe, expect, it } from 'vitest';
import { scarceContractWorld } from './fixtures.js';
import { drawDemand } from '../../src/plan/demand.js';
import { solveOracle } from '../../src/plan/oracle.js';
import { createLpRollingPolicy } from '../../src/plan/lp-rolling.js';
import { simulate } from '../../src/sim/engine.js';
import { computeKpis } from '../../src/sim/kpis.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, parseContractMode, scenarioFromYaml, scenariosDir } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';

/** Units the contract segment (index 0) and the premium segment (1) order on a seed. */
function unitsBySegment(seed: number, days = 10): [number, number] {
  const d = drawDemand(scarceContractWorld({ supply: 0 }), seed, days);
  const out: [number, number] = [0, 0];
  for (let i = 0; i < d.count; i++) out[d.segment[i] as 0 | 1] += d.qty[i]!;
  return out;
}

describe('contract mode of a scenario', () => {
  it('defaults to hard, and a load may override it (the hash follows what runs)', () => {
    const hard = loadScenario('default');
    expect(hard.scenario.contracts).toBe('hard');
    const soft = loadScenario('default', { contracts: 'soft' });
    expect(soft.scenario.contracts).toBe('soft');
    expect(soft.hash).not.toBe(hard.hash);
    expect(() => parseContractMode('firm')).toThrow('contracts(=firm) must be hard or soft');
    const text = readFileSync(join(scenariosDir(), 'default.yaml'), 'utf8');
    expect(() => scenarioFromYaml(`${text}\ncontracts: firm\n`, 'x.yaml')).toThrow(/^x\.yaml: contracts: .*\(got "firm"\)/);
    expect(scenarioFromYaml(`${text}\ncontracts: soft\n`).scenario.contracts).toBe('soft');
  });
});

describe('hindsight oracle with contracts', () => {
  it('soft trades the contract for margin, hard meets it; duals match the hand-computed unit values', async () => {
    // 120 units for ~100 contract and ~110 premium units: a premium unit earns 100, a contract unit 20
    // plus the 10 shortfall penalty it avoids. Soft: premium first; hard: the 90% commitment first.
    const [contract, premium] = unitsBySegment(1);
    expect(premium).toBeGreaterThan(100);
    expect(contract).toBeGreaterThan(60);
    const supply = 120;
    const soft = await solveOracle(scarceContractWorld({ supply }), { seed: 1, contracts: 'soft', details: true });
    const hard = await solveOracle(scarceContractWorld({ supply }), { seed: 1, details: true });
    expect(hard.contracts).toBe('hard'); // the scenario's default
    expect(soft.contractsFeasible).toBeNull();
    expect(hard.contractsFeasible).toBe(true);
    // Soft leaves the contract short; hard fills every period to its requirement.
    expect(soft.contractShortfall.reduce((a, p) => a + p.shortUnits, 0)).toBeGreaterThan(20);
    expect(soft.contractPeriodsMissed).toBeGreaterThan(0);
    for (const p of hard.contractShortfall) {
      expect(p.requiredUnits).toBe(Math.ceil(0.9 * p.orderedUnits - 1e-9));
      expect(p.filledUnits).toBeGreaterThanOrEqual(p.requiredUnits - 1e-6);
      expect(p.shortUnits).toBe(0);
    }
    expect(hard.contractPeriodsMissed).toBe(0);
    expect(hard.contractCommitmentFillRate).toBeGreaterThanOrEqual(0.9);
    // Meeting the commitment costs margin: hard's bound is lower.
    expect(hard.reward).toBeLessThan(soft.reward - 100);
    // Duals, by hand. Soft: the marginal unit goes to the contract (20 + 10 penalty avoided), and one
    // more unit of commitment costs its penalty (10). Hard: the marginal unit is a premium one (100),
    // and one more contract unit displaces a premium unit: 100 − 20 = 80.
    expect(soft.details!.bidPrice(0, 0, 0)).toBeCloseTo(30, 6);
    expect(soft.details!.contractPrice(0, 10)).toBeCloseTo(10, 6);
    expect(hard.details!.bidPrice(0, 0, 0)).toBeCloseTo(100, 6);
    for (const p of hard.details!.contractPrices) expect(p.price).toBeCloseTo(80, 6);
    expect(hard.details!.contractPrice(1, 10)).toBe(0); // the premium segment has no contract
    expect(hard.details!.supplyRows.some((r) => r.dual > 0)).toBe(true);
  });

  it('reports the least shortfall when supply cannot meet the commitments, then maximises the reward', async () => {
    const [contract] = unitsBySegment(1);
    const supply = 40;
    expect(contract * 0.9).toBeGreaterThan(supply + 20);
    const o = await solveOracle(scarceContractWorld({ supply }), { seed: 1, details: true });
    expect(o.contractsFeasible).toBe(false);
    const required = o.contractShortfall.reduce((a, p) => a + p.requiredUnits, 0);
    const short = o.contractShortfall.reduce((a, p) => a + p.shortUnits, 0);
    // Every unit goes to the contract (it arrives in time for either period), so the least shortfall is
    // what is required less the supply; the reward is then those 40 contract units less the penalty.
    expect(short).toBeCloseTo(required - supply, 4);
    expect(o.servedUnits).toBeCloseTo(supply, 4);
    expect(o.reward).toBeCloseTo(20 * supply - 10 * (required - supply), 3);
    // The plan per order: every served unit is a contract order's, no order gets more than it asked.
    const d = drawDemand(scarceContractWorld({ supply }), 1, 10);
    const det = o.details!;
    expect(det.allocations.count).toBeGreaterThan(0);
    const bySegment = [0, 0];
    for (let n = 0; n < det.allocations.count; n++) {
      const i = det.allocations.order[n]!;
      expect(det.allocations.hour[n]).toBeGreaterThanOrEqual(d.time[i]!);
      bySegment[d.segment[i]!]! += det.allocations.units[n]!;
    }
    expect(bySegment[0]).toBeCloseTo(supply, 4);
    expect(bySegment[1]).toBeLessThan(1e-4); // LP round-off at most
    for (let i = 0; i < d.count; i++) expect(det.servedByOrder[i]).toBeLessThanOrEqual(d.qty[i]! + 1e-9);
  });
});

describe('lp-rolling with contracts', () => {
  it('meets the contract targets whenever supply allows, where the soft version misses them', async () => {
    // 40 units now, 60 more on day 5: enough for both periods' commitments (the oracle says so), not
    // for premium demand as well.
    let softMissed = 0;
    for (const seed of [1, 2, 3]) {
      const world = scarceContractWorld({ supply: 40, later: 60 });
      const oracle = await solveOracle(world, { seed });
      expect(oracle.contractsFeasible).toBe(true);
      const hard = computeKpis(simulate(world, await createLpRollingPolicy(world), { seed })).kpis;
      const soft = computeKpis(simulate(world, await createLpRollingPolicy(world, { contracts: 'soft' }), { seed })).kpis;
      expect(hard.contractPeriods).toBe(2);
      expect(hard.contractPeriodsMissed, `seed ${seed}`).toBe(0);
      expect(hard.contractShortfallUnits).toBe(0);
      softMissed += soft.contractPeriodsMissed;
      // A strategy that meets the commitments is bounded by the hard oracle.
      expect(hard.reward).toBeLessThanOrEqual(oracle.reward + 1e-6);
    }
    expect(softMissed).toBeGreaterThan(0);
  });
});

describe('a plan to follow: contract credit where the plan allocates', () => {
  // electronics-launch: accessory orders of the contract segment still waiting at a period's first wave
  // may, in the bound, be credited to either period; a plan that counts on that can leave a period short
  // when it is followed. With `creditAsPlanned` each period's commitment is met by what the plan allocates
  // within it.
  const world = buildWorld(loadScenario('electronics-launch').scenario);
  const g = world.scenario.segments.findIndex((s) => s.contract);
  const ct = world.scenario.segments[g]!.contract!;
  const P = ct.periodDays * 24;
  /** Period k covers hours (start, end], as the simulator closes it at a day's end. */
  const periodOf = (h: number, n: number) => Math.min(n - 1, Math.max(0, Math.ceil(h / P - 1e-9) - 1));
  /** Per period: units the plan allocates to the contract segment, and the units the commitment requires. */
  async function creditByPeriod(seed: number, creditAsPlanned: boolean): Promise<{ credited: number[]; required: number[] }> {
    const demand = drawDemand(world, seed, world.scenario.horizonDays);
    const o = await solveOracle(world, { seed, demand, details: true, creditAsPlanned });
    const n = Math.ceil(world.scenario.horizonDays / ct.periodDays);
    const ordered = new Array<number>(n).fill(0);
    const credited = new Array<number>(n).fill(0);
    for (let i = 0; i < demand.count; i++) if (demand.segment[i] === g) ordered[periodOf(demand.time[i]!, n)] += demand.qty[i]!;
    const a = o.details!.allocations;
    for (let j = 0; j < a.count; j++) {
      if (demand.segment[a.order[j]!] !== g) continue;
      credited[periodOf(a.hour[j]!, n)] += a.units[j]!;
    }
    return { credited, required: ordered.map((u) => Math.ceil(ct.fillRateTarget * Math.min(u, ct.committedUnitsPerPeriod) - 1e-9)) };
  }

  it('meets every period where it allocates; the relaxed bound does not always', async () => {
    let relaxedShort = 0;
    for (const seed of [9002, 9005]) {
      const exact = await creditByPeriod(seed, true);
      exact.required.forEach((r, k) => expect(exact.credited[k]!).toBeGreaterThanOrEqual(r - 1e-6));
      const relaxed = await creditByPeriod(seed, false);
      relaxedShort += relaxed.required.filter((r, k) => relaxed.credited[k]! < r - 1e-6).length;
    }
    expect(relaxedShort).toBeGreaterThan(0);
  }, 60_000);
});
