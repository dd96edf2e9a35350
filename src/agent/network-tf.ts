import * as tf from './tf.js';
import { NC, NX } from './features/encoder.js';
import { PARAM_NAMES, paramShapes, type NetworkParams, type ParamName } from './network.js';

/**
 * A padded batch of steps, features already normalised: `cand` is n × K × NC
 * (rows past a step's candidate count are zero), `ctx` n × NX, `mask` n × (K + 1)
 * with 1 for an open candidate and for defer (index K).
 */
export interface StepBatch {
  n: number;
  K: number;
  cand: Float32Array;
  ctx: Float32Array;
  mask: Float32Array;
}

/** Where a step's action lands in a padded batch: candidates keep their index, defer goes to K. */
export function paddedAction(action: number, count: number, K: number): number {
  return action === count ? K : action;
}

let nextId = 0;

/**
 * The network as tfjs variables, for training and batched scoring. The math is
 * the same as `Network` in network.ts (tested equal within 1e-5).
 */
export class TfNetwork {
  readonly vars: Record<ParamName, tf.Variable>;
  readonly hidden: number;

  constructor(params: NetworkParams) {
    this.hidden = params.pb1.length;
    const shapes = paramShapes(this.hidden);
    this.vars = {} as Record<ParamName, tf.Variable>;
    const id = nextId++;
    for (const name of PARAM_NAMES) {
      const init = tf.tensor(params[name], shapes[name]);
      this.vars[name] = tf.variable(init, true, `allocsim/${id}/${name}`);
      init.dispose();
    }
  }

  /** Masked log-probabilities over K candidates + defer, [n, K + 1]. Call inside tf.tidy. */
  logProbs(cand: tf.Tensor, ctx: tf.Tensor, mask: tf.Tensor, n: number, K: number): tf.Tensor2D {
    const v = this.vars;
    const H = this.hidden;
    const hx = tf.add(tf.matMul(ctx as tf.Tensor2D, v.pW1x as tf.Tensor2D), v.pb1); // [n, H]
    const hc = tf.reshape(tf.matMul(tf.reshape(cand, [n * K, NC]), v.pW1c as tf.Tensor2D), [n, K, H]);
    const h1c = tf.add(hc, tf.reshape(hx, [n, 1, H]));
    const h1d = tf.reshape(tf.add(hx, v.pW1d), [n, 1, H]);
    const h1 = tf.tanh(tf.concat([h1c, h1d], 1)); // [n, K + 1, H]
    const h2 = tf.tanh(tf.add(tf.matMul(tf.reshape(h1, [n * (K + 1), H]), v.pW2 as tf.Tensor2D), v.pb2));
    const logits = tf.reshape(tf.add(tf.matMul(h2, v.pW3 as tf.Tensor2D), v.pb3), [n, K + 1]);
    const masked = tf.where(tf.greater(mask, 0), logits, tf.fill([n, K + 1], -1e9));
    return tf.logSoftmax(masked) as tf.Tensor2D;
  }

  /** State values, [n]. Call inside tf.tidy. */
  values(ctx: tf.Tensor): tf.Tensor1D {
    const v = this.vars;
    const h1 = tf.tanh(tf.add(tf.matMul(ctx as tf.Tensor2D, v.vW1 as tf.Tensor2D), v.vb1));
    const h2 = tf.tanh(tf.add(tf.matMul(h1, v.vW2 as tf.Tensor2D), v.vb2));
    return tf.reshape(tf.add(tf.matMul(h2, v.vW3 as tf.Tensor2D), v.vb3), [-1]) as tf.Tensor1D;
  }

  /** Batched scoring: log-probabilities [n × (K + 1)] and values [n], as plain arrays. */
  score(batch: StepBatch): { logProbs: Float32Array; values: Float32Array } {
    return tf.tidy(() => {
      const cand = tf.tensor3d(batch.cand, [batch.n, batch.K, NC]);
      const ctx = tf.tensor2d(batch.ctx, [batch.n, NX]);
      const mask = tf.tensor2d(batch.mask, [batch.n, batch.K + 1]);
      const lp = this.logProbs(cand, ctx, mask, batch.n, batch.K);
      const val = this.values(ctx);
      return { logProbs: lp.dataSync() as Float32Array, values: val.dataSync() as Float32Array };
    });
  }

  /** A copy of the current parameters. */
  toParams(): NetworkParams {
    const out = {} as NetworkParams;
    for (const name of PARAM_NAMES) out[name] = this.vars[name].dataSync().slice() as Float32Array;
    return out;
  }

  /** Sets every variable from `params`. */
  load(params: NetworkParams): void {
    const shapes = paramShapes(this.hidden);
    for (const name of PARAM_NAMES) tf.tidy(() => this.vars[name].assign(tf.tensor(params[name], shapes[name])));
  }

  dispose(): void {
    for (const name of PARAM_NAMES) this.vars[name].dispose();
  }
}
