import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { initParams } from '../../src/agent/network.js';
import { defaultFeatureSpec, NC, NX } from '../../src/agent/features/encoder.js';
import { unpackFeatures } from '../../src/serve/audit.js';
import { readDecisions } from '../../src/serve/audit-read.js';
import { loadModel, saveModel } from '../../src/agent/registry/index.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { loadScenario } from '../../src/sim/scenario/load.js';
import { adminMetadata } from '../../src/serve/client.js';
import { memoryLogger } from '../../src/serve/log.js';
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
    // The audit log keeps the encoded observation per line: context features, then each option's (a candidate with stock × its modes).
    const rows: Record<string, unknown>[] = [];
    readDecisions(s.auditPath, 0, (r) => rows.push(r));
    expect(rows).toHaveLength(ctxs.length);
    rows.forEach((r, i) => {
      const f = unpackFeatures(r.features as Buffer);
      expect(f).toHaveLength(ctxs[i]!.order.lines.length);
      const options = ctxs[i]!.order.lines[0]!.candidates.reduce((n, c) => n + (c.available > 0 ? c.modes.length : 0), 0);
      expect(f[0]!.length).toBe(NX + NC * options);
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

describe('the registry watch (--watch-ms) and an operator', () => {
  const servers: TestServer[] = [];
  const admin = { metadata: adminMetadata('admin-token-for-tests') };
  const request = requestFromContext(world, simulatorContexts(world, createRulePolicy('cheapest'), { seed: 5, days: 3, max: 1 })[0]!);
  /** A server on a fresh registry holding v1, polling it every 20 ms. */
  const start = async () => {
    const root = tempDir('allocsim-registry-watch-');
    saveUntrained(root, 1);
    const log = memoryLogger();
    const s = await startTestServer({ policy: join(root, 'policy'), watchMs: 20, log, adminToken: 'admin-token-for-tests', chain: { minMargin: 0, modelBudgetMs: 10_000 } });
    servers.push(s);
    const version = async () => (await s.api.recommend(request)).decidedBy?.version ?? '';
    /** Polls until the served version is `want` (bounded: gives up after ~10 s and returns what it saw). */
    const until = async (want: string) => {
      let v = '';
      for (let i = 0; i < 1000 && v !== want; i++) {
        v = await version();
        if (v !== want) await new Promise((r) => setTimeout(r, 10));
      }
      return v;
    };
    return { s, root, log, version, until };
  };
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('retries a version read while it was still being written, and serves it once it is whole', async () => {
    const { root, log, version, until } = await start();
    expect(await version()).toBe('v1');
    // A writer that does not publish atomically (a copy by hand, an older allocsim): v2 appears file by file.
    const whole = saveUntrained(tempDir('allocsim-registry-src-'), 2);
    const v2 = join(root, 'policy', 'v2');
    mkdirSync(v2);
    for (const f of ['model.json', 'weights.bin']) copyFileSync(join(whole, f), join(v2, f));
    for (let i = 0; i < 1000 && !log.lines.some((l) => l.msg === 'model_reload_failed'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(String(log.lines.find((l) => l.msg === 'model_reload_failed')?.fields?.error)).toMatch(/is missing/);
    expect(await version()).toBe('v1');
    for (const f of readdirSync(whole)) copyFileSync(join(whole, f), join(v2, f));
    expect(await until('v2')).toBe('v2');
  });

  it("holds an operator's ActivatePolicy version against the watch until they release it", async () => {
    const { s, root, version, until } = await start();
    saveUntrained(root, 2);
    expect(await until('v2')).toBe('v2');
    const a = await s.api.activatePolicy({ name: 'policy', version: 'v1' }, admin);
    expect(a.active).toMatchObject({ name: 'policy', version: 'v1' });
    saveUntrained(root, 3);
    // Many polls of the watch (every 20 ms) later, the operator's choice still holds.
    await new Promise((r) => setTimeout(r, 600));
    expect(await version()).toBe('v1');
    // Reload does not undo it either, and says how to release the pin.
    const r = await s.api.reload(admin);
    expect(r.swapped).toBe(false);
    expect(r.error).toMatch(/pinned to policy@v1.*releases the pin/);
    expect(r.active).toMatchObject({ version: 'v1' });
    // Released: the newest version now, and the watch follows the registry again.
    const released = await s.api.activatePolicy({ name: 'policy', version: '' }, admin);
    expect(released.active).toMatchObject({ version: 'v3' });
    saveUntrained(root, 4);
    expect(await until('v4')).toBe('v4');
    // `latest` releases too.
    await s.api.activatePolicy({ name: 'policy', version: 'v2' }, admin);
    expect(await version()).toBe('v2');
    expect((await s.api.activatePolicy({ name: 'policy', version: 'latest' }, admin)).active).toMatchObject({ version: 'v4' });
  });
});
