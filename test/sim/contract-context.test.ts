import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { simulate } from '../../src/sim/engine.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import type { DecisionContext, Policy, SegmentContractPosition } from '../../src/sim/policies/contract.js';
import { encodeStep, CONTEXT_FEATURES } from '../../src/agent/features/encoder.js';

interface Seen {
  now: number;
  kind: string;
  segment: string;
  own?: { orderedUnits: number; filledUnits: number; hoursToPeriodEnd: number };
  contracts: SegmentContractPosition[];
}

/** fair-share, recording a copy of what every context says about the contracts. */
function recording(seen: Seen[]): Policy {
  const inner = createRulePolicy('fair-share');
  return {
    name: 'recording',
    decide(ctx: DecisionContext) {
      const o = ctx.order;
      seen.push({
        now: ctx.nowHours,
        kind: o.segmentKind,
        segment: o.segment,
        own: o.contract && { orderedUnits: o.contract.orderedUnits, filledUnits: o.contract.filledUnits, hoursToPeriodEnd: o.contract.hoursToPeriodEnd },
        contracts: (ctx.contracts ?? []).map((c) => ({ ...c })),
      });
      return inner.decide(ctx);
    },
  };
}

describe('every order sees every contract segment\'s standing', () => {
  const world = buildWorld(loadScenario('drug-shortage').scenario);
  const contractSegments = world.scenario.segments.filter((g) => g.contract).map((g) => g.id);
  const seen: Seen[] = [];
  simulate(world, recording(seen), { seed: 3, days: 40 });

  it('lists each contract segment once, in every context, whatever the order\'s segment', () => {
    expect(contractSegments.length).toBeGreaterThan(0);
    expect(seen.some((s) => s.kind !== 'contract')).toBe(true);
    for (const s of seen) expect(s.contracts.map((c) => c.segment)).toEqual(contractSegments);
  });

  it('agrees with a contract order\'s own position at the same moment', () => {
    const own = seen.filter((s) => s.own);
    expect(own.length).toBeGreaterThan(0);
    for (const s of own) {
      const c = s.contracts.find((x) => x.segment === s.segment)!;
      expect({ orderedUnits: c.orderedUnits, filledUnits: c.filledUnits, hoursToPeriodEnd: c.hoursToPeriodEnd }).toEqual(s.own);
    }
  });

  it('moves with the run: non-contract orders see units filled, and a period\'s counters only grow', () => {
    expect(seen.some((s) => s.kind !== 'contract' && s.contracts.some((c) => c.filledUnits > 0))).toBe(true);
    const last = new Map<string, SegmentContractPosition>();
    let resets = 0;
    for (const s of seen) {
      for (const c of s.contracts) {
        const prev = last.get(c.segment);
        if (prev && c.hoursToPeriodEnd <= prev.hoursToPeriodEnd) {
          expect(c.orderedUnits).toBeGreaterThanOrEqual(prev.orderedUnits);
          expect(c.filledUnits).toBeGreaterThanOrEqual(prev.filledUnits);
        } else if (prev) resets++;
        last.set(c.segment, c);
      }
    }
    // 40 days cross one 30-day period end per contract segment.
    expect(resets).toBe(contractSegments.length);
  });
});

describe('contract pressure features', () => {
  const world = buildWorld(loadScenario('electronics-launch').scenario);
  let ctx: DecisionContext | undefined;
  const grab: Policy = {
    name: 'grab',
    decide(c: DecisionContext) {
      const inner = createRulePolicy('fair-share').decide(c);
      if (!ctx && c.order.segmentKind !== 'contract' && c.order.lines[0]!.candidates.length > 0) ctx = structuredClone(c);
      return inner;
    },
  };
  simulate(world, grab, { seed: 1, days: 10 });
  const at = (name: string) => CONTEXT_FEATURES.indexOf(name as (typeof CONTEXT_FEATURES)[number]);

  it('a non-contract order reads how far a contract is behind; none without contract standings', () => {
    expect(ctx).toBeDefined();
    const c = ctx!;
    const behind: DecisionContext = {
      ...c,
      contracts: [{ segment: 'x', committedUnits: 1000, orderedUnits: 800, filledUnits: 500, fillRateTarget: 0.95, shortfallPenaltyPerUnit: 1, hoursToPeriodEnd: 360 }],
    };
    const x = encodeStep(behind, 0, [], c.order.lines[0]!.quantity).context;
    // need = ⌈0.95 × 800⌉ − 500 = 260 of a 1000 commitment, half a period left.
    expect(x[at('contracts_need_frac')]).toBeCloseTo(0.26, 6);
    expect(x[at('contracts_period_left')]).toBeCloseTo(0.5, 6);
    expect(x[at('contracts_need_cover')]).toBeGreaterThan(0);
    const none = encodeStep({ ...c, contracts: [] }, 0, [], c.order.lines[0]!.quantity).context;
    for (const f of ['contracts_need_frac', 'contracts_period_left', 'contracts_need_cover']) expect(none[at(f)]).toBe(0);
  });
});
