import { DeadlineExceededError } from './errors.js';

/**
 * Longest a request works on the event loop before it lets other calls in, ms.
 * A `RecommendBatch` of 4,000 orders × 100 lines is about two seconds of work
 * (decoding, validation, decisions); in slices of this length, a health check or
 * a `Recommend` that arrives meanwhile waits for one slice, not for the batch
 * (docs/serve.md, "Big requests"). Shorter slices cost the batch more turns of the
 * event loop (each a few µs); longer ones make everyone else wait longer.
 */
export const SLICE_MS = 3;

/**
 * Cooperative time slicing for a long request on the serving thread. The
 * request checks `due` between units of work (an order decoded, validated or
 * decided) and, when it is, awaits `next()`: the event loop then serves whatever
 * arrived (I/O, timers, other requests' audit commits) before the request goes
 * on. `next()` also enforces the caller's deadline: past it, the work is
 * abandoned with DEADLINE_EXCEEDED (the caller has stopped waiting; finishing
 * would only take time from others).
 */
export class Slicer {
  private start = performance.now();
  /** Turns given up so far (for tests and metrics). */
  yields = 0;

  constructor(
    /** Caller's deadline, ms since the epoch (Infinity: none). */
    private readonly deadline = Infinity,
    private readonly sliceMs = SLICE_MS,
    /** What the request was doing, for the deadline message. */
    private readonly what = 'request',
  ) {}

  /** True when this slice has used its time. */
  get due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  /** Lets the event loop turn, then starts a new slice; throws DEADLINE_EXCEEDED past the deadline. */
  async next(progress = ''): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.yields++;
    this.restart(progress);
  }

  /** Starts a new slice (after the request waited for its turn); throws DEADLINE_EXCEEDED past the deadline. */
  restart(progress = ''): void {
    if (Date.now() >= this.deadline) throw new DeadlineExceededError(`${this.what} passed its deadline before it was decided${progress ? ` (${progress})` : ''}; nothing was logged`);
    this.start = performance.now();
  }
}
