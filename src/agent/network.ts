import { Stream } from '../sim/kernel/random.js';
import { NC, NX, type FeatureSpec } from './features/encoder.js';

/**
 * The policy network's parameters and its tensor-free forward pass. One shared
 * MLP scores every open candidate from (candidate features ⊕ context features),
 * plus a "defer" option (the same MLP with the candidate part replaced by a
 * learned defer embedding); a masked softmax over them is the policy. A separate
 * MLP over the context is the value head. Any number of warehouses works: the
 * candidate MLP is shared. `network-tf.ts` builds the same function in tfjs for
 * training; this file has no tfjs so the service can score without it.
 */

/** Parameter names, in the order they are stored. Shapes depend on `hidden`. */
export const PARAM_NAMES = ['pW1c', 'pW1x', 'pW1d', 'pb1', 'pW2', 'pb2', 'pW3', 'pb3', 'vW1', 'vb1', 'vW2', 'vb2', 'vW3', 'vb3'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Every parameter as a flat row-major array. */
export type NetworkParams = Record<ParamName, Float32Array>;

/** Shape of each parameter for a hidden width. */
export function paramShapes(hidden: number): Record<ParamName, number[]> {
  const H = hidden;
  return {
    pW1c: [NC, H], pW1x: [NX, H], pW1d: [H], pb1: [H], pW2: [H, H], pb2: [H], pW3: [H, 1], pb3: [1],
    vW1: [NX, H], vb1: [H], vW2: [H, H], vb2: [H], vW3: [H, 1], vb3: [1],
  };
}

/**
 * Seeded initial parameters: Glorot-uniform weights, zero biases, a small policy
 * output layer (near-uniform first policy, as CleanRL's 0.01 actor gain).
 */
export function initParams(hidden: number, seed: number): NetworkParams {
  const rng = new Stream('network-init', seed);
  const shapes = paramShapes(hidden);
  const out = {} as NetworkParams;
  for (const name of PARAM_NAMES) {
    const shape = shapes[name];
    const size = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(size);
    const isBias = name.startsWith('pb') || name.startsWith('vb');
    if (!isBias) {
      const fanIn = shape.length > 1 ? shape[0]! : 1;
      const fanOut = shape.length > 1 ? shape[1]! : shape[0]!;
      const gain = name === 'pW3' ? 0.01 : name === 'pW1d' ? 0.5 : 1;
      const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) a[i] = (2 * rng.uniform() - 1) * limit;
    }
    out[name] = a;
  }
  return out;
}

/** Standardises raw features with the spec's statistics into `out`. */
export function normalise(raw: Float32Array, mean: readonly number[], std: readonly number[], width: number, out: Float32Array): Float32Array {
  for (let i = 0; i < raw.length; i++) {
    const f = i % width;
    out[i] = (raw[i]! - mean[f]!) / std[f]!;
  }
  return out;
}

/** Reusable scratch buffers for the forward pass. */
class Scratch {
  hx: Float32Array;
  h1: Float32Array;
  h2: Float32Array;
  /** First-layer activations of every option of a step, one row of H each. */
  rows: Float32Array;
  cand = new Float32Array(16 * NC);
  ctx = new Float32Array(NX);
  constructor(readonly H: number) {
    this.hx = new Float32Array(H);
    this.h1 = new Float32Array(H);
    this.h2 = new Float32Array(H);
    this.rows = new Float32Array(8 * H);
  }
}

/**
 * The tensor-free forward pass. `logits(...)` scores `count` candidates plus defer
 * (index `count`) for one step; `value(...)` is the state value. Inputs are raw
 * encoder features; the spec's normalisation is applied here.
 */
export class Network {
  readonly hidden: number;
  private readonly s: Scratch;

  /** pW1x, pW1c and pW2 transposed (row h holds the weights into unit h), for the layers' dot products. */
  private readonly w1xt: Float32Array;
  private readonly w1ct: Float32Array;
  private readonly w2t: Float32Array;

  constructor(readonly params: NetworkParams, readonly spec: FeatureSpec) {
    const H = (this.hidden = params.pb1.length);
    this.s = new Scratch(H);
    this.w1xt = transpose(params.pW1x, NX, H);
    this.w1ct = transpose(params.pW1c, NC, H);
    this.w2t = transpose(params.pW2, H, H);
  }

  /**
   * Scores `count` candidates and defer. Arithmetic is float32 throughout, as
   * tfjs's: every sum is rounded to float32 after each term. Each layer runs
   * against transposed weights with the sums in registers (`Math.fround` per
   * term) instead of a store per term, the second over four (or two) options at a time —
   * the same operations in the same order, so the same bits (test/agent/network.test.ts
   * checks against the plain loops).
   */
  logits(count: number, candidates: Float32Array, context: Float32Array, out = new Float64Array(count + 1)): Float64Array {
    const H = this.hidden;
    const p = this.params;
    const s = this.s;
    if (s.cand.length < candidates.length) s.cand = new Float32Array(candidates.length);
    const cand = normalise(candidates, this.spec.candidateMean, this.spec.candidateStd, NC, s.cand);
    const ctx = normalise(context, this.spec.contextMean, this.spec.contextStd, NX, s.ctx);
    const hx = s.hx;
    const W1xT = this.w1xt;
    for (let h = 0; h < H; h++) {
      const wr = h * NX;
      let acc = p.pb1[h]!;
      for (let f = 0; f < NX; f++) {
        const v = ctx[f]!;
        if (v !== 0) acc = Math.fround(acc + v * W1xT[wr + f]!);
      }
      hx[h] = acc;
    }
    const n = count + 1;
    if (s.rows.length < n * H) s.rows = new Float32Array(n * H);
    const A = s.rows;
    const W1cT = this.w1ct;
    for (let k = 0; k < count; k++) {
      const base = k * H;
      const c0 = k * NC;
      for (let h = 0; h < H; h++) {
        const wr = h * NC;
        let acc = hx[h]!;
        for (let f = 0; f < NC; f++) {
          const v = cand[c0 + f]!;
          if (v !== 0) acc = Math.fround(acc + v * W1cT[wr + f]!);
        }
        A[base + h] = acc;
      }
    }
    for (let h = 0; h < H; h++) A[count * H + h] = hx[h]! + p.pW1d[h]!;
    for (let i = 0; i < n * H; i++) A[i] = Math.tanh(A[i]!);
    const W2T = this.w2t;
    const b2 = p.pb2;
    const W3 = p.pW3;
    const b3 = p.pb3[0]!;
    let k = 0;
    for (; k + 3 < n; k += 4) {
      const a0 = k * H;
      const a1 = a0 + H;
      const a2 = a1 + H;
      const a3 = a2 + H;
      let y0 = b3;
      let y1 = b3;
      let y2 = b3;
      let y3 = b3;
      for (let h = 0; h < H; h++) {
        const wr = h * H;
        let s0 = b2[h]!;
        let s1 = s0;
        let s2 = s0;
        let s3 = s0;
        for (let i = 0; i < H; i++) {
          const w = W2T[wr + i]!;
          s0 = Math.fround(s0 + A[a0 + i]! * w);
          s1 = Math.fround(s1 + A[a1 + i]! * w);
          s2 = Math.fround(s2 + A[a2 + i]! * w);
          s3 = Math.fround(s3 + A[a3 + i]! * w);
        }
        const w3 = W3[h]!;
        y0 += Math.tanh(s0) * w3;
        y1 += Math.tanh(s1) * w3;
        y2 += Math.tanh(s2) * w3;
        y3 += Math.tanh(s3) * w3;
      }
      out[k] = y0;
      out[k + 1] = y1;
      out[k + 2] = y2;
      out[k + 3] = y3;
    }
    for (; k + 1 < n; k += 2) {
      const a0 = k * H;
      const a1 = a0 + H;
      let y0 = b3;
      let y1 = b3;
      for (let h = 0; h < H; h++) {
        const wr = h * H;
        let s0 = b2[h]!;
        let s1 = s0;
        for (let i = 0; i < H; i++) {
          const w = W2T[wr + i]!;
          s0 = Math.fround(s0 + A[a0 + i]! * w);
          s1 = Math.fround(s1 + A[a1 + i]! * w);
        }
        y0 += Math.tanh(s0) * W3[h]!;
        y1 += Math.tanh(s1) * W3[h]!;
      }
      out[k] = y0;
      out[k + 1] = y1;
    }
    if (k < n) {
      const a0 = k * H;
      let y0 = b3;
      for (let h = 0; h < H; h++) {
        const wr = h * H;
        let s0 = b2[h]!;
        for (let i = 0; i < H; i++) s0 = Math.fround(s0 + A[a0 + i]! * W2T[wr + i]!);
        y0 += Math.tanh(s0) * W3[h]!;
      }
      out[k] = y0;
    }
    return out;
  }

  value(context: Float32Array): number {
    const H = this.hidden;
    const p = this.params;
    const s = this.s;
    const ctx = normalise(context, this.spec.contextMean, this.spec.contextStd, NX, s.ctx);
    const h1 = s.h1;
    for (let h = 0; h < H; h++) h1[h] = p.vb1[h]!;
    for (let f = 0; f < NX; f++) {
      const v = ctx[f]!;
      if (v === 0) continue;
      const row = f * H;
      for (let h = 0; h < H; h++) h1[h] += v * p.vW1[row + h]!;
    }
    for (let h = 0; h < H; h++) h1[h] = Math.tanh(h1[h]!);
    return this.head(h1, p.vW2, p.vb2, p.vW3, p.vb3[0]!);
  }

  /** tanh(h1 · W2 + b2) · W3 + b3 */
  private head(h1: Float32Array, W2: Float32Array, b2: Float32Array, W3: Float32Array, b3: number): number {
    const H = this.hidden;
    const h2 = this.s.h2;
    for (let h = 0; h < H; h++) h2[h] = b2[h]!;
    for (let i = 0; i < H; i++) {
      const v = h1[i]!;
      const row = i * H;
      for (let h = 0; h < H; h++) h2[h] += v * W2[row + h]!;
    }
    let y = b3;
    for (let h = 0; h < H; h++) y += Math.tanh(h2[h]!) * W3[h]!;
    return y;
  }
}

/** A row-major rows × cols matrix transposed. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}

/** Log-softmax of logits in place-free form. */
export function logSoftmax(logits: ArrayLike<number>, n: number): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > m) m = logits[i]!;
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logits[i]! - m);
  const lz = m + Math.log(z);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logits[i]! - lz;
  return out;
}
