import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { loadScenario } from '../../src/sim/scenario/load.js';
import { buildWorld, type World } from '../../src/sim/model/world.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import type { DecisionContext } from '../../src/sim/policies/contract.js';
import { InvalidArgumentError } from '../../src/serve/errors.js';
import { validateOrder, validateSnapshot } from '../../src/serve/validate.js';
import { SnapshotState } from '../../src/serve/snapshot-state.js';
import type { RecommendRequest } from '../../src/gen/allocation/v1/RecommendRequest.js';
import type { SegmentContract } from '../../src/gen/allocation/v1/SegmentContract.js';
import type { ContractPosition } from '../../src/gen/allocation/v1/ContractPosition.js';
import { defaultWorld, overTheWire, requestFromContext, simulatorContexts, startTestServer, type TestServer } from './helpers.js';

/**
 * The default scenario with a second contract segment: premium, on weekly periods
 * (so the two segments' periods end at different hours).
 */
function twoContractWorld(): World {
  const base = loadScenario('default').scenario;
  const segments = base.segments.map((g) =>
    g.id === 'premium' ? { ...g, contract: { periodDays: 7, committedUnitsPerPeriod: 3000, fillRateTarget: 0.9, shortfallPenaltyPerUnit: 10 } } : g,
  );
  return buildWorld({ ...base, segments });
}

/** The service's context for a request, through the wire encoding, validation and the snapshot state. */
function serviceContext(world: World, req: RecommendRequest): DecisionContext {
  const wire = overTheWire(req);
  const snap = validateSnapshot(world, wire.snapshot);
  const order = validateOrder(world, wire.order, 'order', snap.nowHours);
  const state = SnapshotState.open(world, snap, [order]);
  try {
    return state.context(order);
  } finally {
    state.close();
  }
}

/** A request for a `segment` order of one line, against `contracts`. */
function request(world: World, segment: string, nowHours: number, contracts?: SegmentContract[], contract?: ContractPosition): RecommendRequest {
  return {
    order: { id: 'o-1', customer: 'c', segment, shipTo: world.scenario.regions[0]!.id, createdHours: nowHours, lines: [{ sku: world.skus[0]!.id, quantity: 2, unitPrice: 50 }], contract },
    snapshot: { nowHours, stock: [{ warehouse: world.scenario.warehouses[0]!.id, sku: world.skus[0]!.id, available: 10 }], contracts },
  };
}

describe('every contract segment\'s standing in the service\'s contexts', () => {
  const world = twoContractWorld();

  it('equals the simulator\'s for the same state, for orders of every segment', () => {
    const ctxs = simulatorContexts(world, createRulePolicy('priority'), { seed: 11, days: 20, max: 200, every: 9 });
    expect(ctxs.length).toBe(200);
    const kinds = new Set<string>();
    let othersSeeOrdered = 0;
    let filled = 0;
    const hoursToEnd = new Set<number>();
    for (const ctx of ctxs) {
      // The simulator lists both contract segments, whatever the order's segment.
      expect(ctx.contracts!.map((p) => p.segment)).toEqual(['key-accounts', 'premium']);
      const got = serviceContext(world, requestFromContext(world, ctx));
      expect(got.contracts).toEqual(ctx.contracts);
      expect(got.order.contract).toEqual(ctx.order.contract);
      kinds.add(ctx.order.segmentKind);
      if (ctx.order.segmentKind === 'standard' && ctx.contracts!.some((p) => p.orderedUnits > 0)) othersSeeOrdered++;
      for (const p of ctx.contracts!) {
        if (p.filledUnits > 0) filled++;
        hoursToEnd.add(p.hoursToPeriodEnd);
      }
    }
    // The comparison covered orders outside the contract segments seeing contract volume,
    // filled units, and standings at many points of their periods.
    expect(kinds).toEqual(new Set(['contract', 'premium', 'standard']));
    expect(othersSeeOrdered).toBeGreaterThan(20);
    expect(filled).toBeGreaterThan(50);
    expect(hoursToEnd.size).toBeGreaterThan(20);
  });

  it('without snapshot.contracts (an older client), lists every contract segment with its defaults', () => {
    const ctx = serviceContext(world, request(world, 'standard', 200));
    expect(ctx.contracts).toEqual([
      { segment: 'key-accounts', committedUnits: 16000, orderedUnits: 0, filledUnits: 0, fillRateTarget: 0.95, shortfallPenaltyPerUnit: 25, hoursToPeriodEnd: 720 - 200 },
      { segment: 'premium', committedUnits: 3000, orderedUnits: 0, filledUnits: 0, fillRateTarget: 0.9, shortfallPenaltyPerUnit: 10, hoursToPeriodEnd: 168 - (200 % 168) },
    ]);
    expect(ctx.order.contract).toBeUndefined();
  });

  it("takes each segment's entry from snapshot.contracts; the order's own position wins field by field for its segment", () => {
    const contracts: SegmentContract[] = [
      { segment: 'premium', position: { orderedUnits: 7 } },
      { segment: 'key-accounts', position: { orderedUnits: 100, filledUnits: 80, hoursToPeriodEnd: 50 } },
    ];
    const mine = serviceContext(world, request(world, 'key-accounts', 30, contracts, { filledUnits: 90 }));
    const own = { committedUnits: 16000, orderedUnits: 100, filledUnits: 90, fillRateTarget: 0.95, shortfallPenaltyPerUnit: 25, hoursToPeriodEnd: 50 };
    expect(mine.order.contract).toEqual(own);
    expect(mine.contracts).toEqual([
      { segment: 'key-accounts', ...own },
      { segment: 'premium', committedUnits: 3000, orderedUnits: 7, filledUnits: 0, fillRateTarget: 0.9, shortfallPenaltyPerUnit: 10, hoursToPeriodEnd: 168 - 30 },
    ]);
    // A standard order of the same snapshot sees the snapshot's entries as given.
    const other = serviceContext(world, request(world, 'standard', 30, contracts));
    expect(other.contracts![0]).toEqual({ segment: 'key-accounts', committedUnits: 16000, orderedUnits: 100, filledUnits: 80, fillRateTarget: 0.95, shortfallPenaltyPerUnit: 25, hoursToPeriodEnd: 50 });
    // A segment listed without a position takes the defaults.
    const bare = serviceContext(world, request(world, 'standard', 30, [{ segment: 'premium' }]));
    expect(bare.contracts![1]).toMatchObject({ segment: 'premium', orderedUnits: 0, filledUnits: 0, hoursToPeriodEnd: 168 - 30 });
  });

  it("in a wave, a later order's standings count the units earlier orders were allocated, as a simulator wave does", () => {
    const req = request(world, 'key-accounts', 30, [{ segment: 'key-accounts', position: { orderedUnits: 100, filledUnits: 80 } }]);
    const wire = overTheWire(req);
    const snap = validateSnapshot(world, wire.snapshot);
    const first = validateOrder(world, wire.order, 'order', snap.nowHours);
    const second = validateOrder(world, { ...wire.order!, id: 'o-2', segment: 'standard' }, 'order', snap.nowHours);
    const third = validateOrder(world, { ...wire.order!, id: 'o-3', segment: 'premium' }, 'order', snap.nowHours);
    const rules = createRulePolicy('nearest');
    const state = SnapshotState.open(world, snap, [first, second, third]);
    try {
      const a = state.context(first);
      expect(a.contracts![0]!.filledUnits).toBe(80);
      const da = rules.decide(a);
      const placed = da.lines.flatMap((l) => l.allocations).reduce((n, x) => n + x.quantity, 0);
      expect(placed).toBe(2);
      state.take(first, da);
      const b = state.context(second);
      expect(b.contracts!.map((p) => [p.segment, p.filledUnits])).toEqual([['key-accounts', 82], ['premium', 0]]);
      const db = rules.decide(b);
      expect(db.lines[0]!.allocations.length).toBeGreaterThan(0);
      state.take(second, db);
      // A standard order's allocations count for no contract.
      const c = state.context(third);
      expect(c.contracts!.map((p) => [p.segment, p.filledUnits])).toEqual([['key-accounts', 82], ['premium', 0]]);
      expect(c.order.contract).toMatchObject({ filledUnits: 0, orderedUnits: 0 });
    } finally {
      state.close();
    }
    // A fresh request starts from its own standings again (the pooled state forgets the wave).
    expect(serviceContext(world, req).contracts![0]!.filledUnits).toBe(80);
  });

  const bad: [string, SegmentContract[], RegExp][] = [
    ['an unknown segment', [{ segment: 'nope' }], /^snapshot\.contracts\[0\]\.segment\(="nope"\) is not a segment of scenario/],
    ['a segment without contract terms', [{ segment: 'standard' }], /^snapshot\.contracts\[0\]\.segment\(="standard"\) has no contract terms/],
    ['an empty segment', [{ segment: '', position: { orderedUnits: 1 } }], /^snapshot\.contracts\[0\]\.segment\(=""\) is not a segment/],
    ['a repeated segment', [{ segment: 'premium' }, { segment: 'premium' }], /^snapshot\.contracts\[1\]\.segment\(="premium"\) is repeated/],
    ['negative ordered units', [{ segment: 'premium', position: { orderedUnits: -1 } }], /^snapshot\.contracts\[0\]\.position\.ordered_units\(=-1\) must be a whole number of units/],
    ['filled units beyond the limit', [{ segment: 'key-accounts', position: { filledUnits: 2 ** 40 } }], /^snapshot\.contracts\[0\]\.position\.filled_units\(=1099511627776\) must be a whole number of units/],
    ['NaN hours', [{ segment: 'key-accounts', position: { hoursToPeriodEnd: NaN } }], /^snapshot\.contracts\[0\]\.position\.hours_to_period_end\(=NaN\) must be a finite number of hours/],
    ['negative hours', [{ segment: 'premium' }, { segment: 'key-accounts', position: { hoursToPeriodEnd: -3 } }], /^snapshot\.contracts\[1\]\.position\.hours_to_period_end\(=-3\) must be a finite number of hours/],
    ['more entries than segments', Array.from({ length: 4 }, () => ({ segment: 'premium' })), /^snapshot\.contracts\(=4\) must have at most one entry per segment \(3\)/],
  ];
  for (const [title, contracts, re] of bad) {
    it(`rejects ${title}, naming the field and value`, () => {
      const wire = overTheWire(request(world, 'standard', 30, contracts));
      let err: unknown;
      try {
        validateSnapshot(world, wire.snapshot);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(re);
    });
  }
});

describe('snapshot.contracts over a real port', () => {
  const world = defaultWorld();
  const ctx = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 4, days: 6, max: 40 }).find((c) => c.order.segmentKind === 'standard')!;
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers a request with contracts, and one without (an older client)', async () => {
    const req = requestFromContext(world, ctx);
    expect(req.snapshot!.contracts).toHaveLength(1);
    expect((await s.api.recommend(req)).orderId).toBe(ctx.order.id);
    const old = structuredClone(req);
    delete old.snapshot!.contracts;
    expect((await s.api.recommend(old)).orderId).toBe(ctx.order.id);
    const batch = await s.api.recommendBatch({ orders: [req.order!], snapshot: old.snapshot });
    expect(batch.decisions).toHaveLength(1);
  });

  it('answers an invalid entry with INVALID_ARGUMENT naming the field, in Recommend and RecommendBatch', async () => {
    const req = requestFromContext(world, ctx);
    req.snapshot!.contracts = [{ segment: 'premium', position: { orderedUnits: 3 } }];
    const wanted = { code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/^snapshot\.contracts\[0\]\.segment\(="premium"\) has no contract terms/) };
    await expect(s.api.recommend(req)).rejects.toMatchObject(wanted);
    await expect(s.api.recommendBatch({ orders: [req.order!], snapshot: req.snapshot })).rejects.toMatchObject(wanted);
    // Still serving.
    expect((await s.api.recommend(requestFromContext(world, ctx))).orderId).toBe(ctx.order.id);
  });
});
