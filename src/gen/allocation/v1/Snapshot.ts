// Original file: proto/allocation/v1/allocation.proto

import type { StockLevel as _allocation_v1_StockLevel, StockLevel__Output as _allocation_v1_StockLevel__Output } from '../../allocation/v1/StockLevel.js';
import type { WarehouseState as _allocation_v1_WarehouseState, WarehouseState__Output as _allocation_v1_WarehouseState__Output } from '../../allocation/v1/WarehouseState.js';
import type { SegmentContract as _allocation_v1_SegmentContract, SegmentContract__Output as _allocation_v1_SegmentContract__Output } from '../../allocation/v1/SegmentContract.js';

export interface Snapshot {
  'nowHours'?: (number | string);
  'hoursLeft'?: (number | string);
  'stock'?: (_allocation_v1_StockLevel)[];
  'warehouses'?: (_allocation_v1_WarehouseState)[];
  'contracts'?: (_allocation_v1_SegmentContract)[];
  '_hoursLeft'?: "hoursLeft";
}

export interface Snapshot__Output {
  'nowHours': (number);
  'hoursLeft'?: (number);
  'stock': (_allocation_v1_StockLevel__Output)[];
  'warehouses': (_allocation_v1_WarehouseState__Output)[];
  'contracts': (_allocation_v1_SegmentContract__Output)[];
  '_hoursLeft'?: "hoursLeft";
}
