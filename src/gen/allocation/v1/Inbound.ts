// Original file: proto/allocation/v1/allocation.proto

import type { Long } from '@grpc/proto-loader';

export interface Inbound {
  'quantity'?: (number | string | Long);
  'etaHours'?: (number | string);
}

export interface Inbound__Output {
  'quantity': (number);
  'etaHours': (number);
}
