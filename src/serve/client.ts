import * as grpc from '@grpc/grpc-js';
import type { AllocationServiceClient } from '../gen/allocation/v1/AllocationService.js';
import type { RecommendRequest } from '../gen/allocation/v1/RecommendRequest.js';
import type { RecommendResponse__Output } from '../gen/allocation/v1/RecommendResponse.js';
import type { RecommendBatchRequest } from '../gen/allocation/v1/RecommendBatchRequest.js';
import type { RecommendBatchResponse__Output } from '../gen/allocation/v1/RecommendBatchResponse.js';
import type { GetNetworkResponse__Output } from '../gen/allocation/v1/GetNetworkResponse.js';
import type { ListPoliciesResponse__Output } from '../gen/allocation/v1/ListPoliciesResponse.js';
import type { ActivatePolicyRequest } from '../gen/allocation/v1/ActivatePolicyRequest.js';
import type { ActivatePolicyResponse__Output } from '../gen/allocation/v1/ActivatePolicyResponse.js';
import type { ReloadResponse__Output } from '../gen/allocation/v1/ReloadResponse.js';
import { loadAllocationProto } from './proto.js';

export interface ClientOptions {
  /** Root CA to verify the server (TLS); omit for plaintext. */
  ca?: Buffer;
  /** Client certificate and key (mutual TLS). */
  cert?: Buffer;
  key?: Buffer;
  channelOptions?: grpc.ChannelOptions;
}

/** A typed AllocationService client (generated types) for `host:port`. */
export function createClient(address: string, opts: ClientOptions = {}): AllocationServiceClient {
  const { grpcObject } = loadAllocationProto();
  const creds = opts.ca ? grpc.credentials.createSsl(opts.ca, opts.key ?? null, opts.cert ?? null) : grpc.credentials.createInsecure();
  return new grpcObject.allocation.v1.AllocationService(address, creds, {
    'grpc.max_receive_message_length': 32 * 1024 * 1024,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
    // A batch answer runs to hundreds of KB: a 4 MiB receive window avoids a
    // flow-control round trip every 64 KB.
    'grpc-node.flow_control_window': 4 * 1024 * 1024,
    ...opts.channelOptions,
  });
}

/** Promise wrapper for one unary call of a generated client. */
export function call<Req, Res>(
  method: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
  req: Req,
  opts: { metadata?: grpc.Metadata; deadlineMs?: number } = {},
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const callOpts: grpc.CallOptions = opts.deadlineMs ? { deadline: Date.now() + opts.deadlineMs } : {};
    method(req, opts.metadata ?? new grpc.Metadata(), callOpts, (err, res) => (err ? reject(err) : resolve(res!)));
  });
}

/** Metadata carrying an admin bearer token. */
export function adminMetadata(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

/** Promise-returning calls of every AllocationService method. */
export interface AllocationApi {
  recommend(req: RecommendRequest, opts?: CallOpts): Promise<RecommendResponse__Output>;
  recommendBatch(req: RecommendBatchRequest, opts?: CallOpts): Promise<RecommendBatchResponse__Output>;
  getNetwork(opts?: CallOpts): Promise<GetNetworkResponse__Output>;
  listPolicies(opts?: CallOpts): Promise<ListPoliciesResponse__Output>;
  activatePolicy(req: ActivatePolicyRequest, opts?: CallOpts): Promise<ActivatePolicyResponse__Output>;
  reload(opts?: CallOpts): Promise<ReloadResponse__Output>;
}

export interface CallOpts {
  metadata?: grpc.Metadata;
  deadlineMs?: number;
}

/** Wraps a generated client in promises. */
export function api(c: AllocationServiceClient): AllocationApi {
  return {
    recommend: (req, o) => call<RecommendRequest, RecommendResponse__Output>((r, m, x, cb) => c.Recommend(r, m, x, cb), req, o),
    recommendBatch: (req, o) => call<RecommendBatchRequest, RecommendBatchResponse__Output>((r, m, x, cb) => c.RecommendBatch(r, m, x, cb), req, o),
    getNetwork: (o) => call<object, GetNetworkResponse__Output>((r, m, x, cb) => c.GetNetwork(r, m, x, cb), {}, o),
    listPolicies: (o) => call<object, ListPoliciesResponse__Output>((r, m, x, cb) => c.ListPolicies(r, m, x, cb), {}, o),
    activatePolicy: (req, o) => call<ActivatePolicyRequest, ActivatePolicyResponse__Output>((r, m, x, cb) => c.ActivatePolicy(r, m, x, cb), req, o),
    reload: (o) => call<object, ReloadResponse__Output>((r, m, x, cb) => c.Reload(r, m, x, cb), {}, o),
  };
}
