import { describe, expect, it } from 'vitest';
import {
  createRulePolicy,
  describeRules,
  parseWeights,
  RULE_NAMES,
  type Candidate,
  type DecisionContext,
  type SegmentKind,
} from '../../src/sim/policies/index.js';
import { runPolicyConformance } from './policy-conformance.js';

describe('rule strategies: conformance', () => {
  for (const name of RULE_NAMES) runPolicyConformance(name, () => createRulePolicy(name));
});

function cand(warehouse: string, available: number, distanceKm: number, costPerUnit: number, extra: Partial<Candidate> = {}): Candidate {
  return {
    warehouse,
    available,
    inbound: [],
    capacityLeftToday: 1000,
    shipDelayHours: 4,
    outage: false,
    inventoryAgeHours: 10,
    distanceKm,
    handlingCostPerUnit: 1,
    holdingCostPerUnitDay: 0.01,
    modes: [
      { mode: 'ground', transitHours: 30, costPerUnit, lateRisk: 0.01 },
      { mode: 'express', transitHours: 10, costPerUnit: costPerUnit * 3, lateRisk: 0.01 },
    ],
    ...extra,
  };
}

function ctx(kind: SegmentKind, quantity: number, candidates: Candidate[], line: Partial<DecisionContext['order']['lines'][number]> = {}): DecisionContext {
  return {
    nowHours: 100,
    hoursLeft: 1000,
    order: {
      id: 'O1',
      segment: kind,
      segmentKind: kind,
      serviceLevel: '',
      region: 'r',
      createdHours: 99,
      hoursWaited: 1,
      promiseHours: 120,
      patienceHours: 200,
      latePenaltyPerUnit: 1,
      lostSalePenaltyPerUnit: 1,
      lines: [
        {
          sku: 'A',
          quantity,
          unitPrice: 20,
          unitCost: 10,
          networkAvailable: candidates.reduce((a, c) => a + c.available, 0),
          networkInbound: 0,
          pendingUnits: { contract: 0, premium: 0, standard: quantity },
          forecastDailyUnits: { contract: 0, premium: 0, standard: 1 },
          candidates,
          ...line,
        },
      ],
    },
  };
}

describe('rule strategies: behaviour', () => {
  it('nearest takes the closest warehouse and splits to the next closest', () => {
    const d = createRulePolicy('nearest').decide(ctx('standard', 8, [cand('far', 50, 900, 1), cand('near', 5, 100, 9)]));
    expect(d.lines[0]!.allocations).toEqual([
      { warehouse: 'near', quantity: 5, mode: 'ground' },
      { warehouse: 'far', quantity: 3, mode: 'ground' },
    ]);
    const whole = createRulePolicy('nearest', { split: 0 }).decide(ctx('standard', 8, [cand('far', 50, 900, 1), cand('near', 5, 100, 9)]));
    expect(whole.lines[0]!.allocations).toEqual([{ warehouse: 'far', quantity: 8, mode: 'ground' }]);
  });

  it('cheapest takes the lowest landed cost, and express when the promise needs it', () => {
    const d = createRulePolicy('cheapest').decide(ctx('standard', 2, [cand('near', 9, 100, 5), cand('far', 9, 900, 2)]));
    expect(d.lines[0]!.allocations).toEqual([{ warehouse: 'far', quantity: 2, mode: 'ground' }]);
    const urgent = ctx('standard', 2, [cand('far', 9, 900, 2)]);
    urgent.order.promiseHours = 20;
    expect(createRulePolicy('cheapest').decide(urgent).lines[0]!.allocations[0]!.mode).toBe('express');
    const paid = ctx('premium', 1, [cand('far', 9, 900, 2)]);
    paid.order.serviceLevel = 'express';
    expect(createRulePolicy('cheapest').decide(paid).lines[0]!.allocations[0]!.mode).toBe('express');
  });

  it('priority ranks contract before premium before standard, then by margin', () => {
    const p = createRulePolicy('priority');
    const view = (segmentKind: SegmentKind, marginAtStake: number) => ({ id: 'x', segmentKind, createdHours: 0, marginAtStake, unitsRemaining: 1 });
    expect(p.rank!(view('contract', 1))).toBeLessThan(p.rank!(view('premium', 1e6)));
    expect(p.rank!(view('premium', 1))).toBeLessThan(p.rank!(view('standard', 1e6)));
    expect(p.rank!(view('standard', 500))).toBeLessThan(p.rank!(view('standard', 5)));
  });

  it('fair-share rations scarce stock in proportion to demand', () => {
    // 10 units for 40 waiting (this order 8): the order gets 8 × 10/40 = 2.
    const c = ctx('standard', 8, [cand('w', 10, 100, 1)], { pendingUnits: { contract: 10, premium: 10, standard: 20 } });
    expect(createRulePolicy('fair-share').decide(c).lines[0]!.allocations[0]!.quantity).toBe(2);
    // Contract weighted 3×: weighted demand 30 + 10 + 20 = 60; a contract order of 8 gets 8 × 10 × 3/60 = 4.
    const k = ctx('contract', 8, [cand('w', 10, 100, 1)], { pendingUnits: { contract: 10, premium: 10, standard: 20 } });
    expect(createRulePolicy('fair-share', { contract: 3 }).decide(k).lines[0]!.allocations[0]!.quantity).toBe(4);
    // Plenty: no rationing.
    const plenty = ctx('standard', 8, [cand('w', 100, 100, 1)]);
    expect(createRulePolicy('fair-share').decide(plenty).lines[0]!.allocations[0]!.quantity).toBe(8);
  });

  it('reserve holds protected stock back from standard orders but not from contract orders', () => {
    const line = { forecastDailyUnits: { contract: 2, premium: 0, standard: 1 }, pendingUnits: { contract: 0, premium: 0, standard: 8 } };
    // protect = 7 days × 2 = 14 of 20 available: a standard order gets 6 of its 8.
    const std = createRulePolicy('reserve').decide(ctx('standard', 8, [cand('w', 20, 100, 1)], line));
    expect(std.lines[0]!.allocations[0]!.quantity).toBe(6);
    expect(std.lines[0]!.backordered).toBe(2);
    const ct = createRulePolicy('reserve').decide(ctx('contract', 8, [cand('w', 20, 100, 1)], line));
    expect(ct.lines[0]!.allocations[0]!.quantity).toBe(8);
    const prem = createRulePolicy('reserve', { premiumAccess: 0.5 }).decide(ctx('premium', 8, [cand('w', 20, 100, 1)], line));
    expect(prem.lines[0]!.allocations[0]!.quantity).toBe(8); // may use half the protection: 20 − 7 = 13
  });

  it('rejects unknown strategies and bad weights with the value named', () => {
    expect(() => createRulePolicy('teleport')).toThrow(/unknown strategy "teleport"/);
    expect(() => createRulePolicy('reserve', { protectDayz: 3 })).toThrow(/unknown weight "protectDayz"/);
    expect(() => createRulePolicy('reserve', { protectDays: -3 })).toThrow(/protectDays\(=-3\) must be a finite number >= 0/);
    expect(() => parseWeights('a=1,b')).toThrow(/"b" must look like name=number/);
    expect(parseWeights('protectDays=10, premiumAccess=0.5')).toEqual({ protectDays: 10, premiumAccess: 0.5 });
    expect(describeRules().map((r) => r.name)).toEqual([...RULE_NAMES]);
  });
});
