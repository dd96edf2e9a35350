import { describe, expect, it } from 'vitest';
import { loadAllocationProto } from '../../src/serve/proto.js';
import { DECIDED_BY_KIND, FALLBACK_REASON_NUMBER, ProtoWriter, SERVING_MODE_NUMBER } from '../../src/serve/wire.js';
import type { RecommendResponse } from '../../src/gen/allocation/v1/RecommendResponse.js';

const service = loadAllocationProto().grpcObject.allocation.v1.AllocationService.service;
const single = service.Recommend!;
const batch = service.RecommendBatch!;

interface Alloc {
  warehouse: string;
  quantity: number;
  mode: string;
  expectedDeliveryHours: number;
}
interface Line {
  sku: string;
  allocations: Alloc[];
  backordered: number;
  scores: { warehouse: string; score: number }[];
}
interface Resp {
  orderId: string;
  lines: Line[];
  propensity: number;
  decidedBy: { kind: 'model' | 'rules'; name: string; version: string };
  fallbackReason: keyof typeof FALLBACK_REASON_NUMBER;
  fallbackDetail: string;
  decisionId: string;
  serverLatencyUs: number;
  mode: keyof typeof SERVING_MODE_NUMBER;
}

/** Writes a response the way service.ts does, field by field. */
function write(w: ProtoWriter, r: Resp): void {
  w.string(1, r.orderId);
  for (const l of r.lines) {
    const m = w.begin(2);
    w.string(1, l.sku);
    for (const a of l.allocations) {
      const am = w.begin(2);
      w.string(1, a.warehouse).int(2, a.quantity).string(3, a.mode).double(4, a.expectedDeliveryHours);
      w.end(am);
    }
    w.int(3, l.backordered);
    for (const sc of l.scores) {
      const sm = w.begin(4);
      w.string(1, sc.warehouse).double(2, sc.score);
      w.end(sm);
    }
    w.end(m);
  }
  w.double(3, r.propensity);
  const d = w.begin(4);
  w.int(1, DECIDED_BY_KIND[r.decidedBy.kind]).string(2, r.decidedBy.name).string(3, r.decidedBy.version);
  w.end(d);
  w.int(5, FALLBACK_REASON_NUMBER[r.fallbackReason]);
  w.string(6, r.fallbackDetail);
  w.string(7, r.decisionId);
  w.int(8, r.serverLatencyUs);
  w.int(9, SERVING_MODE_NUMBER[r.mode]);
}

/** The same response as the object protobufjs (through proto-loader) encodes. */
function asObject(r: Resp): RecommendResponse {
  return {
    ...r,
    decidedBy: { ...r.decidedBy, kind: r.decidedBy.kind === 'model' ? 'DECIDED_BY_KIND_MODEL' : 'DECIDED_BY_KIND_RULES' },
    fallbackReason: `FALLBACK_REASON_${r.fallbackReason.toUpperCase()}` as RecommendResponse['fallbackReason'],
  };
}

const cases: Resp[] = [
  {
    orderId: 'O-1',
    lines: [
      {
        sku: 'SKU-01',
        allocations: [
          { warehouse: 'reno', quantity: 3, mode: 'ground', expectedDeliveryHours: 52.5 },
          { warehouse: 'memphis', quantity: 2, mode: 'express', expectedDeliveryHours: 26 },
        ],
        backordered: 1,
        scores: [
          { warehouse: 'reno', score: -12.25 },
          { warehouse: 'memphis', score: 0 },
          { warehouse: 'edison', score: -0 },
        ],
      },
    ],
    propensity: 0.731,
    decidedBy: { kind: 'model', name: 'electronics', version: 'v3' },
    fallbackReason: 'none',
    fallbackDetail: '',
    decisionId: 'd00000000001',
    serverLatencyUs: 187,
    mode: 'SERVING_MODE_NORMAL',
  },
  {
    // Non-ASCII text, lengths that need two- and three-byte length prefixes, the largest safe integers.
    orderId: 'commande-é-注文-🚚',
    lines: [
      { sku: 'X'.repeat(300), allocations: [], backordered: Number.MAX_SAFE_INTEGER, scores: [] },
      { sku: 'Y', allocations: [{ warehouse: 'w'.repeat(20_000), quantity: 2 ** 40, mode: 'air', expectedDeliveryHours: 1e-9 }], backordered: 0, scores: [] },
    ],
    propensity: 1,
    decidedBy: { kind: 'rules', name: 'fair-share', version: '' },
    fallbackReason: 'low_confidence',
    fallbackDetail: `line 0: top choices ${'ä'.repeat(200)} differ by less than 0.02`,
    decisionId: 'd2',
    serverLatencyUs: 0,
    mode: 'SERVING_MODE_EXPLORE',
  },
  {
    orderId: 'O-3',
    lines: [{ sku: 'S', allocations: [], backordered: 5, scores: [{ warehouse: 'a', score: Number.MAX_VALUE }, { warehouse: 'b', score: -Number.MIN_VALUE }] }],
    propensity: 0,
    decidedBy: { kind: 'rules', name: 'cheapest', version: '' },
    fallbackReason: 'forced',
    fallbackDetail: 'shadow mode',
    decisionId: 'd3',
    serverLatencyUs: 123_456_789,
    mode: 'SERVING_MODE_SHADOW',
  },
];

describe('hand-written wire encoding of decision responses', () => {
  it('decodes, with protobufjs, to exactly what protobufjs would have encoded', () => {
    for (const r of cases) {
      const w = new ProtoWriter(8); // tiny start: every growth path runs
      write(w, r);
      const ours = single.responseDeserialize(w.finish());
      const theirs = single.responseDeserialize(single.responseSerialize(asObject(r)));
      expect(ours).toEqual(theirs);
      expect(ours).toMatchObject({ orderId: r.orderId, decisionId: r.decisionId, serverLatencyUs: r.serverLatencyUs });
    }
  });

  it('is byte-identical to protobufjs for a canonical message', () => {
    // protobufjs writes every field that is set, defaults included; with no default-valued field the two agree byte for byte.
    const r: Resp = { ...cases[0]!, fallbackReason: 'deadline', fallbackDetail: 'budget 0.5 ms', lines: [{ ...cases[0]!.lines[0]!, scores: [{ warehouse: 'reno', score: -1.5 }] }] };
    const w = new ProtoWriter();
    write(w, r);
    expect(Buffer.compare(w.finish(), single.responseSerialize(asObject(r)))).toBe(0);
  });

  it('frames a batch: decisions as repeated nested messages, then the batch latency', () => {
    const w = new ProtoWriter(16);
    for (const r of cases) {
      const m = w.begin(1);
      write(w, r);
      w.end(m);
    }
    // An element may also arrive encoded on its own (service.ts writes decisions in wave order, then frames them).
    const alone = new ProtoWriter(4);
    write(alone, cases[0]!);
    w.message(1, alone.finish());
    w.message(1, new Uint8Array(0));
    w.int(2, 4242);
    const decoded = batch.responseDeserialize(w.finish()) as { decisions: unknown[]; serverLatencyUs: number };
    expect(decoded.serverLatencyUs).toBe(4242);
    const expected = [...cases, cases[0]!].map((r) => single.responseDeserialize(single.responseSerialize(asObject(r))));
    expected.push(single.responseDeserialize(Buffer.alloc(0)));
    expect(decoded.decisions).toEqual(expected);
  });

  it('writes negative int64 as ten-byte two\'s complement and refuses unsafe integers', () => {
    const w = new ProtoWriter();
    w.int(8, -5);
    expect((single.responseDeserialize(w.finish()) as { serverLatencyUs: number }).serverLatencyUs).toBe(-5);
    expect(() => new ProtoWriter().int(2, 2 ** 60)).toThrow(/not a safe integer/);
    expect(() => new ProtoWriter().int(2, 1.5)).toThrow(/not a safe integer/);
  });
});
