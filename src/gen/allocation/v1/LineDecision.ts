// Original file: proto/allocation/v1/allocation.proto

import type { Allocation as _allocation_v1_Allocation, Allocation__Output as _allocation_v1_Allocation__Output } from '../../allocation/v1/Allocation.js';
import type { CandidateScore as _allocation_v1_CandidateScore, CandidateScore__Output as _allocation_v1_CandidateScore__Output } from '../../allocation/v1/CandidateScore.js';
import type { Long } from '@grpc/proto-loader';

export interface LineDecision {
  'sku'?: (string);
  'allocations'?: (_allocation_v1_Allocation)[];
  'backordered'?: (number | string | Long);
  'scores'?: (_allocation_v1_CandidateScore)[];
}

export interface LineDecision__Output {
  'sku': (string);
  'allocations': (_allocation_v1_Allocation__Output)[];
  'backordered': (number);
  'scores': (_allocation_v1_CandidateScore__Output)[];
}
