import { describe, expect, it } from 'vitest';
import { computeKpis } from '../../src/sim/kpis.js';
import { simulate } from '../../src/sim/engine.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { selectBackend } from '../../src/agent/backend.js';
import { initParams, Network } from '../../src/agent/network.js';
import { NetworkPolicy } from '../../src/agent/network-policy.js';
import { trainPpo } from '../../src/agent/ppo/train.js';
import { resolveConfig } from '../../src/agent/ppo/config.js';
import { nearFarWorld } from './fixtures.js';

describe('PPO', async () => {
  await selectBackend('cpu');

  it('a short run improves reward on a trivially learnable scenario (ship from next door, now)', async () => {
    const world = nearFarWorld(4);
    const config = {
      iterations: 12,
      envs: 2,
      rolloutSteps: 96,
      minibatches: 2,
      updateEpochs: 4,
      hidden: 16,
      learningRate: 3e-3,
      gamma: 0.5,
      credit: 'order' as const,
      baseRule: 'cheapest',
      seed: 3,
    };
    const result = await trainPpo({ world, config });
    const evaluate = (params: typeof result.params) => {
      const policy = new NetworkPolicy('p', undefined, new Network(params, result.spec), { minUnitMargin: 0 }, createRulePolicy('cheapest'));
      let total = 0;
      for (const seed of [101, 102, 103]) total += computeKpis(simulate(world, policy, { seed })).kpis.reward;
      return total / 3;
    };
    const before = evaluate(initParams(16, 3));
    const after = evaluate(result.params);
    const m = result.metrics;
    expect(m).toHaveLength(12);
    for (const x of m) {
      expect(Number.isFinite(x.approx_kl)).toBe(true);
      expect(x.clipfrac).toBeGreaterThanOrEqual(0);
      expect(x.sps).toBeGreaterThan(0);
    }
    // The best rule here is `cheapest`; a trained policy gets most of the way there.
    const best = [101, 102, 103].reduce((a, seed) => a + computeKpis(simulate(world, createRulePolicy('cheapest'), { seed })).kpis.reward, 0) / 3;
    expect(after).toBeGreaterThanOrEqual(before + 0.5 * (best - before));
    expect(after).toBeGreaterThan(best - 0.05 * Math.abs(best));
  });

  it('rejects bad config values naming field and value', () => {
    expect(() => resolveConfig({ gamma: 1.5 })).toThrow(/gamma\(=1.5\)/);
    expect(() => resolveConfig({ envs: 0 })).toThrow(/envs\(=0\)/);
    expect(() => resolveConfig({ credit: 'x' as 'time' })).toThrow(/credit\(=x\)/);
  });
});
