import { afterAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { readDecisions } from '../../src/serve/audit-read.js';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, type TestServer } from './helpers.js';

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
