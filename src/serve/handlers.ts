import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation, Deadline } from '@grpc/grpc-js';
import type { AllocationServiceHandlers } from '../gen/allocation/v1/AllocationService.js';
import { checkAdmin } from './auth.js';
import { InvalidArgumentError, isUnexpected, toGrpcStatus } from './errors.js';
import { errorFields, type Logger } from './log.js';
import type { ServeMetrics } from './metrics.js';
import type { AllocationCore } from './service.js';

/** Marks a request whose bytes did not decode (set by the wrapped deserializer). */
export const UNDECODABLE = Symbol('undecodable');

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
  function unary<Req, Res>(method: string, fn: (req: Req, call: ServerUnaryCall<Req, Res>, started: number) => Promise<Res> | Res) {
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
        const req = call.request as Req & { [UNDECODABLE]?: string };
        if (req && typeof req === 'object' && UNDECODABLE in req) {
          throw new InvalidArgumentError('request', `is not a valid ${method} request message: ${req[UNDECODABLE]}`);
        }
        p = Promise.resolve(fn(req, call, started));
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

  return {
    // These two answer in wire format (WireMessage); the service definition's serializer passes it through.
    Recommend: unary('Recommend', (req, call, started) => core.recommend(req, deadlineMs(call.getDeadline()), started) as Promise<never>),
    RecommendBatch: unary('RecommendBatch', (req, call, started) => core.recommendBatch(req, deadlineMs(call.getDeadline()), started) as Promise<never>),
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
