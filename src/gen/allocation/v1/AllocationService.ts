// Original file: proto/allocation/v1/allocation.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ActivatePolicyRequest as _allocation_v1_ActivatePolicyRequest, ActivatePolicyRequest__Output as _allocation_v1_ActivatePolicyRequest__Output } from '../../allocation/v1/ActivatePolicyRequest.js';
import type { ActivatePolicyResponse as _allocation_v1_ActivatePolicyResponse, ActivatePolicyResponse__Output as _allocation_v1_ActivatePolicyResponse__Output } from '../../allocation/v1/ActivatePolicyResponse.js';
import type { GetNetworkRequest as _allocation_v1_GetNetworkRequest, GetNetworkRequest__Output as _allocation_v1_GetNetworkRequest__Output } from '../../allocation/v1/GetNetworkRequest.js';
import type { GetNetworkResponse as _allocation_v1_GetNetworkResponse, GetNetworkResponse__Output as _allocation_v1_GetNetworkResponse__Output } from '../../allocation/v1/GetNetworkResponse.js';
import type { ListPoliciesRequest as _allocation_v1_ListPoliciesRequest, ListPoliciesRequest__Output as _allocation_v1_ListPoliciesRequest__Output } from '../../allocation/v1/ListPoliciesRequest.js';
import type { ListPoliciesResponse as _allocation_v1_ListPoliciesResponse, ListPoliciesResponse__Output as _allocation_v1_ListPoliciesResponse__Output } from '../../allocation/v1/ListPoliciesResponse.js';
import type { RecommendBatchRequest as _allocation_v1_RecommendBatchRequest, RecommendBatchRequest__Output as _allocation_v1_RecommendBatchRequest__Output } from '../../allocation/v1/RecommendBatchRequest.js';
import type { RecommendBatchResponse as _allocation_v1_RecommendBatchResponse, RecommendBatchResponse__Output as _allocation_v1_RecommendBatchResponse__Output } from '../../allocation/v1/RecommendBatchResponse.js';
import type { RecommendRequest as _allocation_v1_RecommendRequest, RecommendRequest__Output as _allocation_v1_RecommendRequest__Output } from '../../allocation/v1/RecommendRequest.js';
import type { RecommendResponse as _allocation_v1_RecommendResponse, RecommendResponse__Output as _allocation_v1_RecommendResponse__Output } from '../../allocation/v1/RecommendResponse.js';
import type { ReloadRequest as _allocation_v1_ReloadRequest, ReloadRequest__Output as _allocation_v1_ReloadRequest__Output } from '../../allocation/v1/ReloadRequest.js';
import type { ReloadResponse as _allocation_v1_ReloadResponse, ReloadResponse__Output as _allocation_v1_ReloadResponse__Output } from '../../allocation/v1/ReloadResponse.js';

export interface AllocationServiceClient extends grpc.Client {
  ActivatePolicy(argument: _allocation_v1_ActivatePolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  ActivatePolicy(argument: _allocation_v1_ActivatePolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  ActivatePolicy(argument: _allocation_v1_ActivatePolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  ActivatePolicy(argument: _allocation_v1_ActivatePolicyRequest, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  activatePolicy(argument: _allocation_v1_ActivatePolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  activatePolicy(argument: _allocation_v1_ActivatePolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  activatePolicy(argument: _allocation_v1_ActivatePolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  activatePolicy(argument: _allocation_v1_ActivatePolicyRequest, callback: grpc.requestCallback<_allocation_v1_ActivatePolicyResponse__Output>): grpc.ClientUnaryCall;
  
  GetNetwork(argument: _allocation_v1_GetNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _allocation_v1_GetNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _allocation_v1_GetNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  GetNetwork(argument: _allocation_v1_GetNetworkRequest, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _allocation_v1_GetNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _allocation_v1_GetNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _allocation_v1_GetNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  getNetwork(argument: _allocation_v1_GetNetworkRequest, callback: grpc.requestCallback<_allocation_v1_GetNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  ListPolicies(argument: _allocation_v1_ListPoliciesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  ListPolicies(argument: _allocation_v1_ListPoliciesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  ListPolicies(argument: _allocation_v1_ListPoliciesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  ListPolicies(argument: _allocation_v1_ListPoliciesRequest, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _allocation_v1_ListPoliciesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _allocation_v1_ListPoliciesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _allocation_v1_ListPoliciesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _allocation_v1_ListPoliciesRequest, callback: grpc.requestCallback<_allocation_v1_ListPoliciesResponse__Output>): grpc.ClientUnaryCall;
  
  Recommend(argument: _allocation_v1_RecommendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  Recommend(argument: _allocation_v1_RecommendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  Recommend(argument: _allocation_v1_RecommendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  Recommend(argument: _allocation_v1_RecommendRequest, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  recommend(argument: _allocation_v1_RecommendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  recommend(argument: _allocation_v1_RecommendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  recommend(argument: _allocation_v1_RecommendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  recommend(argument: _allocation_v1_RecommendRequest, callback: grpc.requestCallback<_allocation_v1_RecommendResponse__Output>): grpc.ClientUnaryCall;
  
  RecommendBatch(argument: _allocation_v1_RecommendBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  RecommendBatch(argument: _allocation_v1_RecommendBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  RecommendBatch(argument: _allocation_v1_RecommendBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  RecommendBatch(argument: _allocation_v1_RecommendBatchRequest, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  recommendBatch(argument: _allocation_v1_RecommendBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  recommendBatch(argument: _allocation_v1_RecommendBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  recommendBatch(argument: _allocation_v1_RecommendBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  recommendBatch(argument: _allocation_v1_RecommendBatchRequest, callback: grpc.requestCallback<_allocation_v1_RecommendBatchResponse__Output>): grpc.ClientUnaryCall;
  
  Reload(argument: _allocation_v1_ReloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  Reload(argument: _allocation_v1_ReloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  Reload(argument: _allocation_v1_ReloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  Reload(argument: _allocation_v1_ReloadRequest, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  reload(argument: _allocation_v1_ReloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  reload(argument: _allocation_v1_ReloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  reload(argument: _allocation_v1_ReloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  reload(argument: _allocation_v1_ReloadRequest, callback: grpc.requestCallback<_allocation_v1_ReloadResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AllocationServiceHandlers extends grpc.UntypedServiceImplementation {
  ActivatePolicy: grpc.handleUnaryCall<_allocation_v1_ActivatePolicyRequest__Output, _allocation_v1_ActivatePolicyResponse>;
  
  GetNetwork: grpc.handleUnaryCall<_allocation_v1_GetNetworkRequest__Output, _allocation_v1_GetNetworkResponse>;
  
  ListPolicies: grpc.handleUnaryCall<_allocation_v1_ListPoliciesRequest__Output, _allocation_v1_ListPoliciesResponse>;
  
  Recommend: grpc.handleUnaryCall<_allocation_v1_RecommendRequest__Output, _allocation_v1_RecommendResponse>;
  
  RecommendBatch: grpc.handleUnaryCall<_allocation_v1_RecommendBatchRequest__Output, _allocation_v1_RecommendBatchResponse>;
  
  Reload: grpc.handleUnaryCall<_allocation_v1_ReloadRequest__Output, _allocation_v1_ReloadResponse>;
  
}

export interface AllocationServiceDefinition extends grpc.ServiceDefinition {
  ActivatePolicy: MethodDefinition<_allocation_v1_ActivatePolicyRequest, _allocation_v1_ActivatePolicyResponse, _allocation_v1_ActivatePolicyRequest__Output, _allocation_v1_ActivatePolicyResponse__Output>
  GetNetwork: MethodDefinition<_allocation_v1_GetNetworkRequest, _allocation_v1_GetNetworkResponse, _allocation_v1_GetNetworkRequest__Output, _allocation_v1_GetNetworkResponse__Output>
  ListPolicies: MethodDefinition<_allocation_v1_ListPoliciesRequest, _allocation_v1_ListPoliciesResponse, _allocation_v1_ListPoliciesRequest__Output, _allocation_v1_ListPoliciesResponse__Output>
  Recommend: MethodDefinition<_allocation_v1_RecommendRequest, _allocation_v1_RecommendResponse, _allocation_v1_RecommendRequest__Output, _allocation_v1_RecommendResponse__Output>
  RecommendBatch: MethodDefinition<_allocation_v1_RecommendBatchRequest, _allocation_v1_RecommendBatchResponse, _allocation_v1_RecommendBatchRequest__Output, _allocation_v1_RecommendBatchResponse__Output>
  Reload: MethodDefinition<_allocation_v1_ReloadRequest, _allocation_v1_ReloadResponse, _allocation_v1_ReloadRequest__Output, _allocation_v1_ReloadResponse__Output>
}
