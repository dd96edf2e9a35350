// Original file: proto/allocation/v1/allocation.proto

import type { PolicyInfo as _allocation_v1_PolicyInfo, PolicyInfo__Output as _allocation_v1_PolicyInfo__Output } from '../../allocation/v1/PolicyInfo.js';
import type { ServingMode as _allocation_v1_ServingMode, ServingMode__Output as _allocation_v1_ServingMode__Output } from '../../allocation/v1/ServingMode.js';

export interface ListPoliciesResponse {
  'policies'?: (_allocation_v1_PolicyInfo)[];
  'mode'?: (_allocation_v1_ServingMode);
  'fallbackRules'?: (string);
}

export interface ListPoliciesResponse__Output {
  'policies': (_allocation_v1_PolicyInfo__Output)[];
  'mode': (_allocation_v1_ServingMode__Output);
  'fallbackRules': (string);
}
