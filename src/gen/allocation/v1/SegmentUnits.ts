// Original file: proto/allocation/v1/allocation.proto

import type { Long } from '@grpc/proto-loader';

export interface SegmentUnits {
  'contract'?: (number | string | Long);
  'premium'?: (number | string | Long);
  'standard'?: (number | string | Long);
}

export interface SegmentUnits__Output {
  'contract': (number);
  'premium': (number);
  'standard': (number);
}
