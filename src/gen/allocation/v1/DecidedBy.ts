// Original file: proto/allocation/v1/allocation.proto

import type { DecidedByKind as _allocation_v1_DecidedByKind, DecidedByKind__Output as _allocation_v1_DecidedByKind__Output } from '../../allocation/v1/DecidedByKind.js';

export interface DecidedBy {
  'kind'?: (_allocation_v1_DecidedByKind);
  'name'?: (string);
  'version'?: (string);
}

export interface DecidedBy__Output {
  'kind': (_allocation_v1_DecidedByKind__Output);
  'name': (string);
  'version': (string);
}
