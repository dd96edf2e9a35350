import type { PpoConfig } from './ppo/config.js';

/**
 * A small, fast training recipe (a minute or two on the default scenario) for
 * demos: `npm start` trains with it (src/cli/quick-train.ts).
 */
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
