import { afterAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { readDecisions } from '../../src/serve/audit-read.js';
import { join } from 'node:path';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, tempDir, type TestServer } from './helpers.js';
import { fakeProvider, writeFakeModel } from './fakes.js';

const world = defaultWorld();
const reqs = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 3, days: 3, max: 4 }).map((c) => requestFromContext(world, c));

describe('deadlines', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('a decision made after the caller gave up is neither logged nor answered; one in time is both', async () => {
    const s = await startTestServer();
    servers.push(s);
    const past = Date.now() - 1;
    await expect(s.core.recommend(structuredClone(reqs[0]!) as never, past, performance.now())).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    const wave = { orders: reqs.map((r) => r.order!), snapshot: reqs[0]!.snapshot! };
    await expect(s.core.recommendBatch(structuredClone(wave) as never, past, performance.now())).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    await s.core.recommend(structuredClone(reqs[1]!) as never, Date.now() + 60_000, performance.now());
    const logged: string[] = [];
    readDecisions(s.auditPath, 0, (r) => logged.push(String(r.order_id)));
    expect(logged).toEqual([reqs[1]!.order!.id]);
  });

  it('over gRPC, a caller with a deadline gets an answer within it', async () => {
    const s = await startTestServer();
    servers.push(s);
    for (const r of reqs) {
      const res = await s.api.recommend(r, { deadlineMs: 5_000 });
      expect(res.decidedBy?.kind).toBe('DECIDED_BY_KIND_RULES');
    }
  });
});

describe('a wave the model cannot decide before its deadline', () => {
  it('is finished by the rules (fallback DEADLINE) and answered in time', async () => {
    const root = tempDir('allocsim-models-');
    // 30 ms a decision, past a generous --model-budget-ms: 100 orders would take the model 3 s.
    writeFakeModel(root, 'm', 'v1', { behaviour: 'slow-sync' });
    const s = await startTestServer({ policy: join(root, 'm'), provider: fakeProvider(root), chain: { modelBudgetMs: 1_000, minMargin: 0 } });
    try {
      const base = reqs[0]!;
      const orders = Array.from({ length: 100 }, (_, i) => ({ ...base.order!, id: `w-${i}` }));
      const res = await s.api.recommendBatch({ orders, snapshot: base.snapshot }, { deadlineMs: 1_500 });
      expect(res.decisions).toHaveLength(100);
      const reasons = res.decisions.map((d) => d.fallbackReason);
      // The model decided the first order(s) while its pace was unknown; then the rules took over (without
      // the wave's projection, the model would go on until its per-order budget ran out: about half).
      expect(reasons.filter((r) => r === 'FALLBACK_REASON_DEADLINE').length).toBeGreaterThanOrEqual(90);
      for (const d of res.decisions) if (d.fallbackReason === 'FALLBACK_REASON_DEADLINE') expect(d.decidedBy?.kind).toBe('DECIDED_BY_KIND_RULES');
    } finally {
      await s.close();
    }
  }, 30_000);
});
