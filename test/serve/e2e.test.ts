import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { createRulePolicy, RULE_NAMES } from '../../src/sim/policies/rules.js';
import { SERVICE_NAME } from '../../src/serve/proto.js';
import { validateOrder, validateSnapshot } from '../../src/serve/validate.js';
import { SnapshotState } from '../../src/serve/snapshot-state.js';
import { ContextBuilder } from '../../src/sim/context.js';
import { simulate } from '../../src/sim/engine.js';
import { DecisionChain } from '../../src/serve/chain.js';
import type { DecisionContext } from '../../src/sim/policies/contract.js';
import { adminMetadata } from '../../src/serve/client.js';
import { MODEL_HEALTH_NAME } from '../../src/serve/server.js';
import type { RecommendResponse__Output } from '../../src/gen/allocation/v1/RecommendResponse.js';
import { defaultWorld, overTheWire, requestFromContext, simulatorContexts, startTestServer, type TestServer } from './helpers.js';
import { decisionIds, integrityCheck } from '../../src/serve/audit-read.js';

const world = defaultWorld();

/**
 * The context with the fields the service derives from the snapshot through
 * absolute hours (inbound ETA, inventory age: now + x − now) rounded to 1e-9 h.
 */
function rounded(ctx: DecisionContext): DecisionContext {
  const c = structuredClone(ctx);
  for (const l of c.order.lines) {
    for (const k of l.candidates) {
      k.inventoryAgeHours = Math.round(k.inventoryAgeHours * 1e9) / 1e9;
      k.inbound = k.inbound.map((b) => ({ quantity: b.quantity, etaHours: Math.round(b.etaHours * 1e9) / 1e9 }));
    }
  }
  return c;
}

describe('request → context', () => {
  it('builds the same DecisionContext as the simulator for the same state', () => {
    let inbound = 0;
    for (const rule of ['priority', 'fair-share']) {
      const ctxs = simulatorContexts(world, createRulePolicy(rule), { seed: 7, days: 12, max: 150, every: 7 });
      expect(ctxs.length).toBe(150);
      for (const ctx of ctxs) {
        const req = overTheWire(requestFromContext(world, ctx));
        const snap = validateSnapshot(world, req.snapshot);
        const order = validateOrder(world, req.order, 'order', snap.nowHours);
        const state = SnapshotState.open(world, snap, [order]);
        expect(rounded(state.context(order))).toEqual(rounded(ctx));
        state.close();
        for (const l of ctx.order.lines) for (const c of l.candidates) inbound += c.inbound.length;
      }
    }
    // The comparison covered candidates with stock in transit.
    expect(inbound).toBeGreaterThan(50);
  });

  it('the simulator and the service build their contexts with one function (ContextBuilder.build)', async () => {
    const build = vi.spyOn(ContextBuilder.prototype, 'build');
    const chainDecide = vi.spyOn(DecisionChain.prototype, 'decide');
    const s = await startTestServer();
    try {
      const built = () => new Set(build.mock.results.map((r) => r.value as DecisionContext));
      // The simulator: every context a policy is handed is one build() returned.
      const seen: DecisionContext[] = [];
      const nearest = createRulePolicy('nearest');
      simulate(world, { name: 'spy', decide: (ctx) => (seen.push(ctx), nearest.decide(ctx)) }, { seed: 1, days: 2 });
      expect(seen.length).toBeGreaterThan(100);
      const fromSim = built();
      for (const ctx of seen) expect(fromSim.has(ctx)).toBe(true);
      // The service: every context its decision chain is handed is one build() returned.
      build.mockClear();
      const ctx = simulatorContexts(world, nearest, { seed: 2, days: 3, max: 1 })[0]!;
      await s.api.recommend(requestFromContext(world, ctx));
      const req = requestFromContext(world, ctx);
      await s.api.recommendBatch({ snapshot: req.snapshot, orders: [req.order!, { ...req.order!, id: 'second' }] });
      expect(chainDecide.mock.calls.length).toBe(3);
      const fromService = built();
      for (const [c] of chainDecide.mock.calls) expect(fromService.has(c)).toBe(true);
    } finally {
      build.mockRestore();
      chainDecide.mockRestore();
      await s.close();
    }
  });
});

describe('end to end over a real port', () => {
  let s: TestServer;
  const token = 'test-admin-token';
  beforeAll(async () => {
    s = await startTestServer({ adminToken: token });
  });
  afterAll(async () => {
    await s.close();
  });

  it("the service's decision equals the simulator's for the same state, for every rule strategy", async () => {
    const ids: string[] = [];
    for (const rule of RULE_NAMES) {
      const activated = await s.api.activatePolicy({ name: rule }, { metadata: adminMetadata(token) });
      expect(activated.active?.name).toBe(rule);
      const policy = createRulePolicy(rule);
      const ctxs = simulatorContexts(world, policy, { seed: 3, days: 20, max: 60, every: 11 });
      expect(ctxs.length).toBe(60);
      for (const ctx of ctxs) {
        const res: RecommendResponse__Output = await s.api.recommend(requestFromContext(world, ctx));
        const want = policy.decide(ctx);
        expect(res.orderId).toBe(ctx.order.id);
        expect(res.decidedBy).toMatchObject({ kind: 'DECIDED_BY_KIND_RULES', name: rule });
        expect(res.fallbackReason).toBe('FALLBACK_REASON_FORCED');
        expect(res.lines.map((l) => ({ allocations: l.allocations.map((a) => ({ warehouse: a.warehouse, quantity: a.quantity, mode: a.mode })), backordered: l.backordered }))).toEqual(want.lines);
        expect(res.lines.map((l) => l.scores.map((x) => x.score))).toEqual(want.scores);
        expect(res.propensity).toBe(1);
        ids.push(res.decisionId);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    const logged = decisionIds(s.auditPath);
    for (const id of ids) expect(logged.has(id)).toBe(true);
    expect(integrityCheck(s.auditPath)).toBe('ok');
  });

  it('answers health checks overall, per service and for the model', async () => {
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client & Record<string, Function> } } };
    };
    const h = new pkg.grpc.health.v1.Health(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
    const check = (service: string) =>
      new Promise<string>((res, rej) => h.Check!({ service }, (err: Error | null, r: { status: string }) => (err ? rej(err) : res(r.status))));
    expect(await check('')).toBe('SERVING');
    expect(await check(SERVICE_NAME)).toBe('SERVING');
    // No model configured: the model is not ready, the server is.
    expect(await check(MODEL_HEALTH_NAME)).toBe('NOT_SERVING');
    h.close();
  });

  it('answers server reflection with the allocation service', async () => {
    const def = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', {
      includeDirs: [new URL('../../node_modules/@grpc/reflection/build/proto', import.meta.url).pathname],
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client & Record<string, Function> } } };
    };
    const r = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
    const stream = r.ServerReflectionInfo!() as grpc.ClientDuplexStream<unknown, { listServicesResponse?: { service: { name: string }[] } }>;
    const names = await new Promise<string[]>((res, rej) => {
      stream.on('data', (m) => {
        res((m.listServicesResponse?.service ?? []).map((x: { name: string }) => x.name));
        stream.end();
      });
      stream.on('error', rej);
      stream.write({ listServices: '' });
    });
    expect(names).toContain(SERVICE_NAME);
    expect(names).toContain('grpc.health.v1.Health');
    r.close();
  });

  it('GetNetwork describes the scenario and ListPolicies the rules', async () => {
    const net = await s.api.getNetwork();
    expect(net.scenario).toBe('default');
    expect(net.warehouses.map((w) => w.id)).toEqual(world.scenario.warehouses.map((w) => w.id));
    expect(net.skus).toHaveLength(world.skus.length);
    expect(net.lanes).toHaveLength(world.lanes.length);
    const pol = await s.api.listPolicies();
    expect(pol.policies.filter((p) => p.kind === 'DECIDED_BY_KIND_RULES').map((p) => p.name)).toEqual([...RULE_NAMES]);
    expect(pol.fallbackRules).toBe('cheapest');
  });
});
