import { Stream } from '../sim/kernel/random.js';
import { NC, NX, type FeatureSpec } from './features/encoder.js';
import { FORWARD_WASM_BASE64 } from './forward-wasm.js';

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

/**
 * The compiled forward-pass kernel (wasm/forward.ts), shared by every Network.
 * Node has WebAssembly SIMD from v16.4; `engines` asks for 20.
 */
let kernelModule: WebAssembly.Module | undefined;
function kernel(): WebAssembly.Module {
  return (kernelModule ??= new WebAssembly.Module(Buffer.from(FORWARD_WASM_BASE64, 'base64')));
}

interface KernelExports {
  memory: WebAssembly.Memory;
  configure(at: number): void;
  logits(count: number): void;
  value(): void;
}

/** Slots of the kernel's layout table (see wasm/forward.ts). */
const SLOT = { H: 0, NX: 1, NC: 2, pW1x: 3, pW1c: 4, pW1d: 5, pb1: 6, pW2: 7, pb2: 8, pW3: 9, vW1: 10, vb1: 11, vW2: 12, vb2: 13, vW3: 14, context: 15, candidates: 16, hx: 17, rows: 18, out: 19 } as const;
const TABLE_BYTES = 128;
const PAGE = 65536;

/**
 * The tensor-free forward pass. `logits(...)` scores `count` candidates plus defer
 * (index `count`) for one step; `value(...)` is the state value. Inputs are raw
 * encoder features; the spec's normalisation is applied here.
 *
 * The arithmetic runs in a WebAssembly SIMD kernel (wasm/forward.ts), in float32
 * as tfjs's: ~11× the plain JS loops it replaced (bench:agent prints both). Each
 * Network has its own kernel instance and memory: the parameters, padded to a
 * hidden width that is a multiple of four (the padding units have zero weights and
 * add nothing), then the step's scratch, which grows with the number of options.
 */
export class Network {
  readonly hidden: number;
  private readonly k: KernelExports;
  /** Padded hidden width. */
  private readonly Hp: number;
  private f32!: Float32Array;
  private f64!: Float64Array;
  private u32!: Uint32Array;
  /** First byte after the parameters and the fixed scratch. */
  private readonly varBase: number;
  /** Options the scratch has room for (candidates; one more row for defer). */
  private cap = 0;
  private ctxAt: number;
  private candAt = 0;
  private outAt = 0;
  private readonly b3: number;
  private readonly vb3: number;

  constructor(readonly params: NetworkParams, readonly spec: FeatureSpec) {
    const H = (this.hidden = params.pb1.length);
    const Hp = (this.Hp = Math.ceil(H / 4) * 4);
    this.b3 = params.pb3[0]!;
    this.vb3 = params.vb3[0]!;
    this.k = new WebAssembly.Instance(kernel(), {}).exports as unknown as KernelExports;
    // Parameters, each padded to Hp columns (and pW2/vW2 to Hp rows), 16-byte aligned.
    // [slot, values, rows, rows in memory]: the hidden-to-hidden matrices get padding rows too.
    const blocks: [keyof typeof SLOT, Float32Array, number, number][] = [
      ['pW1x', params.pW1x, NX, NX], ['pW1c', params.pW1c, NC, NC], ['pW1d', params.pW1d, 1, 1], ['pb1', params.pb1, 1, 1],
      ['pW2', params.pW2, H, Hp], ['pb2', params.pb2, 1, 1], ['pW3', params.pW3, 1, 1],
      ['vW1', params.vW1, NX, NX], ['vb1', params.vb1, 1, 1], ['vW2', params.vW2, H, Hp], ['vb2', params.vb2, 1, 1], ['vW3', params.vW3, 1, 1],
    ];
    let at = TABLE_BYTES;
    const placed: [number, Float32Array, number][] = [];
    const slots: Partial<Record<keyof typeof SLOT, number>> = { H: Hp, NX, NC };
    for (const [name, data, rows, paddedRows] of blocks) {
      slots[name] = at;
      placed.push([at, data, rows]);
      at += align16(paddedRows * Hp * 4);
    }
    slots.context = this.ctxAt = at;
    at += align16(NX * 4);
    slots.hx = at;
    at += align16(Hp * 4);
    this.varBase = at;
    this.grow(8);
    const u32 = this.u32;
    for (const [name, v] of Object.entries(slots)) u32[SLOT[name as keyof typeof SLOT]] = v!;
    const f32 = this.f32;
    for (const [base, data, rows] of placed) {
      for (let r = 0; r < rows; r++) f32.set(data.subarray(r * H, r * H + H), base / 4 + r * Hp);
    }
    this.k.configure(0);
  }

  /** Makes room for `count` candidates: moves the step's scratch and grows memory if needed. */
  private grow(count: number): void {
    const cap = Math.max(count, this.cap * 2);
    const Hp = this.Hp;
    let at = this.varBase;
    const cand = at;
    at += align16(cap * NC * 4);
    const rows = at;
    at += align16((cap + 1) * Hp * 4);
    const out = at;
    at += (cap + 1) * 8;
    const need = Math.ceil(at / PAGE) - this.k.memory.buffer.byteLength / PAGE;
    if (need > 0) this.k.memory.grow(need);
    const buf = this.k.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.u32[SLOT.candidates] = this.candAt = cand;
    this.u32[SLOT.rows] = rows;
    this.u32[SLOT.out] = this.outAt = out;
    this.cap = cap;
  }

  /** Writes the standardised context into the kernel's memory. */
  private putContext(context: Float32Array): void {
    const f32 = this.f32;
    const mean = this.spec.contextMean;
    const std = this.spec.contextStd;
    const o = this.ctxAt >> 2;
    for (let f = 0; f < NX; f++) f32[o + f] = (context[f]! - mean[f]!) / std[f]!;
  }

  /** Scores `count` candidates and defer (index `count`). */
  logits(count: number, candidates: Float32Array, context: Float32Array, out = new Float64Array(count + 1)): Float64Array {
    if (count > this.cap) this.grow(count);
    this.putContext(context);
    const f32 = this.f32;
    const mean = this.spec.candidateMean;
    const std = this.spec.candidateStd;
    const o = this.candAt >> 2;
    for (let k = 0; k < count; k++) {
      const r = k * NC;
      for (let f = 0; f < NC; f++) f32[o + r + f] = (candidates[r + f]! - mean[f]!) / std[f]!;
    }
    this.k.logits(count);
    const f64 = this.f64;
    const y = this.outAt >> 3;
    const b3 = this.b3;
    for (let k = 0; k <= count; k++) out[k] = b3 + f64[y + k]!;
    return out;
  }

  /** The state value of a context. */
  value(context: Float32Array): number {
    this.putContext(context);
    this.k.value();
    return this.vb3 + this.f64[this.outAt >> 3]!;
  }
}

/**
 * The forward pass as plain loops, one option at a time, every sum stored to
 * float32 as it accumulates: the specification the kernel is tested against
 * (test/agent/network.test.ts) and timed against (bench:agent). Not used to decide.
 */
export const plainForward = {
  logits(params: NetworkParams, spec: FeatureSpec, count: number, candidates: Float32Array, context: Float32Array): number[] {
    const H = params.pb1.length;
    const cand = Float32Array.from(candidates.subarray(0, count * NC), (x, i) => (x - spec.candidateMean[i % NC]!) / spec.candidateStd[i % NC]!);
    const ctx = Float32Array.from(context, (x, f) => (x - spec.contextMean[f]!) / spec.contextStd[f]!);
    const hx = Float32Array.from(params.pb1);
    for (let f = 0; f < NX; f++) for (let h = 0; h < H; h++) hx[h] += ctx[f]! * params.pW1x[f * H + h]!;
    const out: number[] = [];
    const h1 = new Float32Array(H);
    const h2 = new Float32Array(H);
    for (let k = 0; k <= count; k++) {
      for (let h = 0; h < H; h++) h1[h] = k < count ? hx[h]! : hx[h]! + params.pW1d[h]!;
      if (k < count) for (let f = 0; f < NC; f++) for (let h = 0; h < H; h++) h1[h] += cand[k * NC + f]! * params.pW1c[f * H + h]!;
      out.push(plainHead(h1, params.pW2, params.pb2, params.pW3, params.pb3[0]!, h2));
    }
    return out;
  },
  value(params: NetworkParams, spec: FeatureSpec, context: Float32Array): number {
    const H = params.pb1.length;
    const ctx = Float32Array.from(context, (x, f) => (x - spec.contextMean[f]!) / spec.contextStd[f]!);
    const h1 = Float32Array.from(params.vb1);
    for (let f = 0; f < NX; f++) for (let h = 0; h < H; h++) h1[h] += ctx[f]! * params.vW1[f * H + h]!;
    return plainHead(h1, params.vW2, params.vb2, params.vW3, params.vb3[0]!, new Float32Array(H));
  },
};

/** tanh(h1) → tanh(· W2 + b2) · W3 + b3, with h1 holding pre-activations. */
function plainHead(h1: Float32Array, W2: Float32Array, b2: Float32Array, W3: Float32Array, b3: number, h2: Float32Array): number {
  const H = h1.length;
  h2.set(b2);
  for (let i = 0; i < H; i++) {
    const a = Math.tanh(h1[i]!);
    for (let h = 0; h < H; h++) h2[h] += a * W2[i * H + h]!;
  }
  let y = b3;
  for (let h = 0; h < H; h++) y += Math.tanh(h2[h]!) * W3[h]!;
  return y;
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** Log-softmax of the first `n` logits, into `out` when given. */
export function logSoftmax(logits: ArrayLike<number>, n: number, out = new Float64Array(n)): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > m) m = logits[i]!;
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(logits[i]! - m);
  const lz = m + Math.log(z);
  for (let i = 0; i < n; i++) out[i] = logits[i]! - lz;
  return out;
}
