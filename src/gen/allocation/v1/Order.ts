// Original file: proto/allocation/v1/allocation.proto

import type { OrderLine as _allocation_v1_OrderLine, OrderLine__Output as _allocation_v1_OrderLine__Output } from '../../allocation/v1/OrderLine.js';
import type { ContractPosition as _allocation_v1_ContractPosition, ContractPosition__Output as _allocation_v1_ContractPosition__Output } from '../../allocation/v1/ContractPosition.js';

export interface Order {
  'id'?: (string);
  'customer'?: (string);
  'segment'?: (string);
  'serviceLevel'?: (string);
  'shipTo'?: (string);
  'createdHours'?: (number | string);
  'lines'?: (_allocation_v1_OrderLine)[];
  'contract'?: (_allocation_v1_ContractPosition | null);
  '_serviceLevel'?: "serviceLevel";
  '_contract'?: "contract";
}

export interface Order__Output {
  'id': (string);
  'customer': (string);
  'segment': (string);
  'serviceLevel'?: (string);
  'shipTo': (string);
  'createdHours': (number);
  'lines': (_allocation_v1_OrderLine__Output)[];
  'contract'?: (_allocation_v1_ContractPosition__Output | null);
  '_serviceLevel'?: "serviceLevel";
  '_contract'?: "contract";
}
