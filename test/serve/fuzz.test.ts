import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { RandomStreams, type Stream } from '../../src/sim/kernel/random.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import type { RecommendRequest } from '../../src/gen/allocation/v1/RecommendRequest.js';
import type { RecommendBatchRequest } from '../../src/gen/allocation/v1/RecommendBatchRequest.js';
import type { Order } from '../../src/gen/allocation/v1/Order.js';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, type TestServer } from './helpers.js';
import { integrityCheck } from '../../src/serve/audit-read.js';

const world = defaultWorld();
const bases = simulatorContexts(world, createRulePolicy('priority'), { seed: 5, days: 15, max: 50, every: 13 }).map((c) => requestFromContext(world, c));

function pick<T>(rng: Stream, xs: readonly T[]): T {
  return xs[Math.floor(rng.uniform() * xs.length)]!;
}

const WEIRD_STRINGS = ['', ' ', 'x'.repeat(300), '../../etc/passwd', 'reno', 'SKU-01', 'premium', 'us-west', '\u0000', 'ドライ', 'express'];
const WEIRD_INTS = [-1, -(2 ** 40), 0, 1, 7, 2 ** 31, 2 ** 40, 1_000_000_001];
const WEIRD_DOUBLES = [NaN, Infinity, -Infinity, -1, 0, 0.5, 1e12, 1e-300, 24];

/** One random mutation of a request, in place. */
function mutate(rng: Stream, r: RecommendRequest): void {
  if (!r.order || !r.snapshot) return;
  const o = r.order as Order;
  const snap = r.snapshot!;
  const line = () => (o.lines?.length ? pick(rng, o.lines) : {}) as NonNullable<Order['lines']>[number];
  const stock = () => (snap.stock?.length ? pick(rng, snap.stock) : undefined);
  switch (Math.floor(rng.uniform() * 21)) {
    case 0: r.order = null; break;
    case 1: r.snapshot = null; break;
    case 2: o.id = pick(rng, WEIRD_STRINGS); break;
    case 3: o.segment = pick(rng, WEIRD_STRINGS); break;
    case 4: o.shipTo = pick(rng, WEIRD_STRINGS); break;
    case 5: o.lines = rng.uniform() < 0.5 ? [] : Array.from({ length: 101 }, () => ({ ...line() })); break;
    case 6: line().sku = pick(rng, WEIRD_STRINGS); break;
    case 7: line().quantity = pick(rng, WEIRD_INTS); break;
    case 8: line().unitPrice = pick(rng, WEIRD_DOUBLES); break;
    case 9: snap.nowHours = pick(rng, WEIRD_DOUBLES); break;
    case 10: { const s = stock(); if (s) s.available = pick(rng, WEIRD_INTS); break; }
    case 11: { const s = stock(); if (s) s.warehouse = pick(rng, WEIRD_STRINGS); break; }
    case 12: { const s = stock(); if (s) snap.stock!.push({ ...s }); break; }
    case 13: { const s = stock(); if (s) s.inbound = [{ quantity: pick(rng, WEIRD_INTS), etaHours: pick(rng, WEIRD_DOUBLES) }]; break; }
    case 14: snap.warehouses = [{ warehouse: pick(rng, WEIRD_STRINGS), outage: rng.uniform() < 0.5, capacityLeftToday: pick(rng, WEIRD_INTS), shipDelayHours: pick(rng, WEIRD_DOUBLES) }]; break;
    case 15: o.createdHours = pick(rng, WEIRD_DOUBLES); break;
    case 16: o.contract = { orderedUnits: pick(rng, WEIRD_INTS), filledUnits: pick(rng, WEIRD_INTS), hoursToPeriodEnd: pick(rng, WEIRD_DOUBLES) }; break;
    case 17: line().pendingUnits = { contract: pick(rng, WEIRD_INTS), premium: 0, standard: pick(rng, WEIRD_INTS) }; break;
    case 18: o.serviceLevel = pick(rng, WEIRD_STRINGS); break;
    case 19: snap.contracts = [{ segment: pick(rng, [...WEIRD_STRINGS, 'key-accounts']), position: rng.uniform() < 0.2 ? null : { orderedUnits: pick(rng, WEIRD_INTS), filledUnits: pick(rng, WEIRD_INTS), hoursToPeriodEnd: pick(rng, WEIRD_DOUBLES) } }]; break;
    default: snap.hoursLeft = pick(rng, WEIRD_DOUBLES); break;
  }
}

describe('fuzz: malformed and random requests', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers thousands of requests with only success or INVALID_ARGUMENT naming the field, and stays up', async () => {
    const rng = new RandomStreams(2026).get('fuzz');
    const codes = new Map<number, number>();
    const bad: string[] = [];
    const N = 3000;
    const concurrency = 48;
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const batch = i % 10 === 9;
        const reqs: RecommendRequest[] = [];
        for (let k = 0; k < (batch ? 3 : 1); k++) {
          const r = structuredClone(pick(rng, bases));
          const n = Math.floor(rng.uniform() * 3);
          for (let m = 0; m < n; m++) mutate(rng, r);
          reqs.push(r);
        }
        let code = 0;
        let details = '';
        try {
          if (batch) {
            const b: RecommendBatchRequest = { orders: reqs.map((r) => r.order ?? null).filter((o): o is Order => o !== null), snapshot: reqs[0]!.snapshot };
            await s.api.recommendBatch(b);
          } else {
            await s.api.recommend(reqs[0]!);
          }
        } catch (err) {
          const e = err as grpc.ServiceError;
          code = e.code;
          details = e.details;
        }
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code !== grpc.status.OK && code !== grpc.status.INVALID_ARGUMENT) bad.push(`${code}: ${details}`);
        // The message starts with the field path it is about.
        if (code === grpc.status.INVALID_ARGUMENT && !/^(request|order|orders|snapshot)[\w.[\]]*/.test(details)) bad.push(`unnamed field: ${details}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(bad).toEqual([]);
    expect(codes.get(grpc.status.OK) ?? 0).toBeGreaterThan(300);
    expect(codes.get(grpc.status.INVALID_ARGUMENT) ?? 0).toBeGreaterThan(300);
    // Still serving, and the log is sound.
    await s.api.recommend(bases[0]!);
    expect(integrityCheck(s.auditPath)).toBe('ok');
  });

  it('answers random bytes with INVALID_ARGUMENT, never INTERNAL', async () => {
    const rng = new RandomStreams(7).get('bytes');
    const methods = ['Recommend', 'RecommendBatch', 'GetNetwork', 'ListPolicies'];
    const seen = new Set<number>();
    const one = async () => {
      const n = Math.floor(rng.uniform() * 64);
      const buf = Buffer.alloc(n);
      for (let j = 0; j < n; j++) buf[j] = Math.floor(rng.uniform() * 256);
      const method = pick(rng, methods);
      const code = await new Promise<number>((resolve) => {
        s.client.makeUnaryRequest(
          `/allocation.v1.AllocationService/${method}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          buf,
          (err) => resolve(err ? (err as grpc.ServiceError).code : 0),
        );
      });
      seen.add(code);
      expect([grpc.status.OK, grpc.status.INVALID_ARGUMENT]).toContain(code);
    };
    for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 50 }, one));
    expect(seen.has(grpc.status.INVALID_ARGUMENT)).toBe(true);
  });
});
