import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { initParams } from '../../src/agent/network.js';
import { defaultFeatureSpec, NC, NX } from '../../src/agent/features/encoder.js';
import { unpackFeatures } from '../../src/serve/audit.js';
import { readDecisions } from '../../src/serve/audit-read.js';
import { loadModel, saveModel } from '../../src/agent/registry/index.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { loadScenario } from '../../src/sim/scenario/load.js';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, tempDir, type TestServer } from './helpers.js';

const world = defaultWorld();

function saveUntrained(root: string, seed: number): string {
  const sc = loadScenario('default');
  return saveModel(join(root, 'policy'), {
    params: initParams(16, seed),
    spec: defaultFeatureSpec(),
    config: {},
    meta: {
      name: 'policy',
      createdAt: new Date(0).toISOString(),
      scenario: { name: sc.scenario.name, hash: sc.hash },
      baseRule: 'cheapest',
      minUnitMargin: 0,
      backend: 'cpu',
      trainingSeconds: 0,
      finalMetrics: {},
    },
    curve: [],
  });
}

describe('with a model from the agent registry', () => {
  let s: TestServer;
  let root: string;
  beforeAll(async () => {
    root = tempDir('allocsim-registry-');
    saveUntrained(root, 1);
    s = await startTestServer({ policy: join(root, 'policy'), chain: { minMargin: 0, modelBudgetMs: 10_000 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it("the service's decision equals the network policy's on the simulator's contexts", async () => {
    const m = loadModel(join(root, 'policy'), { name: 'policy' });
    const ctxs = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 4, days: 10, max: 80, every: 4 });
    for (const ctx of ctxs) {
      const res = await s.api.recommend(requestFromContext(world, ctx));
      const want = m.policy.decide(ctx);
      expect(res.fallbackReason).toBe('FALLBACK_REASON_NONE');
      expect(res.decidedBy).toMatchObject({ kind: 'DECIDED_BY_KIND_MODEL', name: 'policy', version: 'v1' });
      expect(res.lines.map((l) => ({ allocations: l.allocations.map((a) => ({ warehouse: a.warehouse, quantity: a.quantity, mode: a.mode })), backordered: l.backordered }))).toEqual(want.lines);
      expect(res.propensity).toBeCloseTo(want.propensity!, 12);
    }
    // The audit log keeps the encoded observation per line: context features, then each candidate's.
    const rows: Record<string, unknown>[] = [];
    readDecisions(s.auditPath, 0, (r) => rows.push(r));
    expect(rows).toHaveLength(ctxs.length);
    rows.forEach((r, i) => {
      const f = unpackFeatures(r.features as Buffer);
      expect(f).toHaveLength(ctxs[i]!.order.lines.length);
      expect(f[0]!.length).toBe(NX + NC * ctxs[i]!.order.lines[0]!.candidates.length);
      expect(f[0]!.every(Number.isFinite)).toBe(true);
    });
  });

  it('a corrupt new version does not take traffic; a good one does', async () => {
    const bad = saveUntrained(root, 2);
    writeFileSync(join(bad, 'weights.bin'), Buffer.from('not weights'));
    const r = await s.core.reload();
    expect(r.swapped).toBe(false);
    expect(r.error).toMatch(/weights\.bin/);
    saveUntrained(root, 3);
    const r2 = await s.core.reload();
    expect(r2).toMatchObject({ swapped: true, active: { version: 'v3' } });
  });
});
