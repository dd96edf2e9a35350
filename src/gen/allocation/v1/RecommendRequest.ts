// Original file: proto/allocation/v1/allocation.proto

import type { Order as _allocation_v1_Order, Order__Output as _allocation_v1_Order__Output } from '../../allocation/v1/Order.js';
import type { Snapshot as _allocation_v1_Snapshot, Snapshot__Output as _allocation_v1_Snapshot__Output } from '../../allocation/v1/Snapshot.js';

export interface RecommendRequest {
  'order'?: (_allocation_v1_Order | null);
  'snapshot'?: (_allocation_v1_Snapshot | null);
  'forceRules'?: (boolean);
}

export interface RecommendRequest__Output {
  'order': (_allocation_v1_Order__Output | null);
  'snapshot': (_allocation_v1_Snapshot__Output | null);
  'forceRules': (boolean);
}
