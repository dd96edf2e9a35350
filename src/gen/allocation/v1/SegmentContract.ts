// Original file: proto/allocation/v1/allocation.proto

import type { ContractPosition as _allocation_v1_ContractPosition, ContractPosition__Output as _allocation_v1_ContractPosition__Output } from '../../allocation/v1/ContractPosition.js';

export interface SegmentContract {
  'segment'?: (string);
  'position'?: (_allocation_v1_ContractPosition | null);
}

export interface SegmentContract__Output {
  'segment': (string);
  'position': (_allocation_v1_ContractPosition__Output | null);
}
