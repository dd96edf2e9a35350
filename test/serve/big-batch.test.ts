import { afterAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { Order } from '../../src/gen/allocation/v1/Order.js';
import type { RecommendBatchRequest } from '../../src/gen/allocation/v1/RecommendBatchRequest.js';
import type { RecommendRequest } from '../../src/gen/allocation/v1/RecommendRequest.js';
import type { StockLevel } from '../../src/gen/allocation/v1/StockLevel.js';
import { createClient } from '../../src/serve/client.js';
import { ReceivedRequest } from '../../src/serve/handlers.js';
import { Slicer } from '../../src/serve/slices.js';
import { fieldSpans } from '../../src/serve/wire.js';
import { loadAllocationProto } from '../../src/serve/proto.js';
import { defaultWorld, startTestServer, type TestServer } from './helpers.js';

const world = defaultWorld();
const skus = world.skus.map((k) => k.id);
const stock: StockLevel[] = world.scenario.warehouses.flatMap((w) => skus.map((sku) => ({ warehouse: w.id, sku, available: 500 })));

/** A batch of `orders` orders of `lines` lines each, against a snapshot with stock of every SKU everywhere. */
function bigBatch(orders: number, lines: number): RecommendBatchRequest {
  const segs = world.scenario.segments.map((g) => g.id);
  const regions = world.scenario.regions.map((r) => r.id);
  const list: Order[] = Array.from({ length: orders }, (_, i) => ({
    id: `big-${i}`,
    customer: 'c',
    segment: segs[i % segs.length],
    shipTo: regions[i % regions.length],
    createdHours: 0,
    lines: Array.from({ length: lines }, (_, j) => ({ sku: skus[(i + j) % skus.length], quantity: 1 + (j % 3), unitPrice: 50 })),
  }));
  return { orders: list, snapshot: { nowHours: 24, stock } };
}

const single: RecommendRequest = {
  order: { id: 'single', customer: 'c', segment: world.scenario.segments[0]!.id, shipTo: world.scenario.regions[0]!.id, createdHours: 0, lines: [{ sku: skus[0], quantity: 2, unitPrice: 50 }] },
  snapshot: { nowHours: 24, stock },
};

const service = () => loadAllocationProto().grpcObject.allocation.v1.AllocationService.service;

/** Sends a RecommendBatch as pre-encoded bytes (the test's own encoding and decoding stay out of the server's way); resolves to the answer's bytes. */
function sendBatch(client: grpc.Client, bytes: Buffer): Promise<Buffer> {
  const def = service().RecommendBatch!;
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(def.path, (b: Buffer) => b, (b: Buffer) => b, bytes, { deadline: Date.now() + 600_000 }, (err, res) => (err ? reject(err) : resolve(res!))),
  );
}

/** A health check of the whole server (`grpc.health.v1.Health/Check`, service ""): resolves to the status byte (1 = SERVING). */
function health(client: grpc.Client): Promise<number> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err, res) => (err ? reject(err) : resolve(res!.length >= 2 && res![0] === 0x08 ? res![1]! : 0))),
  );
}

describe('a big RecommendBatch', () => {
  it('decoded in slices equals the request decoded at once', async () => {
    const def = service().RecommendBatch!;
    const req = bigBatch(300, 20);
    req.forceRules = true;
    const bytes = def.requestSerialize(req);
    // An unknown field, and the snapshot field a second time (merged by the decoder), between two orders.
    const cut = fieldSpans(bytes, 1)![2 * 150 + 1]!;
    const odd = Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xa0, 0x06, 0x01]), def.requestSerialize({ snapshot: { nowHours: 30 } }), bytes.subarray(cut)]);
    for (const b of [bytes, odd]) {
      const received = new ReceivedRequest(b, def.requestDeserialize);
      const slicer = new Slicer(Infinity, 0);
      const sliced = await received.decodeInSlices('RecommendBatch', 1, 'orders', slicer);
      expect(slicer.yields).toBeGreaterThan(1);
      expect(sliced).toEqual(received.decode('RecommendBatch'));
    }
  });

  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('of 4,000 orders × 100 lines does not hold up health checks and Recommend calls while it is decided', async () => {
    const s = await startTestServer();
    servers.push(s);
    const bytes = service().RecommendBatch!.requestSerialize(bigBatch(4000, 100));
    expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024);
    // The batch on a connection of its own, the small calls on another (as separate callers would).
    const batchClient = createClient(`127.0.0.1:${s.port}`);
    const other = new grpc.Client(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
    const encodeOne = service().Recommend!.requestSerialize;
    const decodeOne = service().Recommend!.responseDeserialize;
    const recommend = () =>
      new Promise<string>((resolve, reject) =>
        other.makeUnaryRequest(service().Recommend!.path, (b: Buffer) => b, (b: Buffer) => b, encodeOne(single), (err, res) => (err ? reject(err) : resolve((decodeOne(res!) as { decisionId: string }).decisionId))),
      );
    let done = false;
    const batch = sendBatch(batchClient, bytes).finally(() => (done = true));
    // Alternating Recommend and health calls until the batch is answered: per call, the
    // Recommend's decision id (ids increase in the order decisions are made) or the health status.
    const calls: { kind: 'recommend' | 'health'; id?: string; status?: number }[] = [];
    while (!done) {
      calls.push({ kind: 'recommend', id: await recommend() });
      calls.push({ kind: 'health', status: await health(other) });
    }
    const answer = service().RecommendBatch!.responseDeserialize(await batch) as { decisions: { decisionId: string }[] };
    expect(answer.decisions).toHaveLength(4000);
    const batchIds = answer.decisions.map((d) => d.decisionId).sort();
    const first = batchIds[0]!;
    const last = batchIds[batchIds.length - 1]!;
    // Decided while the batch was being decided: a Recommend whose decision id falls between the batch's first and last.
    const inside = (c: { id?: string }) => c.id !== undefined && c.id > first && c.id < last;
    expect(calls.filter(inside).length).toBeGreaterThanOrEqual(2);
    // And a health check answered between two such Recommends: while the batch was mid-way.
    const a = calls.findIndex(inside);
    const b = calls.length - 1 - [...calls].reverse().findIndex(inside);
    const healthDuring = calls.slice(a, b).filter((c) => c.kind === 'health');
    expect(healthDuring.length).toBeGreaterThanOrEqual(1);
    expect(healthDuring.every((c) => c.status === 1)).toBe(true);
    batchClient.close();
    other.close();
  }, 120_000);

  it('beyond the batch bytes in progress is RESOURCE_EXHAUSTED, and admitted again once they are done', async () => {
    const s = await startTestServer({ batchBytesInFlight: 256 * 1024 });
    servers.push(s);
    const big = service().RecommendBatch!.requestSerialize(bigBatch(1000, 50));
    const small = service().RecommendBatch!.requestSerialize(bigBatch(2, 1));
    const client = new grpc.Client(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    // One batch is always admitted, even above the limit, when none is in progress.
    const first = sendBatch(client, big);
    const inProgress = async () => (await s.metrics.batchBytes.get()).values[0]?.value ?? 0;
    for (let i = 0; i < 2000 && (await inProgress()) === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(await inProgress()).toBe(big.length);
    await expect(sendBatch(client, small)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/batches of \d+ bytes are in progress and the limit is 262144 bytes; retry later/) });
    expect((service().RecommendBatch!.responseDeserialize(await first) as { decisions: unknown[] }).decisions).toHaveLength(1000);
    expect(await inProgress()).toBe(0);
    expect((service().RecommendBatch!.responseDeserialize(await sendBatch(client, small)) as { decisions: unknown[] }).decisions).toHaveLength(2);
    client.close();
  }, 60_000);
});
