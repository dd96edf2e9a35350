import * as tf from '../tf.js';
import { Stream } from '../../sim/kernel/random.js';
import { computeKpis } from '../../sim/kpis.js';
import { simulate, type SimResult } from '../../sim/index.js';
import type { World } from '../../sim/model/world.js';
import type { Decision, Policy } from '../../sim/policies/contract.js';
import { createRulePolicy } from '../../sim/policies/rules.js';
import { AllocationEnv, type AllocationEnvConfig, type Observation } from '../env/allocation-env.js';
import { VectorAllocationEnv } from '../env/vector-env.js';
import { NC, NX, type FeatureSpec } from '../features/encoder.js';
import { initParams, logSoftmax, Network, type NetworkParams } from '../network.js';
import { paddedAction, TfNetwork } from '../network-tf.js';
import { Adam, buildBatch, clipByGlobalNorm, fitFeatureSpec, shuffle } from '../train-kit.js';
import { deriveCharges } from '../charges.js';

export { fitFeatureSpec };
import { resolveConfig, type PpoConfig } from './config.js';
import { computeGae, explainedVariance } from './gae.js';

/** One line of the learning curve (written as JSONL). */
export interface IterationMetrics {
  iteration: number;
  global_step: number;
  /** Env steps per second over the iteration (rollout + update). */
  sps: number;
  learning_rate: number;
  /** Mean return of the episodes that ended this iteration, in money (null if none ended). */
  episodic_return: number | null;
  /** KPI means of the episodes that ended this iteration (null if none ended). */
  kpi_reward: number | null;
  kpi_gross_margin: number | null;
  kpi_fill_rate: number | null;
  kpi_contract_fill_rate: number | null;
  /** Whole-episode rollouts only: mean KPI reward minus the base rule's on the same seeds (common random numbers). */
  kpi_reward_vs_base: number | null;
  episodes: number;
  value_loss: number;
  policy_loss: number;
  entropy: number;
  old_approx_kl: number;
  approx_kl: number;
  clipfrac: number;
  explained_variance: number;
}

export interface TrainOptions {
  world: World;
  config: Partial<PpoConfig>;
  /** Resume: start from these parameters and feature spec (normalisation is kept). */
  resume?: { params: NetworkParams; spec: FeatureSpec };
  /** Called after every iteration (progress bar, JSONL). */
  onIteration?: (m: IterationMetrics) => void;
  /** Called once behaviour cloning is done, with its final loss and accuracy. */
  onWarmStart?: (m: { steps: number; loss: number; accuracy: number }) => void;
}

export interface TrainResult {
  params: NetworkParams;
  spec: FeatureSpec;
  config: PpoConfig;
  metrics: IterationMetrics[];
}

/** Samples an index from log-probabilities with a seeded stream. */
function sample(lp: Float64Array, n: number, rng: Stream): number {
  let u = rng.uniform();
  for (let k = 0; k < n; k++) {
    u -= Math.exp(lp[k]!);
    if (u <= 0) return k;
  }
  return n - 1;
}

/**
 * The teacher's action at the env's pending step: the warehouse of the teacher's
 * next allocation for the line (defer once it has none left).
 */
function teacherActor(teacher: Policy) {
  let lastCtx: unknown = null;
  let decision: Decision | null = null;
  let stepsByLine: number[] = [];
  return (env: AllocationEnv): number => {
    const p = env.pending!;
    if (p.ctx !== lastCtx) {
      lastCtx = p.ctx;
      decision = teacher.decide(p.ctx);
      stepsByLine = p.ctx.order.lines.map(() => 0);
    }
    const allocs = decision!.lines[p.line]!.allocations;
    const k = stepsByLine[p.line]!++;
    if (k >= allocs.length) return p.open.length;
    const cands = p.ctx.order.lines[p.line]!.candidates;
    const a = allocs[k]!;
    const j = p.open.findIndex((c, i) => cands[c]!.warehouse === a.warehouse && cands[c]!.modes[p.modes[i]!]!.mode === a.mode);
    return j < 0 ? p.open.length : j;
  };
}

/**
 * PPO (Schulman et al. 2017) in the shape of CleanRL's ppo.py: collect a rollout
 * from the vector env with the current policy → GAE → epochs over shuffled
 * minibatches (per-minibatch advantage normalisation, clipped surrogate, clipped
 * value loss, entropy bonus, global gradient-norm clip, Adam with an annealed
 * learning rate, optional target-KL stop) → log. Optionally warm-started by
 * behaviour cloning of the base rule. All tensor work is inside `tf.tidy`.
 */
export async function trainPpo(options: TrainOptions): Promise<TrainResult> {
  let cfg = resolveConfig(options.config);
  const trainStart = performance.now();
  const { world } = options;
  const base = createRulePolicy(cfg.baseRule);
  let envConfig: AllocationEnvConfig = {
    world,
    basePolicy: base,
    scope: { minUnitMargin: cfg.minUnitMargin },
    credit: cfg.credit,
    rewardScale: cfg.rewardScale,
    ...(cfg.days !== null ? { days: cfg.days } : {}),
  };
  const rngAct = new Stream('policy-sampling', cfg.seed);
  const rngShuffle = new Stream('ppo-minibatches', cfg.seed);

  // ---- feature normalisation and optional behaviour-cloning warm start
  let spec: FeatureSpec;
  let params: NetworkParams;
  const bcObs: Observation[] = [];
  const bcActions: number[] = [];
  const bcReturns: number[] = [];
  const teacherRuns: SimResult[] = [];
  if (options.resume) {
    spec = options.resume.spec;
    params = options.resume.params;
  } else {
    // Teacher (or, without warm start, a short teacher sample for statistics) on seeds
    // far from the training seeds: seed + 1_000_000 + e.
    const episodes = Math.max(1, cfg.bcEpisodes);
    const env = new AllocationEnv(envConfig);
    const act = teacherActor(base);
    for (let e = 0; e < episodes; e++) {
      let { obs } = env.reset({ seed: cfg.seed + 1_000_000 + e });
      let result: SimResult | undefined;
      const rewards: number[] = [];
      const first = bcObs.length;
      while (!env.done) {
        const a = act(env);
        bcObs.push(obs);
        bcActions.push(a);
        const r = env.step(a);
        if (r.info.result) result = r.info.result;
        rewards.push(r.reward);
        for (const [s, v] of r.info.credits) rewards[s] = (rewards[s] ?? 0) + v;
        obs = r.obs;
        if (cfg.bcEpisodes === 0 && bcObs.length >= 4096) break;
      }
      let g = 0;
      const rets = new Array<number>(rewards.length);
      for (let t = rewards.length - 1; t >= 0; t--) rets[t] = g = rewards[t]! + cfg.gamma * g;
      for (let t = 0; t < rewards.length && first + t < bcObs.length; t++) bcReturns.push(rets[t]!);
      if (result) teacherRuns.push(result);
    }
    if (cfg.credit === 'order' && cfg.stockCharge === 'clearing' && cfg.stockChargePerSku === null && teacherRuns.length) {
      cfg = { ...cfg, stockChargePerSku: clearingMargins(teacherRuns, cfg.minUnitMargin) };
    }
    spec = fitFeatureSpec(bcObs);
    if (cfg.returnScale === null) {
      // Value targets of order 1: divide rewards by the spread of the teacher's discounted returns.
      const m = bcReturns.reduce((a, b) => a + b, 0) / Math.max(1, bcReturns.length);
      const sd = Math.sqrt(bcReturns.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, bcReturns.length));
      cfg = { ...cfg, returnScale: sd > 0 ? sd : 1 };
    }
    for (let i = 0; i < bcReturns.length; i++) bcReturns[i] = bcReturns[i]! / cfg.returnScale!;
    params = initParams(cfg.hidden, cfg.seed);
  }

  const rs = 1 / (cfg.returnScale ?? 1);
  if (cfg.credit === 'order' && cfg.stockChargePerSku) envConfig = { ...envConfig, stockCharge: cfg.stockChargePerSku };
  const net = new TfNetwork(params);
  const varList = Object.values(net.vars);
  const adam = new Adam(varList);

  if (!options.resume && cfg.bcEpisodes > 0) {
    const N = bcObs.length;
    const mb = Math.max(64, Math.ceil(N / (cfg.minibatches * 4)));
    const order = Array.from({ length: N }, (_, i) => i);
    let lastLoss = 0;
    let lastAcc = 0;
    for (let epoch = 0; epoch < cfg.bcEpochs; epoch++) {
      shuffle(order, rngShuffle);
      let lossSum = 0;
      let accSum = 0;
      let batches = 0;
      for (let s = 0; s < N; s += mb) {
        const idx = order.slice(s, s + mb);
        const b = buildBatch(idx, bcObs, spec);
        const acts = Int32Array.from(idx, (i) => paddedAction(bcActions[i]!, bcObs[i]!.count, b.K));
        const rets = Float32Array.from(idx, (i) => bcReturns[i]!);
        const [loss, acc] = tf.tidy(() => {
          const cand = tf.tensor3d(b.cand, [b.n, b.K, NC]);
          const ctx = tf.tensor2d(b.ctx, [b.n, NX]);
          const mask = tf.tensor2d(b.mask, [b.n, b.K + 1]);
          const onehot = tf.oneHot(tf.tensor1d(acts, 'int32'), b.K + 1);
          const ret = tf.tensor1d(rets);
          let accT: tf.Tensor | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const lp = net.logProbs(cand, ctx, mask, b.n, b.K);
            accT = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(lp, 1), tf.argMax(onehot, 1)), 'float32')));
            // Label smoothing keeps some probability on every open option, so PPO still explores after the warm start.
            const open = tf.sum(mask, 1, true);
            const target = tf.add(tf.mul(onehot, 1 - cfg.bcSmoothing), tf.div(tf.mul(mask, cfg.bcSmoothing), open));
            const ce = tf.neg(tf.mean(tf.sum(tf.mul(tf.mul(lp, target), mask), 1)));
            const v = net.values(ctx);
            return tf.add(ce, tf.mul(cfg.vfCoef, tf.mean(tf.square(tf.sub(v, ret))))) as tf.Scalar;
          }, varList);
          const names = Object.keys(net.vars) as (keyof typeof net.vars)[];
          const clipped = clipByGlobalNorm(names.map((k) => grads[net.vars[k].name]!), cfg.maxGradNorm * 10);
          adam.apply(clipped, 1e-3);
          const out = [value.dataSync()[0]!, (accT as unknown as tf.Tensor).dataSync()[0]!];
          (accT as unknown as tf.Tensor).dispose();
          return out;
        });
        lossSum += loss!;
        accSum += acc!;
        batches++;
      }
      lastLoss = lossSum / batches;
      lastAcc = accSum / batches;
    }
    options.onWarmStart?.({ steps: N, loss: lastLoss, accuracy: lastAcc });
  }

  // ---- PPO
  const n = cfg.envs;
  const fullEpisodes = cfg.rolloutSteps === 0;
  const venv = new VectorAllocationEnv(n, envConfig);
  let nextObs: Observation[] = fullEpisodes ? [] : venv.reset({ seed: cfg.seed }).obs;
  // Episode-local step index → position in the copy's rollout, for `order` credits.
  const posOfStep: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const stepOf: number[] = new Array<number>(n).fill(0);
  const epReturn = new Float64Array(n);
  const metrics: IterationMetrics[] = [];
  let globalStep = 0;

  for (let iteration = 1; iteration <= cfg.iterations; iteration++) {
    if (cfg.maxSeconds !== null && (performance.now() - trainStart) / 1000 > cfg.maxSeconds) break;
    const started = performance.now();
    const frac = 1 - (iteration - 1) / cfg.iterations;
    const lr = cfg.annealLr ? frac * cfg.learningRate : cfg.learningRate;
    const actor = new Network(net.toParams(), spec);
    for (const m of posOfStep) m.clear();
    const done = { returns: [] as number[], reward: [] as number[], gm: [] as number[], fill: [] as number[], cfill: [] as number[], vsBase: [] as number[] };
    const roll = Array.from({ length: n }, () => ({
      obs: [] as Observation[], actions: [] as number[], logps: [] as number[], values: [] as number[],
      rewards: [] as number[], ended: [] as number[], bootstrap: [] as number[], lastValue: 0,
    }));
    if (fullEpisodes) {
      // One whole episode per copy: copy i plays seed + i + n × (iteration − 1), so late credits always land in the rollout.
      nextObs = venv.envs.map((e, i) => e.reset({ seed: cfg.seed + i + n * (iteration - 1) }).obs);
      stepOf.fill(0);
      epReturn.fill(0);
    }
    // A copy whose episode offers no decision at all sits the iteration out.
    const running = venv.envs.map((e) => !fullEpisodes || !e.done);

    // ---- rollout
    for (let t = 0; fullEpisodes ? running.some((x) => x) : t < cfg.rolloutSteps; t++) {
      for (let i = 0; i < n; i++) {
        if (!running[i]) continue;
        const R = roll[i]!;
        const o = nextObs[i]!;
        const lp = logSoftmax(actor.logits(o.count, o.candidates, o.context), o.count + 1);
        const a = sample(lp, o.count + 1, rngAct);
        posOfStep[i]!.set(stepOf[i]!, R.obs.length);
        R.obs.push(o);
        R.actions.push(a);
        R.logps.push(lp[a]!);
        R.values.push(actor.value(o.context));
        const r = fullEpisodes ? venv.envs[i]!.step(a) : null;
        const v = r ? null : venv.stepOne(i, a);
        const reward = r ? r.reward : v!.reward;
        const info = r ? r.info : v!.info;
        const terminated = r ? r.terminated : v!.terminated;
        const truncated = r ? r.truncated : v!.truncated;
        const fin = r ? r.obs : v!.finalObs;
        globalStep++;
        R.rewards.push(reward * rs);
        epReturn[i] += reward;
        for (const [st, x] of info.credits) {
          epReturn[i] += x;
          const pos = posOfStep[i]!.get(st);
          if (pos !== undefined) R.rewards[pos] += x * rs;
        }
        stepOf[i]!++;
        const isEnd = terminated || truncated;
        R.ended.push(isEnd ? 1 : 0);
        // Bootstrap on truncation from the final observation; one with nothing left to decide is worth 0.
        R.bootstrap.push(truncated && fin && fin.count > 0 ? actor.value(fin.context) : 0);
        if (isEnd) {
          done.returns.push(epReturn[i]! / cfg.rewardScale);
          if (info.result) {
            const kp = computeKpis(info.result).kpis;
            done.reward.push(kp.reward);
            done.gm.push(kp.grossMargin);
            done.fill.push(kp.fillRate);
            done.cfill.push(kp.contractFillRate);
            if (fullEpisodes) {
              const seed = cfg.seed + i + n * (iteration - 1);
              const baseRun = simulate(world, base, { seed, ...(cfg.days !== null ? { days: cfg.days } : {}) });
              done.vsBase.push(kp.reward - computeKpis(baseRun).kpis.reward);
              baseRun.ledger.release();
            }
          }
          epReturn[i] = 0;
          stepOf[i] = 0;
          posOfStep[i]!.clear();
          if (fullEpisodes) running[i] = false;
        }
        nextObs[i] = r ? r.obs : v!.obs;
      }
    }
    if (!fullEpisodes) for (let i = 0; i < n; i++) roll[i]!.lastValue = actor.value(nextObs[i]!.context);
    // Copies one after another; GAE within each copy.
    const obsBuf: Observation[] = roll.flatMap((R) => R.obs);
    const batchSize = obsBuf.length;
    const actions = Int32Array.from(roll.flatMap((R) => R.actions));
    const logps = Float64Array.from(roll.flatMap((R) => R.logps));
    const values = Float64Array.from(roll.flatMap((R) => R.values));
    const advantages = new Float64Array(batchSize);
    const returns = new Float64Array(batchSize);
    let off = 0;
    for (const R of roll) {
      const T = R.obs.length;
      const g = computeGae(
        Float64Array.from(R.rewards), Float64Array.from(R.values), Uint8Array.from(R.ended), Float64Array.from(R.bootstrap),
        Float64Array.from([R.lastValue]), T, 1, cfg.gamma, cfg.gaeLambda,
      );
      advantages.set(g.advantages, off);
      returns.set(g.returns, off);
      off += T;
    }
    const minibatchSize = Math.max(1, Math.floor(batchSize / cfg.minibatches));

    // ---- update
    const order = Array.from({ length: batchSize }, (_, i) => i);
    let stop = false;
    const acc = { pg: 0, v: 0, ent: 0, kl: 0, oldKl: 0, clipfrac: 0, count: 0 };
    for (let epoch = 0; epoch < cfg.updateEpochs && !stop; epoch++) {
      shuffle(order, rngShuffle);
      for (let s = 0; s + minibatchSize <= batchSize; s += minibatchSize) {
        const idx = order.slice(s, s + minibatchSize);
        const b = buildBatch(idx, obsBuf, spec);
        const acts = Int32Array.from(idx, (k) => paddedAction(actions[k]!, obsBuf[k]!.count, b.K));
        let adv = Float32Array.from(idx, (k) => advantages[k]!);
        if (cfg.normAdv) {
          let mean = 0;
          for (const x of adv) mean += x;
          mean /= adv.length;
          let sd = 0;
          for (const x of adv) sd += (x - mean) ** 2;
          sd = Math.sqrt(sd / Math.max(1, adv.length - 1));
          adv = adv.map((x) => (x - mean) / (sd + 1e-8));
        }
        const stats = tf.tidy(() => {
          const cand = tf.tensor3d(b.cand, [b.n, b.K, NC]);
          const ctx = tf.tensor2d(b.ctx, [b.n, NX]);
          const mask = tf.tensor2d(b.mask, [b.n, b.K + 1]);
          const onehot = tf.oneHot(tf.tensor1d(acts, 'int32'), b.K + 1);
          const oldLogp = tf.tensor1d(Float32Array.from(idx, (k) => logps[k]!));
          const advT = tf.tensor1d(adv);
          const ret = tf.tensor1d(Float32Array.from(idx, (k) => returns[k]!));
          const oldV = tf.tensor1d(Float32Array.from(idx, (k) => values[k]!));
          let kept: tf.Tensor | null = null;
          const { grads } = tf.variableGrads(() => {
            const lp = net.logProbs(cand, ctx, mask, b.n, b.K);
            const newLogp = tf.sum(tf.mul(lp, onehot), 1);
            const logratio = tf.sub(newLogp, oldLogp);
            const ratio = tf.exp(logratio);
            const pg1 = tf.mul(tf.neg(advT), ratio);
            const pg2 = tf.mul(tf.neg(advT), tf.clipByValue(ratio, 1 - cfg.clipCoef, 1 + cfg.clipCoef));
            const pgLoss = tf.mean(tf.maximum(pg1, pg2));
            const v = net.values(ctx);
            let vLoss: tf.Tensor;
            if (cfg.clipVloss) {
              const unclipped = tf.square(tf.sub(v, ret));
              const vClipped = tf.add(oldV, tf.clipByValue(tf.sub(v, oldV), -cfg.clipCoef, cfg.clipCoef));
              vLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, tf.square(tf.sub(vClipped, ret)))));
            } else {
              vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(v, ret))));
            }
            // Entropy over open options only: masked options have probability 0.
            const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.mul(tf.exp(lp), lp), mask), 1)));
            const oldApproxKl = tf.mean(tf.neg(logratio));
            const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logratio));
            const clipfrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), cfg.clipCoef), 'float32'));
            kept = tf.keep(tf.stack([pgLoss, vLoss, entropy, approxKl, oldApproxKl, clipfrac]));
            return tf.add(tf.sub(pgLoss, tf.mul(cfg.entCoef, entropy)), tf.mul(cfg.vfCoef, vLoss)) as tf.Scalar;
          }, varList);
          const names = Object.keys(net.vars) as (keyof typeof net.vars)[];
          const clipped = clipByGlobalNorm(names.map((k) => grads[net.vars[k].name]!), cfg.maxGradNorm);
          adam.apply(clipped, lr);
          const out = (kept as unknown as tf.Tensor).dataSync().slice();
          (kept as unknown as tf.Tensor).dispose();
          return out;
        });
        acc.pg += stats[0]!;
        acc.v += stats[1]!;
        acc.ent += stats[2]!;
        acc.kl += stats[3]!;
        acc.oldKl += stats[4]!;
        acc.clipfrac += stats[5]!;
        acc.count++;
        if (cfg.targetKl !== null && stats[3]! > cfg.targetKl) {
          stop = true;
          break;
        }
      }
    }
    const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : null);
    const c = Math.max(1, acc.count);
    const m: IterationMetrics = {
      iteration,
      global_step: globalStep,
      sps: Math.round(batchSize / ((performance.now() - started) / 1000)),
      learning_rate: lr,
      episodic_return: mean(done.returns),
      kpi_reward: mean(done.reward),
      kpi_gross_margin: mean(done.gm),
      kpi_fill_rate: mean(done.fill),
      kpi_contract_fill_rate: mean(done.cfill),
      kpi_reward_vs_base: mean(done.vsBase),
      episodes: done.returns.length,
      value_loss: acc.v / c,
      policy_loss: acc.pg / c,
      entropy: acc.ent / c,
      old_approx_kl: acc.oldKl / c,
      approx_kl: acc.kl / c,
      clipfrac: acc.clipfrac / c,
      explained_variance: explainedVariance(values, returns),
    };
    metrics.push(m);
    options.onIteration?.(m);
  }
  const finalParams = net.toParams();
  net.dispose();
  adam.dispose();
  return { params: finalParams, spec, config: cfg, metrics };
}

/**
 * Market-clearing margin curves of the scarce SKUs over teacher runs (see
 * `deriveCharges`, contracts priced), for SKUs whose most valuable unit is within
 * the agent's scope (unit margin ≥ `minUnitMargin`).
 */
export function clearingMargins(runs: readonly SimResult[], minUnitMargin: number): Record<string, number[]> {
  const { charges, report } = deriveCharges(runs, false);
  const out: Record<string, number[]> = {};
  for (const r of report) if (r.topMargin >= minUnitMargin) out[r.sku] = charges[r.sku]!;
  return out;
}
