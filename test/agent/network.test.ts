import { describe, expect, it } from 'vitest';
import * as tf from '../../src/agent/tf.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { AllocationEnv, type Observation } from '../../src/agent/env/index.js';
import { defaultFeatureSpec, NC, NX } from '../../src/agent/features/encoder.js';
import { initParams, logSoftmax, Network, plainForward } from '../../src/agent/network.js';
import { TfNetwork } from '../../src/agent/network-tf.js';
import { NetworkPolicy } from '../../src/agent/network-policy.js';
import { fitFeatureSpec, trainPpo } from '../../src/agent/ppo/train.js';
import { selectBackend } from '../../src/agent/backend.js';
import { Simulation } from '../../src/sim/engine.js';
import { nearFarWorld } from './fixtures.js';
import { FORWARD_WASM_BASE64 } from '../../src/agent/forward-wasm.js';

function sampleObs(n: number): Observation[] {
  const env = new AllocationEnv({ world: nearFarWorld(3), basePolicy: createRulePolicy('cheapest'), scope: { minUnitMargin: 0 } });
  let { obs } = env.reset({ seed: 4 });
  const out: Observation[] = [];
  while (!env.done && out.length < n) {
    out.push(obs);
    obs = env.step(out.length % (obs.count + 1)).obs;
  }
  return out;
}

describe('policy network', async () => {
  await selectBackend('cpu');

  it('the tensor-free forward pass equals tfjs within 1e-5', () => {
    const obs = sampleObs(40);
    const spec = fitFeatureSpec(obs);
    const params = initParams(16, 7);
    // Larger output weights so the comparison is not trivially near zero.
    params.pW3 = params.pW3.map((x) => x * 100);
    const js = new Network(params, spec);
    const tfn = new TfNetwork(params);
    const K = Math.max(...obs.map((o) => o.count));
    const cand = new Float32Array(obs.length * K * NC);
    const ctx = new Float32Array(obs.length * NX);
    const mask = new Float32Array(obs.length * (K + 1));
    obs.forEach((o, b) => {
      for (let k = 0; k < o.count; k++) {
        for (let f = 0; f < NC; f++) cand[(b * K + k) * NC + f] = (o.candidates[k * NC + f]! - spec.candidateMean[f]!) / spec.candidateStd[f]!;
        mask[b * (K + 1) + k] = 1;
      }
      mask[b * (K + 1) + K] = 1;
      for (let f = 0; f < NX; f++) ctx[b * NX + f] = (o.context[f]! - spec.contextMean[f]!) / spec.contextStd[f]!;
    });
    const { logProbs, values } = tfn.score({ n: obs.length, K, cand, ctx, mask });
    let maxDiff = 0;
    obs.forEach((o, b) => {
      const lp = logSoftmax(js.logits(o.count, o.candidates, o.context), o.count + 1);
      for (let k = 0; k < o.count; k++) maxDiff = Math.max(maxDiff, Math.abs(lp[k]! - logProbs[b * (K + 1) + k]!));
      maxDiff = Math.max(maxDiff, Math.abs(lp[o.count]! - logProbs[b * (K + 1) + K]!));
      maxDiff = Math.max(maxDiff, Math.abs(js.value(o.context) - values[b]!));
    });
    expect(maxDiff).toBeLessThan(1e-5);
    tfn.dispose();
  });

  // Hidden widths 24 and 6: the kernel works four units at a time, and pads 6 to 8.
  it.each([24, 6])('the WebAssembly kernel equals plain float32 loops within 1e-5 relative (hidden %i)', (H) => {
    const obs = sampleObs(60);
    const spec = fitFeatureSpec(obs);
    const params = initParams(H, 5);
    params.pW3 = params.pW3.map((x) => x * 100);
    params.vW3 = params.vW3.map((x) => x * 10);
    params.pb2 = params.pb2.map((_, i) => 0.1 * (i % 3) - 0.1);
    const net = new Network(params, spec);
    // Error relative to max(1, |reference|): float32 sums in another order, and the kernel's own tanh.
    let maxErr = 0;
    let maxLogit = 0;
    const err = (got: number, want: number) => Math.abs(got - want) / Math.max(1, Math.abs(want));
    for (const o of obs) {
      const got = net.logits(o.count, o.candidates, o.context);
      const want = plainForward.logits(params, spec, o.count, o.candidates, o.context);
      expect(got.length).toBe(o.count + 1);
      for (let k = 0; k <= o.count; k++) {
        maxErr = Math.max(maxErr, err(got[k]!, want[k]!));
        maxLogit = Math.max(maxLogit, Math.abs(want[k]!));
      }
      maxErr = Math.max(maxErr, err(net.value(o.context), plainForward.value(params, spec, o.context)));
    }
    expect(maxLogit).toBeGreaterThan(0.1);
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('the kernel grows its scratch for steps with many options, and stays right after', () => {
    const spec = defaultFeatureSpec();
    const params = initParams(8, 2);
    params.pW3 = params.pW3.map((x) => x * 100);
    const net = new Network(params, spec);
    const one = (count: number) => {
      const cand = Float32Array.from({ length: count * NC }, (_, i) => (i % 7) * 0.3);
      const ctx = Float32Array.from({ length: NX }, (_, i) => (i % 5) * 0.2);
      return Array.from(net.logits(count, cand, ctx));
    };
    const small = one(3);
    const big = one(40); // past the first allocation (8 options)
    expect(big).toHaveLength(41);
    expect(big.every(Number.isFinite)).toBe(true);
    // The same candidates in the first three rows score the same; defer depends only on the context.
    expect(big.slice(0, 3)).toEqual(small.slice(0, 3));
    expect(big[40]).toBe(small[3]);
    expect(one(3)).toEqual(small);
  });

  it('every path of the kernel gives a candidate the same bits: alone, in a group of four, in a remainder; any hidden width', () => {
    // A candidate's logit depends only on its features and the context, and the kernel keeps each
    // sum's order whichever path (4 options × 8 units, 1 option × 16 units, 4-unit remainders) runs it.
    for (const hidden of [64, 24, 20, 6]) {
      const params = initParams(hidden, hidden);
      // Non-zero biases and a larger output layer, so that any change of a sum's order shows.
      params.pb1 = params.pb1.map((_, i) => 0.3 * Math.sin(3 * i));
      params.pb2 = params.pb2.map((_, i) => 0.3 * Math.cos(5 * i));
      params.pW3 = params.pW3.map((x) => x * 100);
      const net = new Network(params, defaultFeatureSpec());
      const ctx = Float32Array.from({ length: NX }, (_, i) => Math.sin(i + hidden));
      const cands = Float32Array.from({ length: 9 * NC }, (_, i) => Math.cos(0.7 * i));
      const alone = Array.from({ length: 9 }, (_, k) => net.logits(1, cands.subarray(k * NC, (k + 1) * NC), ctx)[0]!);
      const deferAlone = net.logits(1, cands.subarray(0, NC), ctx)[1]!;
      for (let count = 1; count <= 9; count++) {
        const all = net.logits(count, cands.subarray(0, count * NC), ctx);
        for (let k = 0; k < count; k++) expect(Object.is(all[k], alone[k]), `hidden ${hidden}, ${count} options, candidate ${k}`).toBe(true);
        expect(Object.is(all[count], deferAlone), `hidden ${hidden}, ${count} options, defer`).toBe(true);
      }
    }
  });

  it('the embedded kernel is the one wasm/forward.ts compiles to (run `npm run gen:wasm` after editing it)', async () => {
    // @ts-expect-error: a plain ES module without types
    const { compileKernel } = await import('../../wasm/build.mjs');
    const fresh = Buffer.from(await compileKernel()).toString('base64');
    expect(fresh === FORWARD_WASM_BASE64).toBe(true);
  });

  it('seeded initialisation: same seed, same weights; another seed, other weights', () => {
    expect(Array.from(initParams(8, 1).pW1c)).toEqual(Array.from(initParams(8, 1).pW1c));
    expect(Array.from(initParams(8, 1).pW1c)).not.toEqual(Array.from(initParams(8, 2).pW1c));
  });

  it('no tensor leak across decide, batched scoring and a training iteration', async () => {
    const world = nearFarWorld(2);
    const params = initParams(8, 3);
    const spec = defaultFeatureSpec();
    const policy = new NetworkPolicy('t', undefined, new Network(params, spec), { minUnitMargin: 0 }, createRulePolicy('cheapest'));
    const tfn = new TfNetwork(params);
    const before = tf.memory().numTensors;
    const sim = new Simulation(world, policy, { seed: 1 });
    sim.run();
    const obs = sampleObs(8);
    tfn.score({ n: 1, K: obs[0]!.count, cand: new Float32Array(obs[0]!.count * NC), ctx: new Float32Array(NX), mask: new Float32Array(obs[0]!.count + 1).fill(1) });
    expect(tf.memory().numTensors).toBe(before);
    tfn.dispose();
    const afterDispose = tf.memory().numTensors;
    await trainPpo({ world, config: { iterations: 1, envs: 1, rolloutSteps: 32, minibatches: 2, updateEpochs: 1, hidden: 8, bcEpisodes: 1, bcEpochs: 1, days: 2 } });
    expect(tf.memory().numTensors).toBe(afterDispose);
  });
});
