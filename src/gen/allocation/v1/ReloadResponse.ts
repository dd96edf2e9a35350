// Original file: proto/allocation/v1/allocation.proto

import type { PolicyInfo as _allocation_v1_PolicyInfo, PolicyInfo__Output as _allocation_v1_PolicyInfo__Output } from '../../allocation/v1/PolicyInfo.js';

export interface ReloadResponse {
  'active'?: (_allocation_v1_PolicyInfo | null);
  'swapped'?: (boolean);
  'error'?: (string);
}

export interface ReloadResponse__Output {
  'active': (_allocation_v1_PolicyInfo__Output | null);
  'swapped': (boolean);
  'error': (string);
}
