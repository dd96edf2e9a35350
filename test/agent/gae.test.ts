import { describe, expect, it } from 'vitest';
import { computeGae, explainedVariance } from '../../src/agent/ppo/gae.js';

describe('GAE', () => {
  it('matches a hand-computed example with a truncation bootstrap', () => {
    // One env, 3 steps, γ = 0.5, λ = 0.5. The episode is truncated at step 1 with
    // V(final obs) = 4; step 2 starts a new episode cut off by the rollout (V(next) = 2).
    const rewards = Float64Array.from([1, 2, 3]);
    const values = Float64Array.from([0.5, 1, 1.5]);
    const ended = Uint8Array.from([0, 1, 0]);
    const bootstrap = Float64Array.from([0, 4, 0]);
    const { advantages, returns } = computeGae(rewards, values, ended, bootstrap, Float64Array.from([2]), 3, 1, 0.5, 0.5);
    // step 2: δ = 3 + 0.5·2 − 1.5 = 2.5; A = 2.5
    // step 1: δ = 2 + 0.5·4 − 1 = 3; no carry across the episode end → A = 3
    // step 0: δ = 1 + 0.5·1 − 0.5 = 1; A = 1 + 0.25·3 = 1.75
    expect(Array.from(advantages)).toEqual([1.75, 3, 2.5]);
    expect(Array.from(returns)).toEqual([2.25, 4, 4]);
  });

  it('interleaves envs time-major and treats termination (bootstrap 0) as the end', () => {
    const rewards = Float64Array.from([1, 10, 1, 10]);
    const values = Float64Array.from([0, 0, 0, 0]);
    const ended = Uint8Array.from([0, 0, 1, 0]);
    const { advantages } = computeGae(rewards, values, ended, new Float64Array(4), Float64Array.from([0, 0]), 2, 2, 1, 1);
    expect(Array.from(advantages)).toEqual([2, 20, 1, 10]);
  });

  it('explained variance is 1 for a perfect value head and 0 for a constant', () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBeCloseTo(1);
    expect(explainedVariance([2, 2, 2], [1, 2, 3])).toBeCloseTo(0);
  });
});
