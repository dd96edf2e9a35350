import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ActivatePolicyRequest as _allocation_v1_ActivatePolicyRequest, ActivatePolicyRequest__Output as _allocation_v1_ActivatePolicyRequest__Output } from './allocation/v1/ActivatePolicyRequest.js';
import type { ActivatePolicyResponse as _allocation_v1_ActivatePolicyResponse, ActivatePolicyResponse__Output as _allocation_v1_ActivatePolicyResponse__Output } from './allocation/v1/ActivatePolicyResponse.js';
import type { Allocation as _allocation_v1_Allocation, Allocation__Output as _allocation_v1_Allocation__Output } from './allocation/v1/Allocation.js';
import type { AllocationServiceClient as _allocation_v1_AllocationServiceClient, AllocationServiceDefinition as _allocation_v1_AllocationServiceDefinition } from './allocation/v1/AllocationService.js';
import type { CandidateScore as _allocation_v1_CandidateScore, CandidateScore__Output as _allocation_v1_CandidateScore__Output } from './allocation/v1/CandidateScore.js';
import type { ContractPosition as _allocation_v1_ContractPosition, ContractPosition__Output as _allocation_v1_ContractPosition__Output } from './allocation/v1/ContractPosition.js';
import type { DecidedBy as _allocation_v1_DecidedBy, DecidedBy__Output as _allocation_v1_DecidedBy__Output } from './allocation/v1/DecidedBy.js';
import type { GetNetworkRequest as _allocation_v1_GetNetworkRequest, GetNetworkRequest__Output as _allocation_v1_GetNetworkRequest__Output } from './allocation/v1/GetNetworkRequest.js';
import type { GetNetworkResponse as _allocation_v1_GetNetworkResponse, GetNetworkResponse__Output as _allocation_v1_GetNetworkResponse__Output } from './allocation/v1/GetNetworkResponse.js';
import type { Inbound as _allocation_v1_Inbound, Inbound__Output as _allocation_v1_Inbound__Output } from './allocation/v1/Inbound.js';
import type { Lane as _allocation_v1_Lane, Lane__Output as _allocation_v1_Lane__Output } from './allocation/v1/Lane.js';
import type { LineDecision as _allocation_v1_LineDecision, LineDecision__Output as _allocation_v1_LineDecision__Output } from './allocation/v1/LineDecision.js';
import type { ListPoliciesRequest as _allocation_v1_ListPoliciesRequest, ListPoliciesRequest__Output as _allocation_v1_ListPoliciesRequest__Output } from './allocation/v1/ListPoliciesRequest.js';
import type { ListPoliciesResponse as _allocation_v1_ListPoliciesResponse, ListPoliciesResponse__Output as _allocation_v1_ListPoliciesResponse__Output } from './allocation/v1/ListPoliciesResponse.js';
import type { ModeOption as _allocation_v1_ModeOption, ModeOption__Output as _allocation_v1_ModeOption__Output } from './allocation/v1/ModeOption.js';
import type { Order as _allocation_v1_Order, Order__Output as _allocation_v1_Order__Output } from './allocation/v1/Order.js';
import type { OrderLine as _allocation_v1_OrderLine, OrderLine__Output as _allocation_v1_OrderLine__Output } from './allocation/v1/OrderLine.js';
import type { PolicyInfo as _allocation_v1_PolicyInfo, PolicyInfo__Output as _allocation_v1_PolicyInfo__Output } from './allocation/v1/PolicyInfo.js';
import type { RecommendBatchRequest as _allocation_v1_RecommendBatchRequest, RecommendBatchRequest__Output as _allocation_v1_RecommendBatchRequest__Output } from './allocation/v1/RecommendBatchRequest.js';
import type { RecommendBatchResponse as _allocation_v1_RecommendBatchResponse, RecommendBatchResponse__Output as _allocation_v1_RecommendBatchResponse__Output } from './allocation/v1/RecommendBatchResponse.js';
import type { RecommendRequest as _allocation_v1_RecommendRequest, RecommendRequest__Output as _allocation_v1_RecommendRequest__Output } from './allocation/v1/RecommendRequest.js';
import type { RecommendResponse as _allocation_v1_RecommendResponse, RecommendResponse__Output as _allocation_v1_RecommendResponse__Output } from './allocation/v1/RecommendResponse.js';
import type { ReloadRequest as _allocation_v1_ReloadRequest, ReloadRequest__Output as _allocation_v1_ReloadRequest__Output } from './allocation/v1/ReloadRequest.js';
import type { ReloadResponse as _allocation_v1_ReloadResponse, ReloadResponse__Output as _allocation_v1_ReloadResponse__Output } from './allocation/v1/ReloadResponse.js';
import type { SegmentContract as _allocation_v1_SegmentContract, SegmentContract__Output as _allocation_v1_SegmentContract__Output } from './allocation/v1/SegmentContract.js';
import type { SegmentInfo as _allocation_v1_SegmentInfo, SegmentInfo__Output as _allocation_v1_SegmentInfo__Output } from './allocation/v1/SegmentInfo.js';
import type { SegmentUnits as _allocation_v1_SegmentUnits, SegmentUnits__Output as _allocation_v1_SegmentUnits__Output } from './allocation/v1/SegmentUnits.js';
import type { SkuInfo as _allocation_v1_SkuInfo, SkuInfo__Output as _allocation_v1_SkuInfo__Output } from './allocation/v1/SkuInfo.js';
import type { Snapshot as _allocation_v1_Snapshot, Snapshot__Output as _allocation_v1_Snapshot__Output } from './allocation/v1/Snapshot.js';
import type { StockLevel as _allocation_v1_StockLevel, StockLevel__Output as _allocation_v1_StockLevel__Output } from './allocation/v1/StockLevel.js';
import type { WarehouseInfo as _allocation_v1_WarehouseInfo, WarehouseInfo__Output as _allocation_v1_WarehouseInfo__Output } from './allocation/v1/WarehouseInfo.js';
import type { WarehouseState as _allocation_v1_WarehouseState, WarehouseState__Output as _allocation_v1_WarehouseState__Output } from './allocation/v1/WarehouseState.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  allocation: {
    v1: {
      ActivatePolicyRequest: MessageTypeDefinition<_allocation_v1_ActivatePolicyRequest, _allocation_v1_ActivatePolicyRequest__Output>
      ActivatePolicyResponse: MessageTypeDefinition<_allocation_v1_ActivatePolicyResponse, _allocation_v1_ActivatePolicyResponse__Output>
      Allocation: MessageTypeDefinition<_allocation_v1_Allocation, _allocation_v1_Allocation__Output>
      AllocationService: SubtypeConstructor<typeof grpc.Client, _allocation_v1_AllocationServiceClient> & { service: _allocation_v1_AllocationServiceDefinition }
      CandidateScore: MessageTypeDefinition<_allocation_v1_CandidateScore, _allocation_v1_CandidateScore__Output>
      ContractPosition: MessageTypeDefinition<_allocation_v1_ContractPosition, _allocation_v1_ContractPosition__Output>
      DecidedBy: MessageTypeDefinition<_allocation_v1_DecidedBy, _allocation_v1_DecidedBy__Output>
      DecidedByKind: EnumTypeDefinition
      FallbackReason: EnumTypeDefinition
      GetNetworkRequest: MessageTypeDefinition<_allocation_v1_GetNetworkRequest, _allocation_v1_GetNetworkRequest__Output>
      GetNetworkResponse: MessageTypeDefinition<_allocation_v1_GetNetworkResponse, _allocation_v1_GetNetworkResponse__Output>
      Inbound: MessageTypeDefinition<_allocation_v1_Inbound, _allocation_v1_Inbound__Output>
      Lane: MessageTypeDefinition<_allocation_v1_Lane, _allocation_v1_Lane__Output>
      LineDecision: MessageTypeDefinition<_allocation_v1_LineDecision, _allocation_v1_LineDecision__Output>
      ListPoliciesRequest: MessageTypeDefinition<_allocation_v1_ListPoliciesRequest, _allocation_v1_ListPoliciesRequest__Output>
      ListPoliciesResponse: MessageTypeDefinition<_allocation_v1_ListPoliciesResponse, _allocation_v1_ListPoliciesResponse__Output>
      ModeOption: MessageTypeDefinition<_allocation_v1_ModeOption, _allocation_v1_ModeOption__Output>
      Order: MessageTypeDefinition<_allocation_v1_Order, _allocation_v1_Order__Output>
      OrderLine: MessageTypeDefinition<_allocation_v1_OrderLine, _allocation_v1_OrderLine__Output>
      PolicyInfo: MessageTypeDefinition<_allocation_v1_PolicyInfo, _allocation_v1_PolicyInfo__Output>
      RecommendBatchRequest: MessageTypeDefinition<_allocation_v1_RecommendBatchRequest, _allocation_v1_RecommendBatchRequest__Output>
      RecommendBatchResponse: MessageTypeDefinition<_allocation_v1_RecommendBatchResponse, _allocation_v1_RecommendBatchResponse__Output>
      RecommendRequest: MessageTypeDefinition<_allocation_v1_RecommendRequest, _allocation_v1_RecommendRequest__Output>
      RecommendResponse: MessageTypeDefinition<_allocation_v1_RecommendResponse, _allocation_v1_RecommendResponse__Output>
      ReloadRequest: MessageTypeDefinition<_allocation_v1_ReloadRequest, _allocation_v1_ReloadRequest__Output>
      ReloadResponse: MessageTypeDefinition<_allocation_v1_ReloadResponse, _allocation_v1_ReloadResponse__Output>
      SegmentContract: MessageTypeDefinition<_allocation_v1_SegmentContract, _allocation_v1_SegmentContract__Output>
      SegmentInfo: MessageTypeDefinition<_allocation_v1_SegmentInfo, _allocation_v1_SegmentInfo__Output>
      SegmentUnits: MessageTypeDefinition<_allocation_v1_SegmentUnits, _allocation_v1_SegmentUnits__Output>
      ServingMode: EnumTypeDefinition
      SkuInfo: MessageTypeDefinition<_allocation_v1_SkuInfo, _allocation_v1_SkuInfo__Output>
      Snapshot: MessageTypeDefinition<_allocation_v1_Snapshot, _allocation_v1_Snapshot__Output>
      StockLevel: MessageTypeDefinition<_allocation_v1_StockLevel, _allocation_v1_StockLevel__Output>
      WarehouseInfo: MessageTypeDefinition<_allocation_v1_WarehouseInfo, _allocation_v1_WarehouseInfo__Output>
      WarehouseState: MessageTypeDefinition<_allocation_v1_WarehouseState, _allocation_v1_WarehouseState__Output>
    }
  }
}

