// Original file: proto/allocation/v1/allocation.proto

import type { ModeOption as _allocation_v1_ModeOption, ModeOption__Output as _allocation_v1_ModeOption__Output } from '../../allocation/v1/ModeOption.js';

export interface Lane {
  'warehouse'?: (string);
  'region'?: (string);
  'distanceKm'?: (number | string);
  'modes'?: (_allocation_v1_ModeOption)[];
}

export interface Lane__Output {
  'warehouse': (string);
  'region': (string);
  'distanceKm': (number);
  'modes': (_allocation_v1_ModeOption__Output)[];
}
