// Original file: proto/allocation/v1/allocation.proto

import type { Long } from '@grpc/proto-loader';

export interface WarehouseState {
  'warehouse'?: (string);
  'outage'?: (boolean);
  'capacityLeftToday'?: (number | string | Long);
  'shipDelayHours'?: (number | string);
  '_capacityLeftToday'?: "capacityLeftToday";
  '_shipDelayHours'?: "shipDelayHours";
}

export interface WarehouseState__Output {
  'warehouse': (string);
  'outage': (boolean);
  'capacityLeftToday'?: (number);
  'shipDelayHours'?: (number);
  '_capacityLeftToday'?: "capacityLeftToday";
  '_shipDelayHours'?: "shipDelayHours";
}
