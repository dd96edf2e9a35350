/**
 * Generalised advantage estimation over a time-major rollout of T steps × n envs
 * (index t * n + i). `ended[k]` marks the last step of an episode; when that end
 * was a time-limit truncation, `bootstrap[k]` is V(final observation) and the
 * return continues from it instead of from 0 (better than CleanRL, which treats
 * truncation as termination). `lastValues[i]` bootstraps the rollout's cut-off.
 */
export function computeGae(
  rewards: Float64Array,
  values: Float64Array,
  ended: Uint8Array,
  bootstrap: Float64Array,
  lastValues: Float64Array,
  T: number,
  n: number,
  gamma: number,
  lambda: number,
): { advantages: Float64Array; returns: Float64Array } {
  const advantages = new Float64Array(T * n);
  const returns = new Float64Array(T * n);
  for (let i = 0; i < n; i++) {
    let lastGae = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = t * n + i;
      let nextValue: number;
      let carry: number;
      if (ended[k]) {
        nextValue = bootstrap[k]!;
        carry = 0;
      } else {
        nextValue = t === T - 1 ? lastValues[i]! : values[k + n]!;
        carry = 1;
      }
      const delta = rewards[k]! + gamma * nextValue - values[k]!;
      lastGae = delta + gamma * lambda * carry * lastGae;
      advantages[k] = lastGae;
      returns[k] = lastGae + values[k]!;
    }
  }
  return { advantages, returns };
}

/** 1 − Var(returns − values) / Var(returns): how much of the return the value head explains. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>): number {
  const n = returns.length;
  let mr = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    mr += returns[i]!;
    md += returns[i]! - values[i]!;
  }
  mr /= n;
  md /= n;
  let vr = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    vr += (returns[i]! - mr) ** 2;
    const d = returns[i]! - values[i]! - md;
    vd += d * d;
  }
  return vr === 0 ? NaN : 1 - vd / vr;
}
