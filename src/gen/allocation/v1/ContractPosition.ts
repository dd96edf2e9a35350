// Original file: proto/allocation/v1/allocation.proto

import type { Long } from '@grpc/proto-loader';

export interface ContractPosition {
  'orderedUnits'?: (number | string | Long);
  'filledUnits'?: (number | string | Long);
  'hoursToPeriodEnd'?: (number | string);
  '_orderedUnits'?: "orderedUnits";
  '_filledUnits'?: "filledUnits";
  '_hoursToPeriodEnd'?: "hoursToPeriodEnd";
}

export interface ContractPosition__Output {
  'orderedUnits'?: (number);
  'filledUnits'?: (number);
  'hoursToPeriodEnd'?: (number);
  '_orderedUnits'?: "orderedUnits";
  '_filledUnits'?: "filledUnits";
  '_hoursToPeriodEnd'?: "hoursToPeriodEnd";
}
