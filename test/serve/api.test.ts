import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { RandomStreams } from '../../src/sim/kernel/random.js';
import type { Order } from '../../src/gen/allocation/v1/Order.js';
import type { StockLevel } from '../../src/gen/allocation/v1/StockLevel.js';
import { adminMetadata } from '../../src/serve/client.js';
import Database from 'better-sqlite3';
import { readDecisions } from '../../src/serve/audit-read.js';
import { loadAllocationProto } from '../../src/serve/proto.js';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, tempDir, type TestServer } from './helpers.js';
import { fakeProvider, writeFakeModel } from './fakes.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';

const world = defaultWorld();
const S = world.scenario;

/** A wave of random orders against scarce stock. */
function wave(seed: number, n: number): { orders: Order[]; stock: StockLevel[] } {
  const rng = new RandomStreams(seed).get('wave');
  const skus = world.skus.slice(0, 4).map((k) => k.id);
  const orders: Order[] = Array.from({ length: n }, (_, i) => {
    const seg = S.segments[Math.floor(rng.uniform() * S.segments.length)]!;
    return {
      id: `W${i}`,
      segment: seg.id,
      shipTo: S.regions[Math.floor(rng.uniform() * S.regions.length)]!.id,
      createdHours: Math.floor(rng.uniform() * 10),
      lines: [{ sku: skus[Math.floor(rng.uniform() * skus.length)]!, quantity: 1 + Math.floor(rng.uniform() * 8), unitPrice: 50 }],
    };
  });
  const stock: StockLevel[] = [];
  for (const w of S.warehouses) for (const k of skus) stock.push({ warehouse: w.id, sku: k, available: Math.floor(rng.uniform() * 30) });
  return { orders, stock };
}

describe('RecommendBatch', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ fallback: 'priority' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('never allocates more than the snapshot holds, across the wave', async () => {
    for (const seed of [1, 2, 3]) {
      const { orders, stock } = wave(seed, 300);
      const res = await s.api.recommendBatch({ orders, snapshot: { nowHours: 12, stock } });
      expect(res.decisions.map((d) => d.orderId)).toEqual(orders.map((o) => o.id));
      const used = new Map<string, number>();
      let placed = 0;
      res.decisions.forEach((d, i) => {
        const l = d.lines[0]!;
        let q = l.backordered;
        for (const a of l.allocations) {
          const key = `${a.warehouse}/${l.sku}`;
          used.set(key, (used.get(key) ?? 0) + a.quantity);
          q += a.quantity;
          placed += a.quantity;
        }
        expect(q).toBe(orders[i]!.lines![0]!.quantity);
      });
      for (const st of stock) expect(used.get(`${st.warehouse}/${st.sku}`) ?? 0).toBeLessThanOrEqual(Number(st.available));
      // Scarce stock: much of it is used, some orders wait.
      expect(placed).toBeGreaterThan(0);
      expect(res.decisions.some((d) => d.lines[0]!.backordered > 0)).toBe(true);
      // With the priority rules, contract orders are served first.
      const contract = new Set(orders.filter((o) => o.segment === 'key-accounts').map((o) => o.id));
      const filled = (ids: (d: (typeof res.decisions)[number]) => boolean) => {
        const ds = res.decisions.filter(ids);
        return ds.reduce((a, d) => a + d.lines[0]!.allocations.reduce((x, y) => x + Number(y.quantity), 0), 0) / Math.max(1, ds.reduce((a, d) => a + d.lines[0]!.allocations.reduce((x, y) => x + Number(y.quantity), 0) + Number(d.lines[0]!.backordered), 0));
      };
      expect(filled((d) => contract.has(d.orderId))).toBeGreaterThanOrEqual(filled((d) => !contract.has(d.orderId)));
    }
  });

  it('rejects duplicate order ids and empty waves, naming the field', async () => {
    const { orders, stock } = wave(4, 3);
    orders[2]!.id = orders[0]!.id;
    await expect(s.api.recommendBatch({ orders, snapshot: { nowHours: 12, stock } })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^orders\[2\]\.id\(="W0"\) repeats/),
    });
    await expect(s.api.recommendBatch({ orders: [], snapshot: { nowHours: 12, stock } })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});

describe('validation messages name the field and value', () => {
  let s: TestServer;
  const base = requestFromContext(world, simulatorContexts(world, createRulePolicy('cheapest'), { seed: 2, days: 3, max: 1 })[0]!);
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });
  const cases: [string, (r: typeof base) => void, RegExp][] = [
    ['unknown sku', (r) => (r.order!.lines![0]!.sku = 'NOPE'), /^order\.lines\[0\]\.sku\(="NOPE"\) is not a SKU/],
    ['negative quantity', (r) => (r.order!.lines![0]!.quantity = -3), /^order\.lines\[0\]\.quantity\(=-3\) must be a whole number/],
    ['NaN price', (r) => (r.order!.lines![0]!.unitPrice = NaN), /^order\.lines\[0\]\.unit_price\(=NaN\) must be a finite price/],
    ['unknown warehouse', (r) => (r.snapshot!.stock![0]!.warehouse = 'atlantis'), /^snapshot\.stock\[0\]\.warehouse\(="atlantis"\) is not a warehouse/],
    ['unknown region', (r) => (r.order!.shipTo = 'mars'), /^order\.ship_to\(="mars"\) is not a region/],
    ['missing order', (r) => (r.order = null), /^order is required/],
    ['order from the future', (r) => (r.order!.createdHours = 1e6), /^order\.created_hours\(=1000000\) must not be after/],
  ];
  for (const [title, change, re] of cases) {
    it(title, async () => {
      const r = structuredClone(base);
      change(r);
      await expect(s.api.recommend(r)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(re) });
    });
  }
});

describe('admin calls, shadow mode and exploration', () => {
  const ctxs = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 9, days: 8, max: 60, every: 3 });
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('admin calls need the bearer token; policy names cannot escape the registry', async () => {
    const root = tempDir('allocsim-models-');
    writeFakeModel(root, 'm', 'v1', { behaviour: 'good' });
    const s = await startTestServer({ policy: join(root, 'm'), provider: fakeProvider(root), adminToken: 'sesame', chain: { modelBudgetMs: 10_000 } });
    servers.push(s);
    await expect(s.api.reload()).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(s.api.activatePolicy({ name: 'cheapest' }, { metadata: adminMetadata('wrong') })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    for (const name of ['../m', '..', '/etc', 'm/../../x', '']) {
      await expect(s.api.activatePolicy({ name }, { metadata: adminMetadata('sesame') })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    }
    await expect(s.api.activatePolicy({ name: 'm', version: '../../v1' }, { metadata: adminMetadata('sesame') })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(s.api.activatePolicy({ name: 'm', version: 'v9' }, { metadata: adminMetadata('sesame') })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    // Rules on, then the model back.
    const r1 = await s.api.activatePolicy({ name: 'nearest' }, { metadata: adminMetadata('sesame') });
    expect(r1.active).toMatchObject({ kind: 'DECIDED_BY_KIND_RULES', name: 'nearest' });
    const d1 = await s.api.recommend(requestFromContext(world, ctxs[0]!));
    expect(d1.fallbackReason).toBe('FALLBACK_REASON_FORCED');
    const r2 = await s.api.activatePolicy({ name: 'm' }, { metadata: adminMetadata('sesame') });
    expect(r2.active).toMatchObject({ kind: 'DECIDED_BY_KIND_MODEL', name: 'm', version: 'v1' });
    const d2 = await s.api.recommend(requestFromContext(world, ctxs[0]!));
    expect(d2.decidedBy?.kind).toBe('DECIDED_BY_KIND_MODEL');
    // Without a token configured, admin calls are refused.
    const t = await startTestServer();
    servers.push(t);
    await expect(t.api.reload({ metadata: adminMetadata('anything') })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it('the audit log keeps each order and snapshot as received (wire bytes) and exports them as the JSON grpc-js decodes', async () => {
    const s = await startTestServer();
    servers.push(s);
    const single = requestFromContext(world, ctxs[0]!);
    await s.api.recommend(single);
    const { orders, stock } = wave(7, 25);
    await s.api.recommendBatch({ orders, snapshot: { nowHours: 12, stock } });
    // What the server decoded: the generated loader's objects, defaults filled in.
    const { grpcObject } = loadAllocationProto();
    const svc = grpcObject.allocation.v1.AllocationService.service;
    const one = svc.Recommend.requestDeserialize(svc.Recommend.requestSerialize(single));
    const batch = svc.RecommendBatch.requestDeserialize(svc.RecommendBatch.requestSerialize({ orders, snapshot: { nowHours: 12, stock } }));
    const rows: Record<string, unknown>[] = [];
    readDecisions(s.auditPath, 0, (r) => rows.push(r));
    expect(rows).toHaveLength(1 + orders.length);
    expect(rows[0]!.request).toBe(JSON.stringify(one.order));
    expect(rows[0]!.snapshot).toBe(JSON.stringify(one.snapshot));
    const byOrder = new Map(rows.slice(1).map((r) => [JSON.parse(String(r.request)).id as string, r]));
    batch.orders.forEach((o) => {
      expect(byOrder.get(o.id)!.request).toBe(JSON.stringify(o));
      expect(byOrder.get(o.id)!.snapshot).toBe(JSON.stringify(batch.snapshot));
    });
    // Stored as bytes, not text: no JSON was made on the serving thread.
    const db = new Database(s.auditPath, { readonly: true });
    const types = db.prepare('SELECT typeof(d.request) AS r, typeof(s.json) AS s FROM decisions d JOIN snapshots s ON s.id = d.snapshot_id').all() as { r: string; s: string }[];
    db.close();
    expect(new Set(types.map((t) => `${t.r}/${t.s}`))).toEqual(new Set(['blob/blob']));
  });

  it('shadow mode: rules decide, the model choice is logged beside them', async () => {
    const root = tempDir('allocsim-models-');
    writeFakeModel(root, 'm', 'v1', { behaviour: 'good' });
    const s = await startTestServer({ policy: join(root, 'm'), provider: fakeProvider(root), chain: { shadow: true, modelBudgetMs: 10_000 } });
    servers.push(s);
    for (const ctx of ctxs.slice(0, 20)) {
      const res = await s.api.recommend(requestFromContext(world, ctx));
      expect(res.decidedBy?.kind).toBe('DECIDED_BY_KIND_RULES');
      expect(res.mode).toBe('SERVING_MODE_SHADOW');
      expect(res.fallbackReason).toBe('FALLBACK_REASON_FORCED');
    }
    const rows: Record<string, unknown>[] = [];
    readDecisions(s.auditPath, 0, (r) => rows.push(r));
    expect(rows).toHaveLength(20);
    for (const r of rows) {
      const shadow = JSON.parse(String(r.shadow)) as { reason: string; decision?: { decidedBy: { kind: string; version: string } } };
      expect(shadow.reason).toBe('none');
      expect(shadow.decision?.decidedBy).toMatchObject({ kind: 'model', version: 'v1' });
      expect(r.features).not.toBeNull();
    }
  });

  it('ε-exploration: seeded, some decisions explored, logged propensities are probabilities of the action taken', async () => {
    const eps = 0.5;
    const run = async () => {
      const s = await startTestServer({ fallback: 'nearest', chain: { epsilon: eps }, seed: 42 });
      servers.push(s);
      const out: { explored: boolean; p: number; first: string; nCand: number; greedy: string }[] = [];
      for (const ctx of ctxs) {
        const res = await s.api.recommend(requestFromContext(world, ctx));
        const greedy = createRulePolicy('nearest').decide(ctx).lines[0]!.allocations[0]?.warehouse ?? '';
        out.push({ explored: false, p: res.propensity, first: res.lines[0]!.allocations[0]?.warehouse ?? '', nCand: ctx.order.lines[0]!.candidates.length, greedy });
        expect(res.mode).toBe('SERVING_MODE_EXPLORE');
      }
      const rows: Record<string, unknown>[] = [];
      readDecisions(s.auditPath, 0, (r) => rows.push(r));
      rows.forEach((r, i) => (out[i]!.explored = r.explored === 1));
      return out;
    };
    const a = await run();
    const b = await run();
    // Same seed, same requests → same choices.
    expect(b).toEqual(a);
    expect(a.some((x) => x.explored)).toBe(true);
    expect(a.some((x) => !x.explored)).toBe(true);
    for (const x of a) {
      const u = x.nCand > 0 ? 1 / x.nCand : 1;
      const expected = x.first === x.greedy ? 1 - eps + eps * u : eps * u;
      expect(x.p).toBeCloseTo(expected, 12);
    }
  });
});
