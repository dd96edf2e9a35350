import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { ProtoGrpcType } from '../gen/allocation.js';
import { ProtoWriter } from './wire.js';

/**
 * Loader options. `npm run gen:proto` generates src/gen/ with the same choices
 * (camelCase fields, int64 as number, enums as strings, defaults filled in,
 * proto3 `optional` fields left undefined when unset), so the generated types
 * describe exactly the objects grpc-js hands us.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Path of the proto file inside the package (works from src/ under tsx and from dist/). */
export function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'proto', 'allocation', 'v1', 'allocation.proto');
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find proto/allocation/v1/allocation.proto above the allocsim module');
    dir = up;
  }
}

export interface AllocationProto {
  packageDefinition: protoLoader.PackageDefinition;
  grpcObject: ProtoGrpcType;
  /** allocation.v1 plus grpc.health.v1, for server reflection. */
  reflectionDefinition: protoLoader.PackageDefinition;
}

let cached: AllocationProto | undefined;

/** Loads (once) the allocation.v1 package definition and its typed grpc object. */
export function loadAllocationProto(): AllocationProto {
  if (!cached) {
    const packageDefinition = protoLoader.loadSync(protoPath(), LOADER_OPTIONS);
    const grpcObject = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
    const reflectionDefinition = protoLoader.loadSync([protoPath(), healthProtoPath], LOADER_OPTIONS);
    cached = { packageDefinition, grpcObject, reflectionDefinition };
  }
  return cached;
}

/** Fully qualified service name, as health checks and reflection know it. */
export const SERVICE_NAME = 'allocation.v1.AllocationService';

/**
 * JSON text of an allocation.v1 `Order` or `Snapshot` from its wire bytes, equal
 * to `JSON.stringify` of the object grpc-js decoded from them: the bytes are
 * decoded as the field they were (order = 1, snapshot = 2) of a
 * RecommendRequest, with the service's own decoder and LOADER_OPTIONS.
 */
export function messageJson(field: 'order' | 'snapshot', bytes: Uint8Array): string {
  const decode = loadAllocationProto().grpcObject.allocation.v1.AllocationService.service.Recommend.requestDeserialize;
  const req = decode(new ProtoWriter(bytes.length + 8).message(field === 'order' ? 1 : 2, bytes).finish());
  return JSON.stringify(field === 'order' ? req.order : req.snapshot);
}
