import * as grpc from '@grpc/grpc-js';
import type { AllocationServiceClient } from '../gen/allocation/v1/AllocationService.js';
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
