/**
 * Protobuf wire encoding of the service's decision responses, straight from the
 * decision contexts and outcomes.
 *
 * Why by hand: a `RecommendBatch` answer of 1,000 decisions through
 * proto-loader costs a plain object tree (`respond`), protobufjs's `fromObject`
 * copy of it and a writer that allocates an operation per field — about 6 KB of
 * short-lived objects per decision, and the largest single cost of the call
 * (bench/serve.ts; docs/serve.md#performance). Writing the bytes directly
 * allocates only the output buffer. The encoding is canonical proto3 (fields in
 * number order, default scalars omitted) and is checked against protobufjs's
 * own decoder in test/serve/wire.test.ts.
 */

import { ByteWriter } from './bytes.js';

/** On a decoded request object: the bytes grpc-js decoded it from (see server.ts). */
export const RAW_REQUEST = Symbol('raw request bytes');

/**
 * Start and end offsets (flat: s0, e0, s1, e1, …) of every occurrence of the
 * length-delimited field `field` at the top level of an encoded message, in
 * order — a repeated field's elements as the decoder met them. Null when the
 * bytes do not parse as a message.
 */
export function fieldSpans(buf: Uint8Array, field: number): number[] | null {
  const out: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) return -1;
      const b = buf[pos++]!;
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
    }
    return -1;
  };
  while (pos < buf.length) {
    const tag = varint();
    if (tag < 0) return null;
    const wt = tag % 8;
    if (wt === 0) {
      if (varint() < 0) return null;
    } else if (wt === 1) pos += 8;
    else if (wt === 5) pos += 4;
    else if (wt === 2) {
      const len = varint();
      if (len < 0 || pos + len > buf.length) return null;
      if (Math.floor(tag / 8) === field) out.push(pos, pos + len);
      pos += len;
    } else return null;
  }
  return pos === buf.length ? out : null;
}

/** A message already in wire format; the service definition's serializer passes it through. */
export class WireMessage {
  constructor(readonly bytes: Buffer) {}
}

/** Wire numbers of the proto's enums (allocation.v1). */
export const DECIDED_BY_KIND = { model: 1, rules: 2 } as const;
export const FALLBACK_REASON_NUMBER = {
  none: 0,
  no_model: 1,
  model_error: 2,
  deadline: 3,
  out_of_distribution: 4,
  low_confidence: 5,
  forced: 6,
  out_of_scope: 7,
} as const;
export const SERVING_MODE_NUMBER = { SERVING_MODE_NORMAL: 1, SERVING_MODE_SHADOW: 2, SERVING_MODE_EXPLORE: 3 } as const;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

/** Bytes of a non-negative integer (< 2^53) as a varint. */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * A growable protobuf writer. Nested messages reserve one length byte and move
 * their bytes up when the length needs more (rare for a decision: one move of a
 * few hundred bytes).
 */
export class ProtoWriter extends ByteWriter {
  constructor(initialBytes = 4096) {
    super(initialBytes, (n) => Buffer.allocUnsafe(n));
  }

  private rawVarint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 128) {
      b[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.pos = p;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  /** int64/uint64/enum field; 0 is the default and is omitted. */
  int(field: number, v: number): this {
    if (v === 0) return this;
    if (!Number.isSafeInteger(v)) throw new RangeError(`field ${field}: ${v} is not a safe integer`);
    this.tag(field, VARINT);
    if (v > 0) {
      this.rawVarint(v);
      return this;
    }
    // Negative int64: ten bytes of two's complement.
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    for (let i = 0; i < 10; i++) {
      const low = Number(x & 127n);
      x >>= 7n;
      this.buf[this.pos++] = x > 0n ? low | 128 : low;
    }
    return this;
  }

  /** double field; +0 is the default and is omitted (-0 is kept, as protobuf does). */
  double(field: number, v: number): this {
    if (v === 0 && 1 / v > 0) return this;
    this.tag(field, FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** string field; '' is the default and is omitted. */
  string(field: number, s: string): this {
    const len = s.length;
    if (len === 0) return this;
    this.tag(field, LENGTH_DELIMITED);
    if (len <= 32) {
      // A one-byte length, then the text if it is short ASCII.
      this.ensure(len + 1);
      const end = this.shortAscii(s, this.pos + 1);
      if (end >= 0) {
        this.buf[this.pos] = len;
        this.pos = end;
        return this;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.rawVarint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
    return this;
  }

  /** An already encoded nested message (written even when empty: an element of a repeated field). */
  message(field: number, b: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.rawVarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Opens a nested message field; returns the mark `end` needs. */
  begin(field: number): number {
    this.tag(field, LENGTH_DELIMITED);
    this.ensure(1);
    return this.pos++;
  }

  /** Closes the nested message opened at `mark`, writing its length. */
  end(mark: number): this {
    const len = this.pos - mark - 1;
    const extra = varintSize(len) - 1;
    if (extra > 0) {
      this.ensure(extra);
      this.buf.copy(this.buf, mark + 1 + extra, mark + 1, this.pos);
      this.pos += extra;
    }
    let p = mark;
    let v = len;
    while (v >= 128) {
      this.buf[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[p] = v;
    return this;
  }

  /** The bytes written (a view on the writer's buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
