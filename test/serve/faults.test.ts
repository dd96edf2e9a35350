import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import type { FallbackReason__Output } from '../../src/gen/allocation/v1/FallbackReason.js';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, tempDir, type TestServer } from './helpers.js';
import { fakeProvider, writeFakeModel, type FakeSpec } from './fakes.js';
import { readDecisions } from '../../src/serve/audit-read.js';

const world = defaultWorld();
const ctxs = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 11, days: 10, max: 40, every: 5 });

const cases: { title: string; model: FakeSpec | string | null; reason: FallbackReason__Output; by: 'model' | 'rules' }[] = [
  { title: 'a healthy model decides', model: { behaviour: 'good' }, reason: 'FALLBACK_REASON_NONE', by: 'model' },
  { title: 'model missing from the registry', model: null, reason: 'FALLBACK_REASON_NO_MODEL', by: 'rules' },
  { title: 'corrupt model file', model: '{"behaviour": "good", truncated', reason: 'FALLBACK_REASON_NO_MODEL', by: 'rules' },
  { title: 'NaN outputs', model: { behaviour: 'nan' }, reason: 'FALLBACK_REASON_MODEL_ERROR', by: 'rules' },
  { title: 'model throws', model: { behaviour: 'throw' }, reason: 'FALLBACK_REASON_MODEL_ERROR', by: 'rules' },
  { title: 'impossible allocation', model: { behaviour: 'invalid' }, reason: 'FALLBACK_REASON_MODEL_ERROR', by: 'rules' },
  { title: 'slow model', model: { behaviour: 'slow' }, reason: 'FALLBACK_REASON_DEADLINE', by: 'rules' },
  { title: 'slow synchronous model', model: { behaviour: 'slow-sync' }, reason: 'FALLBACK_REASON_DEADLINE', by: 'rules' },
  { title: 'inputs outside the training ranges', model: { behaviour: 'ood' }, reason: 'FALLBACK_REASON_OUT_OF_DISTRIBUTION', by: 'rules' },
  { title: 'unsure model', model: { behaviour: 'unsure' }, reason: 'FALLBACK_REASON_LOW_CONFIDENCE', by: 'rules' },
  { title: 'a model that chose nothing (every line outside its scope)', model: { behaviour: 'out-of-scope' }, reason: 'FALLBACK_REASON_OUT_OF_SCOPE', by: 'rules' },
];

describe('fault injection: zero failed calls, the right fallback_reason each time', () => {
  it("a slow model is cut short by the caller's own deadline, and the caller still gets its answer in time", async () => {
    const root = tempDir('allocsim-models-');
    writeFakeModel(root, 'm', 'v1', { behaviour: 'slow' });
    const s = await startTestServer({ policy: join(root, 'm'), provider: fakeProvider(root), chain: { modelBudgetMs: 60_000 } });
    try {
      for (const ctx of ctxs.slice(0, 3)) {
        // The model answers after 5 s; the caller gives 1.5 s: rules answer within it (the model gets 80% of it).
        const res = await s.api.recommend(requestFromContext(world, ctx), { deadlineMs: 1500 });
        expect(res.fallbackReason).toBe('FALLBACK_REASON_DEADLINE');
        expect(res.decidedBy?.kind).toBe('DECIDED_BY_KIND_RULES');
      }
    } finally {
      await s.close();
    }
  });

  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  for (const c of cases) {
    it(c.title, async () => {
      const root = tempDir('allocsim-models-');
      if (c.model !== null) writeFakeModel(root, 'm', 'v1', c.model);
      // Budgets far from the fakes' timings either way (a 5 s model, a 30 ms busy one, instant ones), so load cannot flip a case.
      const behaviour = c.model !== null && typeof c.model === 'object' ? c.model.behaviour : '';
      const budget = behaviour === 'slow-sync' ? 10 : behaviour === 'slow' ? 200 : 10_000;
      const s = await startTestServer({ policy: join(root, 'm'), provider: fakeProvider(root), chain: { modelBudgetMs: budget } });
      servers.push(s);
      const sample = c.model !== null && typeof c.model === 'object' && c.model.behaviour === 'slow-sync' ? ctxs.slice(0, 6) : ctxs;
      const results = await Promise.allSettled(sample.map((ctx) => s.api.recommend(requestFromContext(world, ctx))));
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed).toEqual([]);
      for (const r of results) {
        const res = (r as PromiseFulfilledResult<Awaited<ReturnType<typeof s.api.recommend>>>).value;
        expect(res.fallbackReason).toBe(c.reason);
        expect(res.decidedBy?.kind).toBe(c.by === 'model' ? 'DECIDED_BY_KIND_MODEL' : 'DECIDED_BY_KIND_RULES');
        if (c.by === 'model') {
          expect(res.decidedBy).toMatchObject({ name: 'm', version: 'v1' });
          expect(res.propensity).toBeCloseTo(0.9);
        } else {
          expect(res.decidedBy?.name).toBe('cheapest');
          expect(res.fallbackDetail).not.toBe('');
        }
      }
      // Every decision is in the audit log with its reason.
      const rows: Record<string, unknown>[] = [];
      readDecisions(s.auditPath, 0, (row) => rows.push(row));
      expect(rows).toHaveLength(sample.length);
      const wire = c.reason.replace('FALLBACK_REASON_', '').toLowerCase();
      for (const row of rows) expect(row.fallback_reason).toBe(wire);
      const models = (await s.api.listPolicies()).policies.filter((p) => p.kind === 'DECIDED_BY_KIND_MODEL');
      const loaded = typeof c.model === 'object' && c.model !== null;
      expect(models.some((p) => p.ready)).toBe(loaded);
    });
  }
});
