// Original file: proto/allocation/v1/allocation.proto

import type { LineDecision as _allocation_v1_LineDecision, LineDecision__Output as _allocation_v1_LineDecision__Output } from '../../allocation/v1/LineDecision.js';
import type { DecidedBy as _allocation_v1_DecidedBy, DecidedBy__Output as _allocation_v1_DecidedBy__Output } from '../../allocation/v1/DecidedBy.js';
import type { FallbackReason as _allocation_v1_FallbackReason, FallbackReason__Output as _allocation_v1_FallbackReason__Output } from '../../allocation/v1/FallbackReason.js';
import type { ServingMode as _allocation_v1_ServingMode, ServingMode__Output as _allocation_v1_ServingMode__Output } from '../../allocation/v1/ServingMode.js';
import type { Long } from '@grpc/proto-loader';

export interface RecommendResponse {
  'orderId'?: (string);
  'lines'?: (_allocation_v1_LineDecision)[];
  'propensity'?: (number | string);
  'decidedBy'?: (_allocation_v1_DecidedBy | null);
  'fallbackReason'?: (_allocation_v1_FallbackReason);
  'fallbackDetail'?: (string);
  'decisionId'?: (string);
  'serverLatencyUs'?: (number | string | Long);
  'mode'?: (_allocation_v1_ServingMode);
}

export interface RecommendResponse__Output {
  'orderId': (string);
  'lines': (_allocation_v1_LineDecision__Output)[];
  'propensity': (number);
  'decidedBy': (_allocation_v1_DecidedBy__Output | null);
  'fallbackReason': (_allocation_v1_FallbackReason__Output);
  'fallbackDetail': (string);
  'decisionId': (string);
  'serverLatencyUs': (number);
  'mode': (_allocation_v1_ServingMode__Output);
}
