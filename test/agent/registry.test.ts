import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { Simulation } from '../../src/sim/engine.js';
import type { DecisionContext } from '../../src/sim/policies/contract.js';
import { defaultFeatureSpec } from '../../src/agent/features/encoder.js';
import { initParams } from '../../src/agent/network.js';
import { NetworkPolicy } from '../../src/agent/network-policy.js';
import { listVersions, loadModel, ModelLoadError, saveModel, type ModelArtifacts } from '../../src/agent/registry/index.js';
import { runPolicyConformance } from '../sim/policy-conformance.js';
import { nearFarWorld } from './fixtures.js';

function artifacts(seed: number): ModelArtifacts {
  const params = initParams(8, seed);
  params.pW3 = params.pW3.map((x) => x * 300); // decisive, so decisions differ between seeds
  return {
    params,
    spec: defaultFeatureSpec(),
    config: { seed },
    meta: {
      name: 'm',
      createdAt: '2026-01-01T00:00:00Z',
      scenario: { name: 'near-far', hash: 'x' },
      baseRule: 'cheapest',
      minUnitMargin: 0,
      backend: 'cpu',
      trainingSeconds: 0,
      finalMetrics: {},
    },
    curve: [{ iteration: 1 }],
  };
}

function contexts(): DecisionContext[] {
  const driver = createRulePolicy('cheapest');
  const sim = new Simulation(nearFarWorld(3), driver, { seed: 2, external: true });
  const out: DecisionContext[] = [];
  for (let ctx = sim.nextDecision(); ctx; ctx = sim.nextDecision()) {
    out.push(structuredClone(ctx));
    sim.submit(driver.decide(ctx));
  }
  return out;
}

describe('model registry', () => {
  const root = mkdtempSync(join(tmpdir(), 'allocsim-registry-'));

  it('save → load → identical decisions; versions count up; the latest loads by default', () => {
    const a = artifacts(1);
    const dir1 = saveModel(join(root, 'm'), a);
    const dir2 = saveModel(join(root, 'm'), artifacts(2));
    expect(listVersions(join(root, 'm'))).toEqual(['v1', 'v2']);
    const v1 = loadModel(dir1);
    const latest = loadModel(join(root, 'm'));
    expect(latest.dir).toBe(dir2);
    expect(v1.meta.version).toBe('v1');
    expect(v1.policy).toBeInstanceOf(NetworkPolicy);
    const ctxs = contexts();
    expect(ctxs.length).toBeGreaterThan(20);
    // The same weights in memory and from disk give the same decisions.
    const again = loadModel(dir1);
    let differ = 0;
    for (const ctx of ctxs) {
      const d1 = v1.policy.decide(ctx);
      expect(again.policy.decide(ctx)).toEqual(d1);
      if (JSON.stringify(latest.policy.decide(ctx).lines) !== JSON.stringify(d1.lines)) differ++;
    }
    // And the check can fail: other weights decide differently somewhere.
    expect(differ).toBeGreaterThan(0);
    for (let i = 0; i < a.params.pW1c.length; i++) expect(v1.params.pW1c[i]).toBe(a.params.pW1c[i]);
  });

  it('raises ModelLoadError naming the problem for missing or corrupt files', () => {
    const dir = saveModel(join(root, 'bad'), artifacts(3));
    expect(() => loadModel(join(root, 'nothing-here'))).toThrow(ModelLoadError);
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, 100));
    expect(() => loadModel(dir)).toThrow(/weights\.bin has 100 bytes/);
    writeFileSync(join(dir, 'weights.bin'), bin);
    const spec = JSON.parse(readFileSync(join(dir, 'feature-spec.json'), 'utf8'));
    writeFileSync(join(dir, 'feature-spec.json'), JSON.stringify({ ...spec, version: 99 }));
    expect(() => loadModel(dir)).toThrow(/feature spec version\(=99\)/);
    writeFileSync(join(dir, 'feature-spec.json'), '{ not json');
    expect(() => loadModel(dir)).toThrow(/feature-spec.json is not valid JSON/);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    model.hidden = 9;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
    try {
      loadModel(dir);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).name).toBe('ModelLoadError');
    }
  });

  runPolicyConformance('network policy (from the registry)', () => {
    const dir = saveModel(join(root, 'conf'), artifacts(4));
    return loadModel(dir).policy;
  });

  runPolicyConformance('network policy, sample mode (seeded per order and hour)', () => {
    const dir = saveModel(join(root, 'conf-sample'), artifacts(5));
    return loadModel(dir, { mode: 'sample' }).policy;
  });

  it('sample mode draws: over many contexts it sometimes departs from the greedy choice', () => {
    const a = artifacts(6);
    a.params.pW3 = a.params.pW3.map((x) => x / 300); // near-uniform policy
    const dir = saveModel(join(root, 'uniform'), a);
    const greedy = loadModel(dir, { mode: 'greedy' }).policy;
    const sampled = loadModel(dir, { mode: 'sample' }).policy;
    let differ = 0;
    for (const ctx of contexts()) if (JSON.stringify(greedy.decide(ctx).lines) !== JSON.stringify(sampled.decide(ctx).lines)) differ++;
    expect(differ).toBeGreaterThan(5);
  });

  it('rejects weightsManifest file names that leave the version folder', () => {
    const dir = saveModel(join(root, 'manifest'), artifacts(7));
    const good = readFileSync(join(dir, 'model.json'), 'utf8');
    // The same weights, one folder up: a manifest that reached them would load.
    writeFileSync(join(root, 'manifest', 'weights.bin'), readFileSync(join(dir, 'weights.bin')));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'weights.bin'), readFileSync(join(dir, 'weights.bin')));
    symlinkSync(join(root, 'manifest', 'weights.bin'), join(dir, 'link.bin'));
    const withPath = (p: string) => {
      const m = JSON.parse(good);
      m.weightsManifest[0].paths = [p];
      writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    };
    for (const p of ['../weights.bin', join(root, 'manifest', 'weights.bin'), 'sub/weights.bin', 'sub\\weights.bin', '..', '']) {
      withPath(p);
      expect(() => loadModel(dir), p).toThrow(ModelLoadError);
      expect(() => loadModel(dir), p).toThrow(/weightsManifest\[0\]\.paths\[0\].*must be a file name inside the version folder/);
    }
    withPath('link.bin');
    expect(() => loadModel(dir)).toThrow(/weightsManifest\[0\]\.paths\[0\]\(="link.bin"\) leads out of the version folder/);
    // A plain name inside the folder still loads (and weights may be split over several files, as tfjs shards them).
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'part-a.bin'), bin.subarray(0, 400));
    writeFileSync(join(dir, 'part-b.bin'), bin.subarray(400));
    const m = JSON.parse(good);
    m.weightsManifest[0].paths = ['part-a.bin', 'part-b.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    expect(loadModel(dir).params.pb1).toEqual(loadModel(saveModel(join(root, 'manifest-copy'), artifacts(7))).params.pb1);
  });

  it('publishes a version whole or not at all', () => {
    const dir = join(root, 'atomic');
    saveModel(dir, artifacts(8));
    // A save that fails part-way (here: a config that cannot be written as JSON) leaves no version behind.
    const broken = artifacts(9);
    broken.config = { big: 1n };
    expect(() => saveModel(dir, broken)).toThrow();
    expect(readdirSync(dir)).toEqual(['v1']);
    expect(listVersions(dir)).toEqual(['v1']);
    // The next good save takes the next number, complete, and leaves nothing else beside it.
    const v2 = saveModel(dir, artifacts(10));
    expect(readdirSync(dir).sort()).toEqual(['v1', 'v2']);
    expect(readdirSync(v2).sort()).toEqual(['config.json', 'feature-spec.json', 'learning-curve.jsonl', 'meta.json', 'model.json', 'weights.bin']);
    expect(loadModel(dir).meta.version).toBe('v2');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));
});
