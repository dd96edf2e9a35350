export { trainPpo, fitFeatureSpec, clearingMargins } from './train.js';
export type { IterationMetrics, TrainOptions, TrainResult } from './train.js';
export { DEFAULT_PPO_CONFIG, resolveConfig, PpoConfigError } from './config.js';
export type { PpoConfig } from './config.js';
export { computeGae, explainedVariance } from './gae.js';
