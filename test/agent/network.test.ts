import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { AllocationEnv, type Observation } from '../../src/agent/env/index.js';
import { defaultFeatureSpec, NC, NX } from '../../src/agent/features/encoder.js';
import { initParams, logSoftmax, Network } from '../../src/agent/network.js';
import { TfNetwork } from '../../src/agent/network-tf.js';
import { NetworkPolicy } from '../../src/agent/network-policy.js';
import { fitFeatureSpec, trainPpo } from '../../src/agent/ppo/train.js';
import { selectBackend } from '../../src/agent/backend.js';
import { Simulation } from '../../src/sim/engine.js';
import { nearFarWorld } from './fixtures.js';

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

  it('the forward pass gives the same bits as the plain float32 loops it is rearranged from', () => {
    const obs = sampleObs(60);
    const spec = fitFeatureSpec(obs);
    const params = initParams(24, 5);
    params.pW3 = params.pW3.map((x) => x * 100);
    const H = 24;
    const net = new Network(params, spec);
    // Reference: one option at a time, every sum stored to float32 as it accumulates.
    const reference = (count: number, candidates: Float32Array, context: Float32Array): number[] => {
      const norm = (raw: Float32Array, mean: readonly number[], std: readonly number[], w: number) => Float32Array.from(raw, (x, i) => (x - mean[i % w]!) / std[i % w]!);
      const cand = norm(candidates, spec.candidateMean, spec.candidateStd, NC);
      const ctx = norm(context, spec.contextMean, spec.contextStd, NX);
      const hx = Float32Array.from(params.pb1);
      for (let f = 0; f < NX; f++) if (ctx[f] !== 0) for (let h = 0; h < H; h++) hx[h] += ctx[f]! * params.pW1x[f * H + h]!;
      const out: number[] = [];
      for (let k = 0; k <= count; k++) {
        const h1 = new Float32Array(H);
        for (let h = 0; h < H; h++) h1[h] = k < count ? hx[h]! : hx[h]! + params.pW1d[h]!;
        if (k < count) for (let f = 0; f < NC; f++) if (cand[k * NC + f] !== 0) for (let h = 0; h < H; h++) h1[h] += cand[k * NC + f]! * params.pW1c[f * H + h]!;
        for (let h = 0; h < H; h++) h1[h] = Math.tanh(h1[h]!);
        const h2 = Float32Array.from(params.pb2);
        for (let i = 0; i < H; i++) for (let h = 0; h < H; h++) h2[h] += h1[i]! * params.pW2[i * H + h]!;
        let y = params.pb3[0]!;
        for (let h = 0; h < H; h++) y += Math.tanh(h2[h]!) * params.pW3[h]!;
        out.push(y);
      }
      return out;
    };
    for (const o of obs) expect(Array.from(net.logits(o.count, o.candidates, o.context))).toEqual(reference(o.count, o.candidates, o.context));
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
