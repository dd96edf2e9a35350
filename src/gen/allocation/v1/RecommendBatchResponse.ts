// Original file: proto/allocation/v1/allocation.proto

import type { RecommendResponse as _allocation_v1_RecommendResponse, RecommendResponse__Output as _allocation_v1_RecommendResponse__Output } from '../../allocation/v1/RecommendResponse.js';
import type { Long } from '@grpc/proto-loader';

export interface RecommendBatchResponse {
  'decisions'?: (_allocation_v1_RecommendResponse)[];
  'serverLatencyUs'?: (number | string | Long);
}

export interface RecommendBatchResponse__Output {
  'decisions': (_allocation_v1_RecommendResponse__Output)[];
  'serverLatencyUs': (number);
}
