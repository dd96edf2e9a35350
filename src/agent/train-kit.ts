import * as tf from '@tensorflow/tfjs';
import type { Stream } from '../sim/kernel/random.js';
import type { Observation } from './env/allocation-env.js';
import { defaultFeatureSpec, NC, NX, type FeatureSpec } from './features/encoder.js';

// What every trainer of the network shares: minibatches, normalisation, Adam, clipping.

/** A padded, normalised minibatch as tensors, built from stored raw observations. */
export function buildBatch(
  idx: ArrayLike<number>,
  obs: readonly Observation[],
  spec: FeatureSpec,
): { n: number; K: number; cand: Float32Array; ctx: Float32Array; mask: Float32Array } {
  const n = idx.length;
  let K = 1;
  for (let b = 0; b < n; b++) K = Math.max(K, obs[idx[b]!]!.count);
  const cand = new Float32Array(n * K * NC);
  const ctx = new Float32Array(n * NX);
  const mask = new Float32Array(n * (K + 1));
  for (let b = 0; b < n; b++) {
    const o = obs[idx[b]!]!;
    for (let k = 0; k < o.count; k++) {
      for (let f = 0; f < NC; f++) cand[(b * K + k) * NC + f] = (o.candidates[k * NC + f]! - spec.candidateMean[f]!) / spec.candidateStd[f]!;
      mask[b * (K + 1) + k] = 1;
    }
    mask[b * (K + 1) + K] = 1;
    for (let f = 0; f < NX; f++) ctx[b * NX + f] = (o.context[f]! - spec.contextMean[f]!) / spec.contextStd[f]!;
  }
  return { n, K, cand, ctx, mask };
}

/** Normalisation statistics and seen ranges from a sample of raw observations. */
export function fitFeatureSpec(sample: readonly Observation[]): FeatureSpec {
  const spec = defaultFeatureSpec();
  const stats = (width: number, get: (o: Observation) => [Float32Array, number]) => {
    const sum = new Float64Array(width);
    const sq = new Float64Array(width);
    const lo = new Float64Array(width).fill(Infinity);
    const hi = new Float64Array(width).fill(-Infinity);
    let rows = 0;
    for (const o of sample) {
      const [a, r] = get(o);
      for (let i = 0; i < r; i++) {
        for (let f = 0; f < width; f++) {
          const v = a[i * width + f]!;
          sum[f] += v;
          sq[f] += v * v;
          if (v < lo[f]!) lo[f] = v;
          if (v > hi[f]!) hi[f] = v;
        }
        rows++;
      }
    }
    const mean = Array.from(sum, (s) => (rows ? s / rows : 0));
    const std = Array.from(sq, (s, f) => {
      const v = rows ? s / rows - mean[f]! ** 2 : 1;
      return v > 1e-6 ? Math.sqrt(v) : 1;
    });
    const range = Array.from(lo, (l, f) => [rows ? l : 0, rows ? hi[f]! : 0] as [number, number]);
    return { mean, std, range };
  };
  const c = stats(NC, (o) => [o.candidates, o.count]);
  const x = stats(NX, (o) => [o.context, 1]);
  spec.candidateMean = c.mean;
  spec.candidateStd = c.std;
  spec.candidateRange = c.range;
  spec.contextMean = x.mean;
  spec.contextStd = x.std;
  spec.contextRange = x.range;
  return spec;
}

/** Adam with bias correction, on tfjs variables, learning rate set per call. */
export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  constructor(private readonly vars: tf.Variable[], private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly eps = 1e-5) {
    const zeros = (x: tf.Variable) => {
      const z = tf.zerosLike(x);
      const v = tf.variable(z, false);
      z.dispose();
      return v;
    };
    this.m = vars.map(zeros);
    this.v = vars.map(zeros);
  }
  /** Applies gradients (already clipped). */
  apply(grads: tf.Tensor[], lr: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      grads.forEach((g, i) => {
        const m = this.m[i]!.mul(this.beta1).add(g.mul(1 - this.beta1));
        const v = this.v[i]!.mul(this.beta2).add(g.square().mul(1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        this.vars[i]!.assign(this.vars[i]!.sub(m.div(c1).div(v.div(c2).sqrt().add(this.eps)).mul(lr)));
      });
    });
  }
  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

/** Clips gradients to a global norm; returns new tensors (call inside tidy). */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  return grads.map((g) => tf.mul(g, scale));
}

export function shuffle(a: number[], rng: Stream): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
