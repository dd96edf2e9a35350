// Original file: proto/allocation/v1/allocation.proto

import type { WarehouseInfo as _allocation_v1_WarehouseInfo, WarehouseInfo__Output as _allocation_v1_WarehouseInfo__Output } from '../../allocation/v1/WarehouseInfo.js';
import type { SkuInfo as _allocation_v1_SkuInfo, SkuInfo__Output as _allocation_v1_SkuInfo__Output } from '../../allocation/v1/SkuInfo.js';
import type { SegmentInfo as _allocation_v1_SegmentInfo, SegmentInfo__Output as _allocation_v1_SegmentInfo__Output } from '../../allocation/v1/SegmentInfo.js';
import type { Lane as _allocation_v1_Lane, Lane__Output as _allocation_v1_Lane__Output } from '../../allocation/v1/Lane.js';

export interface GetNetworkResponse {
  'scenario'?: (string);
  'scenarioHash'?: (string);
  'horizonHours'?: (number | string);
  'warehouses'?: (_allocation_v1_WarehouseInfo)[];
  'regions'?: (string)[];
  'skus'?: (_allocation_v1_SkuInfo)[];
  'segments'?: (_allocation_v1_SegmentInfo)[];
  'lanes'?: (_allocation_v1_Lane)[];
}

export interface GetNetworkResponse__Output {
  'scenario': (string);
  'scenarioHash': (string);
  'horizonHours': (number);
  'warehouses': (_allocation_v1_WarehouseInfo__Output)[];
  'regions': (string)[];
  'skus': (_allocation_v1_SkuInfo__Output)[];
  'segments': (_allocation_v1_SegmentInfo__Output)[];
  'lanes': (_allocation_v1_Lane__Output)[];
}
