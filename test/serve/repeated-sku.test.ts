import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Order } from '../../src/gen/allocation/v1/Order.js';
import type { RecommendResponse__Output } from '../../src/gen/allocation/v1/RecommendResponse.js';
import type { Snapshot } from '../../src/gen/allocation/v1/Snapshot.js';
import { adminMetadata } from '../../src/serve/client.js';
import { RULE_NAMES } from '../../src/sim/policies/rules.js';
import { defaultWorld, startTestServer, tempDir, type TestServer } from './helpers.js';
import { fakeProvider, writeFakeModel } from './fakes.js';

/**
 * Issue 12 item 2: an order with two lines of one SKU (10 + 10 against 10 in
 * stock) must not be allocated twice, on any path of the service.
 */
const world = defaultWorld();
const sku = world.skus[0]!.id;
const warehouse = world.scenario.warehouses[0]!.id;

const snapshot: Snapshot = { nowHours: 12, stock: [{ warehouse, sku, available: 10 }] };

function twoLines(id: string): Order {
  return {
    id,
    segment: 'standard',
    shipTo: world.scenario.regions[0]!.id,
    createdHours: 10,
    lines: [
      { sku, quantity: 10, unitPrice: 50 },
      { sku, quantity: 10, unitPrice: 50 },
    ],
  };
}

function allocated(res: RecommendResponse__Output): number {
  let q = 0;
  for (const l of res.lines) for (const a of l.allocations) q += Number(a.quantity);
  return q;
}

function backordered(res: RecommendResponse__Output): number {
  return res.lines.reduce((a, l) => a + Number(l.backordered), 0);
}

describe('an order with repeated SKU lines', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('Recommend and RecommendBatch allocate the stock once, under every rule strategy', async () => {
    const s = await startTestServer({ adminToken: 't' });
    servers.push(s);
    for (const rule of RULE_NAMES) {
      await s.api.activatePolicy({ name: rule }, { metadata: adminMetadata('t') });
      const one = await s.api.recommend({ order: twoLines('A'), snapshot });
      expect(one.decidedBy?.name).toBe(rule);
      // fair-share rations scarce stock, so it may place less; no rule places more.
      const rations = rule === 'fair-share' || rule === 'reserve';
      expect(allocated(one), rule).toBeLessThanOrEqual(10);
      if (!rations) expect(allocated(one), rule).toBe(10);
      expect(allocated(one) + backordered(one)).toBe(20);
      // A wave of two such orders: 10 units between them all.
      const wave = await s.api.recommendBatch({ orders: [twoLines('B'), twoLines('C')], snapshot });
      const placed = wave.decisions.reduce((a, d) => a + allocated(d), 0);
      expect(placed, rule).toBeLessThanOrEqual(10);
      if (!rations) expect(placed, rule).toBe(10);
      expect(placed + wave.decisions.reduce((a, d) => a + backordered(d), 0)).toBe(40);
    }
  });

  it('the model path allocates the stock once too', async () => {
    const root = tempDir('allocsim-models-');
    // Decides like `nearest` (the fake model's base rule), with clear scores.
    writeFakeModel(root, 'm', 'v1', { behaviour: 'good' });
    const s = await startTestServer({ policy: join(root, 'm'), provider: fakeProvider(root), chain: { modelBudgetMs: 10_000 } });
    servers.push(s);
    const res = await s.api.recommend({ order: twoLines('M'), snapshot });
    expect(res.decidedBy?.kind).toBe('DECIDED_BY_KIND_MODEL');
    expect(allocated(res)).toBe(10);
  });

  it('ε-exploration never takes more than the stock', async () => {
    const s = await startTestServer({ fallback: 'nearest', chain: { epsilon: 1 }, seed: 3 });
    servers.push(s);
    for (let i = 0; i < 5; i++) {
      const res = await s.api.recommend({ order: twoLines(`E${i}`), snapshot });
      expect(allocated(res)).toBe(10);
      expect(backordered(res)).toBe(10);
    }
  });
});
