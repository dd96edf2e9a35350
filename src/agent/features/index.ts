export {
  encodeStep,
  defaultFeatureSpec,
  FEATURE_SPEC_VERSION,
  CANDIDATE_FEATURES,
  CONTEXT_FEATURES,
  CANDIDATE_BOUNDS,
  CONTEXT_BOUNDS,
  NC,
  NX,
} from './encoder.js';
export type { EncodedStep, FeatureSpec } from './encoder.js';
