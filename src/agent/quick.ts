import type { World } from '../sim/model/world.js';
import { createRulePolicy } from '../sim/policies/rules.js';
import { selectBackend } from './backend.js';
import { Network } from './network.js';
import { NetworkPolicy } from './network-policy.js';
import { trainPpo, type IterationMetrics } from './ppo/train.js';
import type { PpoConfig } from './ppo/config.js';

/** A small, fast training recipe (a minute or two on the default scenario) for demos such as `npm start`. */
export const QUICK_CONFIG: Partial<PpoConfig> = {
  iterations: 6,
  envs: 2,
  rolloutSteps: 1024,
  minibatches: 4,
  updateEpochs: 4,
  bcEpisodes: 1,
  bcEpochs: 2,
  bcSmoothing: 0.2,
  learningRate: 1e-3,
  credit: 'order',
  gamma: 0.5,
  gaeLambda: 0.9,
  baseRule: 'cheapest',
  seed: 1,
};

/**
 * Trains a small policy on `world` and returns it ready to simulate, named
 * `rl:quick`. For the comparison table of `allocsim start`.
 */
export async function trainQuickPolicy(
  world: World,
  options: { backend?: string; config?: Partial<PpoConfig>; onIteration?: (m: IterationMetrics) => void } = {},
): Promise<NetworkPolicy> {
  await selectBackend(options.backend ?? 'auto');
  const config = { ...QUICK_CONFIG, ...options.config };
  const result = await trainPpo({ world, config, ...(options.onIteration ? { onIteration: options.onIteration } : {}) });
  return new NetworkPolicy('rl:quick', 'v0', new Network(result.params, result.spec), { minUnitMargin: result.config.minUnitMargin }, createRulePolicy(result.config.baseRule), 'sample');
}
