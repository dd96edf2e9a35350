// Original file: proto/allocation/v1/allocation.proto

import type { Order as _allocation_v1_Order, Order__Output as _allocation_v1_Order__Output } from '../../allocation/v1/Order.js';
import type { Snapshot as _allocation_v1_Snapshot, Snapshot__Output as _allocation_v1_Snapshot__Output } from '../../allocation/v1/Snapshot.js';

export interface RecommendBatchRequest {
  'orders'?: (_allocation_v1_Order)[];
  'snapshot'?: (_allocation_v1_Snapshot | null);
  'forceRules'?: (boolean);
}

export interface RecommendBatchRequest__Output {
  'orders': (_allocation_v1_Order__Output)[];
  'snapshot': (_allocation_v1_Snapshot__Output | null);
  'forceRules': (boolean);
}
