// Original file: proto/allocation/v1/allocation.proto

import type { Inbound as _allocation_v1_Inbound, Inbound__Output as _allocation_v1_Inbound__Output } from '../../allocation/v1/Inbound.js';
import type { Long } from '@grpc/proto-loader';

export interface StockLevel {
  'warehouse'?: (string);
  'sku'?: (string);
  'available'?: (number | string | Long);
  'inbound'?: (_allocation_v1_Inbound)[];
  'inventoryAgeHours'?: (number | string);
  '_inventoryAgeHours'?: "inventoryAgeHours";
}

export interface StockLevel__Output {
  'warehouse': (string);
  'sku': (string);
  'available': (number);
  'inbound': (_allocation_v1_Inbound__Output)[];
  'inventoryAgeHours'?: (number);
  '_inventoryAgeHours'?: "inventoryAgeHours";
}
