// Original file: proto/allocation/v1/allocation.proto

import type { Long } from '@grpc/proto-loader';

export interface Allocation {
  'warehouse'?: (string);
  'quantity'?: (number | string | Long);
  'mode'?: (string);
  'expectedDeliveryHours'?: (number | string);
}

export interface Allocation__Output {
  'warehouse': (string);
  'quantity': (number);
  'mode': (string);
  'expectedDeliveryHours': (number);
}
