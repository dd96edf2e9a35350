// Original file: proto/allocation/v1/allocation.proto

import type { SegmentUnits as _allocation_v1_SegmentUnits, SegmentUnits__Output as _allocation_v1_SegmentUnits__Output } from '../../allocation/v1/SegmentUnits.js';
import type { Long } from '@grpc/proto-loader';

export interface OrderLine {
  'sku'?: (string);
  'quantity'?: (number | string | Long);
  'unitPrice'?: (number | string);
  'pendingUnits'?: (_allocation_v1_SegmentUnits | null);
  '_pendingUnits'?: "pendingUnits";
}

export interface OrderLine__Output {
  'sku': (string);
  'quantity': (number);
  'unitPrice': (number);
  'pendingUnits'?: (_allocation_v1_SegmentUnits__Output | null);
  '_pendingUnits'?: "pendingUnits";
}
