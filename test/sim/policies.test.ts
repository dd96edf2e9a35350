import { describe, expect, it } from 'vitest';
import {
  createRulePolicy,
  describeRules,
  parseWeights,
  RULE_NAMES,
  TakenStock,
  validateDecision,
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

describe('an order with two lines of one SKU (issue 12 item 2)', () => {
  /** Two lines of SKU A, 10 units each, against 6 + 6 units in two warehouses. */
  function repeated(kind: SegmentKind): DecisionContext {
    const c = ctx(kind, 10, [cand('near', 6, 100, 1), cand('far', 6, 900, 2)], { pendingUnits: { contract: 0, premium: 0, standard: 20 } });
    const line = c.order.lines[0]!;
    return { ...c, order: { ...c.order, lines: [line, { ...line }] } };
  }

  it('every rule allocates each warehouse at most once across the lines', () => {
    for (const name of RULE_NAMES) {
      const c = repeated('standard');
      const d = createRulePolicy(name).decide(c);
      validateDecision(c, d);
      const at = new Map<string, number>();
      for (const l of d.lines) for (const a of l.allocations) at.set(a.warehouse, (at.get(a.warehouse) ?? 0) + a.quantity);
      expect(at.get('near') ?? 0, name).toBeLessThanOrEqual(6);
      expect(at.get('far') ?? 0, name).toBeLessThanOrEqual(6);
      // The rules without rationing place all 12 units: the second line gets what the first left.
      if (name !== 'fair-share' && name !== 'reserve') expect((at.get('near') ?? 0) + (at.get('far') ?? 0), name).toBe(12);
    }
  });

  it('whole-line rules fall back to what is left, not to a warehouse already emptied', () => {
    const c = repeated('standard');
    const d = createRulePolicy('nearest', { split: 0 }).decide(c);
    expect(d.lines[0]!.allocations).toEqual([{ warehouse: 'near', quantity: 6, mode: 'ground' }]);
    expect(d.lines[1]!.allocations).toEqual([{ warehouse: 'far', quantity: 6, mode: 'ground' }]);
    validateDecision(c, d);
  });

  it('validateDecision counts a warehouse × SKU over every line (the simulator and the service check decisions with it)', () => {
    const c = repeated('standard');
    const ground = (warehouse: string, quantity: number) => ({ warehouse, quantity, mode: 'ground' });
    const twice = { lines: [{ allocations: [ground('near', 6)], backordered: 4 }, { allocations: [ground('near', 6)], backordered: 4 }] };
    expect(() => validateDecision(c, twice)).toThrow(/order O1 line 0 allocation 0: quantity\(=12 across the lines of sku A\) exceeds available\(=6\) at near/);
    validateDecision(c, { lines: [{ allocations: [ground('near', 6)], backordered: 4 }, { allocations: [ground('far', 6)], backordered: 4 }] });
  });
});

describe('TakenStock', () => {
  it('tracks units taken per SKU × warehouse and what a candidate still offers', () => {
    const t = new TakenStock();
    const c = ctx('standard', 10, [cand('near', 6, 100, 1), cand('far', 6, 900, 2)]);
    const line = c.order.lines[0]!;
    expect(t.left(line, line.candidates[0]!)).toBe(6);
    t.take('A', 'near', 4);
    t.take('A', 'near', 1);
    t.take('B', 'far', 3);
    expect(t.at('A', 'near')).toBe(5);
    expect(t.left(line, line.candidates[0]!)).toBe(1);
    expect(t.left(line, line.candidates[1]!)).toBe(6);
    expect(t.networkLeft(line)).toBe(7);
    t.clear();
    expect(t.left(line, line.candidates[0]!)).toBe(6);
  });
});
