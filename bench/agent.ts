/**
 * Agent benchmarks (never part of `npm test`): env steps/s under a rule policy,
 * decisions/s of the network policy (tensor-free forward and tfjs batched
 * scoring), and PPO training steps/s — per tfjs backend available here.
 * Run: npm run bench:agent
 */
import { loadScenario } from '../src/sim/scenario/index.js';
import { buildWorld } from '../src/sim/model/world.js';
import { createRulePolicy } from '../src/sim/policies/rules.js';
import { AllocationEnv, type Observation } from '../src/agent/env/index.js';
import { NC, NX } from '../src/agent/features/encoder.js';
import { availableBackends, selectBackend } from '../src/agent/backend.js';
import { initParams, logSoftmax, Network, plainForward } from '../src/agent/network.js';
import { TfNetwork } from '../src/agent/network-tf.js';
import { fitFeatureSpec, trainPpo } from '../src/agent/ppo/train.js';
import { benchArgs } from './args.js';

benchArgs('bench:agent', 'Usage: npm run bench:agent\nEnv steps/s, network decisions/s (kernel, plain JS, tfjs batched per backend) and PPO training steps/s.', {});

const world = buildWorld(loadScenario('default').scenario);
const rule = createRulePolicy('cheapest');

function envSteps(): { steps: number; seconds: number; observations: Observation[] } {
  const env = new AllocationEnv({ world, basePolicy: rule, scope: { minUnitMargin: 0 } });
  const observations: Observation[] = [];
  let steps = 0;
  const t0 = performance.now();
  for (const seed of [1, 2]) {
    let { obs } = env.reset({ seed });
    while (!env.done) {
      // The rule's choice: the cheapest open candidate (feature is_cheapest).
      let a = 0;
      for (let k = 0; k < obs.count; k++) if (obs.candidates[k * NC + 12] === 1) a = k;
      if (observations.length < 20000 && steps % 3 === 0) observations.push(obs);
      obs = env.step(a).obs;
      steps++;
    }
  }
  return { steps, seconds: (performance.now() - t0) / 1000, observations };
}

function line(label: string, value: number, unit: string, extra = ''): void {
  process.stdout.write(`${label.padEnd(52)} ${Math.round(value).toLocaleString('en-US').padStart(12)} ${unit}${extra ? `  (${extra})` : ''}\n`);
}

// Steady state, as the simulator bench measures it: two warm-up passes (the JIT
// keeps improving over the first few), then the median of three measured passes.
envSteps();
const warm = envSteps();
const passes = [envSteps(), envSteps(), envSteps()].sort((a, b) => a.steps / a.seconds - b.steps / b.seconds);
const run = passes[1]!;
line('env steps/s, rule policy (default, 2 episodes)', run.steps / run.seconds, 'steps/s', `median of 3 passes after 2 warm-ups; ${run.steps} steps in ${run.seconds.toFixed(2)} s`);

const obs = warm.observations;
const spec = fitFeatureSpec(obs);
const params = initParams(64, 1);
const js = new Network(params, spec);
{
  const reps = 3;
  const t0 = performance.now();
  let sink = 0;
  for (let r = 0; r < reps; r++) for (const o of obs) sink += logSoftmax(js.logits(o.count, o.candidates, o.context), o.count + 1)[0]! + js.value(o.context);
  const s = (performance.now() - t0) / 1000;
  line('network decisions/s, tensor-free forward (1 at a time)', (reps * obs.length) / s, 'decisions/s', `WebAssembly SIMD kernel, hidden 64, ${Number.isFinite(sink) ? 'ok' : 'nan'}`);
  // The same work as plain JS loops (the kernel's specification), for comparison.
  const t1 = performance.now();
  const some = obs.slice(0, 2000);
  for (const o of some) sink += logSoftmax(plainForward.logits(params, spec, o.count, o.candidates, o.context), o.count + 1)[0]! + plainForward.value(params, spec, o.context);
  const s1 = (performance.now() - t1) / 1000;
  line('network decisions/s, plain JS loops (1 at a time)', some.length / s1, 'decisions/s', `the kernel's reference, hidden 64, ${Number.isFinite(sink) ? 'ok' : 'nan'}`);
}

for (const backend of await availableBackends()) {
  await selectBackend(backend);
  const tfn = new TfNetwork(params);
  const B = 4096;
  const K = Math.max(...obs.map((o) => o.count));
  const cand = new Float32Array(B * K * NC);
  const ctx = new Float32Array(B * NX);
  const mask = new Float32Array(B * (K + 1));
  for (let b = 0; b < B; b++) {
    const o = obs[b % obs.length]!;
    cand.set(o.candidates.subarray(0, Math.min(o.candidates.length, K * NC)), b * K * NC);
    ctx.set(o.context, b * NX);
    for (let k = 0; k < o.count; k++) mask[b * (K + 1) + k] = 1;
    mask[b * (K + 1) + K] = 1;
  }
  tfn.score({ n: B, K, cand, ctx, mask });
  const reps = 5;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) tfn.score({ n: B, K, cand, ctx, mask });
  const s = (performance.now() - t0) / 1000;
  line(`network decisions/s, tfjs batched (${backend}, batch ${B})`, (reps * B) / s, 'decisions/s');
  tfn.dispose();
  const t1 = performance.now();
  const res = await trainPpo({
    world,
    config: { iterations: 2, envs: 2, rolloutSteps: 1024, minibatches: 4, updateEpochs: 4, hidden: 64, days: 30, seed: 1 },
  });
  const steps = res.metrics.reduce((a, m) => a + 2 * 1024, 0);
  const sps = res.metrics.map((m) => m.sps);
  line(`PPO training steps/s (${backend}, rollout + 4 epochs)`, sps.reduce((a, b) => a + b, 0) / sps.length, 'steps/s', `${steps} steps in ${((performance.now() - t1) / 1000).toFixed(1)} s incl. setup`);
}
if (typeof globalThis.gc === 'function') globalThis.gc();
