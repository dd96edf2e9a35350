import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation, Deadline } from '@grpc/grpc-js';
import type { AllocationServiceHandlers } from '../gen/allocation/v1/AllocationService.js';
import { checkAdmin } from './auth.js';
import { DeadlineExceededError, InvalidArgumentError, isUnexpected, toGrpcStatus } from './errors.js';
import { errorFields, type Logger } from './log.js';
import type { ServeMetrics } from './metrics.js';
import type { AllocationCore } from './service.js';
import { Slicer, SLICE_MS } from './slices.js';
import type { RecommendBatchRequest__Output } from '../gen/allocation/v1/RecommendBatchRequest.js';
import { ProtoWriter, RAW_REQUEST, splitField } from './wire.js';

/**
 * A request as the server's deserializer hands it over: its bytes, decoded only
 * when the handler runs (`unary` below). grpc-js keeps the object it gets from
 * the deserializer until the call ends; decoding at the handler means the decoded
 * message is referenced by the handler alone, and lives no longer than the
 * handler needs it. Under RecommendBatch load, waves queued behind each other
 * otherwise kept a thousand decoded orders each alive through two young-generation
 * collections, and they were promoted to the old generation (measured with
 * --trace-gc-nvp: ~850 KB promoted per scavenge, pauses of 5 ms instead of 2).
 */
export class ReceivedRequest {
  constructor(
    readonly bytes: Buffer,
    private readonly decoder: (buf: Buffer) => unknown,
  ) {}

  /** The decoded message (with its bytes attached, see `RAW_REQUEST`), or INVALID_ARGUMENT naming the method. */
  decode(method: string): unknown {
    let req: unknown;
    try {
      req = this.decoder(this.bytes);
    } catch (err) {
      throw new InvalidArgumentError('request', `is not a valid ${method} request message: ${(err as Error)?.message ?? String(err)}`);
    }
    // The audit log keeps the order and snapshot as received, in their wire bytes.
    if (req && typeof req === 'object') (req as { [RAW_REQUEST]?: Buffer })[RAW_REQUEST] = this.bytes;
    return req;
  }

  /**
   * `decode`, in time slices (see `Slicer`) for a large message: the message
   * without its repeated field `field` (property `property` once decoded) first,
   * then the field's elements a chunk at a time, each chunk decoded as a message
   * of its own — the same result as decoding it whole (a repeated field's
   * elements are independent). Decoding an 8 MiB RecommendBatch at once held the
   * event loop for most of a second.
   */
  async decodeInSlices(method: string, field: number, property: string, slicer: Slicer): Promise<unknown> {
    const split = this.bytes.length > SLICED_DECODE_BYTES ? splitField(this.bytes, field) : null;
    if (!split) return this.decode(method);
    const decode = (bytes: Uint8Array): Record<string, unknown> => {
      try {
        return this.decoder(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Record<string, unknown>;
      } catch (err) {
        throw new InvalidArgumentError('request', `is not a valid ${method} request message: ${(err as Error)?.message ?? String(err)}`);
      }
    };
    const req = decode(split.rest);
    const items: unknown[] = [];
    const spans = split.spans;
    for (let i = 0; i < spans.length; ) {
      if (slicer.due) await slicer.next(`decoding, ${i / 2} of ${spans.length / 2} ${property}`);
      // A chunk of elements, re-framed as a message holding only them.
      let bytes = 0;
      let j = i;
      while (j < spans.length && (j === i || bytes < SLICED_DECODE_BYTES)) {
        bytes += spans[j + 1]! - spans[j]! + 8;
        j += 2;
      }
      const w = new ProtoWriter(bytes + 16);
      for (let k = i; k < j; k += 2) w.message(field, this.bytes.subarray(spans[k]!, spans[k + 1]!));
      const got = decode(w.finish())[property];
      if (Array.isArray(got)) for (const x of got) items.push(x);
      i = j;
    }
    req[property] = items;
    (req as { [RAW_REQUEST]?: Buffer })[RAW_REQUEST] = this.bytes;
    return req;
  }
}

/** Messages above this size are decoded in slices, in chunks of about this many bytes (~5 ms of decoding). */
const SLICED_DECODE_BYTES = 64 * 1024;

/** Counts calls in progress, for draining. */
export class InFlight {
  count = 0;
  private waiters: (() => void)[] = [];
  enter(): void {
    this.count++;
  }
  leave(): void {
    this.count--;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves when no call is in progress. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

function deadlineMs(d: Deadline): number {
  return d instanceof Date ? d.getTime() : d;
}

/**
 * grpc-js handlers over the core. Every call goes through `unary`: metrics,
 * in-flight tracking, and one error path (`toGrpcStatus`) — unexpected errors are
 * logged with their stack and become INTERNAL; the process stays up.
 */
export function makeHandlers(core: AllocationCore, metrics: ServeMetrics, log: Logger, inflight: InFlight, adminToken: string | undefined): AllocationServiceHandlers {
  /** Every call: metrics, in-flight tracking, one error path; `run` gets the request as the deserializer left it. */
  function handle<Req, Res>(method: string, run: (got: unknown, call: ServerUnaryCall<Req, Res>, started: number) => Promise<Res> | Res) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      const started = performance.now();
      inflight.enter();
      const finish = (code: string) => {
        metrics.requests.inc({ method, code });
        metrics.latency.observe({ method }, (performance.now() - started) / 1000);
        inflight.leave();
      };
      let p: Promise<Res>;
      try {
        // A call that waited past its deadline before it could start is not started: its caller
        // has stopped waiting, and the time is better spent on calls that can still make theirs.
        if (deadlineMs(call.getDeadline()) <= Date.now()) throw new DeadlineExceededError(`${method}: the deadline passed before the call could start; nothing was done`);
        p = Promise.resolve(run(call.request, call, started));
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(
        (res) => {
          finish('OK');
          return callback(null, res);
        },
        (err: unknown) => {
          const st = toGrpcStatus(err);
          if (isUnexpected(err)) log.error('internal_error', { method, ...errorFields(err) });
          finish(codeName(st.code));
          return callback(st);
        },
      );
    };
  }

  /** A call whose request is decoded at once, before `fn` runs. */
  function unary<Req, Res>(method: string, fn: (req: Req, call: ServerUnaryCall<Req, Res>, started: number) => Promise<Res> | Res) {
    return handle<Req, Res>(method, (got, call, started) => fn((got instanceof ReceivedRequest ? got.decode(method) : got) as Req, call, started));
  }

  return {
    // These two answer in wire format (WireMessage); the service definition's serializer passes it through.
    Recommend: unary('Recommend', (req, call, started) => core.recommend(req, deadlineMs(call.getDeadline()), started) as Promise<never>),
    // A batch may be large: admitted against the batch bytes in flight (RESOURCE_EXHAUSTED beyond),
    // then decoded, validated and decided in its turn, in time slices that let other calls in (see Slicer).
    RecommendBatch: handle('RecommendBatch', async (got, call, started) => {
      const deadline = deadlineMs(call.getDeadline());
      const slicer = new Slicer(deadline, SLICE_MS, 'RecommendBatch');
      const release = core.admitBatch(got instanceof ReceivedRequest ? got.bytes.length : 0);
      try {
        // Decoded when its turn comes (see AllocationCore.recommendBatch): until then it waits as bytes.
        const req =
          got instanceof ReceivedRequest ? (sl: Slicer) => got.decodeInSlices('RecommendBatch', 1, 'orders', sl) as Promise<RecommendBatchRequest__Output> : (got as RecommendBatchRequest__Output);
        return (await core.recommendBatch(req, deadline, started, slicer)) as never;
      } finally {
        release();
      }
    }),
    GetNetwork: unary('GetNetwork', () => core.getNetwork()),
    ListPolicies: unary('ListPolicies', () => core.listPolicies()),
    ActivatePolicy: unary('ActivatePolicy', (req, call) => {
      checkAdmin(call.metadata, adminToken);
      return core.activatePolicy(req);
    }),
    Reload: unary('Reload', (_req, call) => {
      checkAdmin(call.metadata, adminToken);
      return core.reload();
    }),
  };
}

const CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

function codeName(code: number): string {
  return CODE_NAMES[code] ?? String(code);
}

/** Type bridge: the generated handlers as grpc-js's untyped implementation map. */
export function asImplementation(h: AllocationServiceHandlers): UntypedServiceImplementation {
  return h as unknown as UntypedServiceImplementation;
}
