import { SimError } from './errors.js';

/** A callback run when its event fires; `arg` is whatever was scheduled with it. */
export type Handler<A = unknown> = (arg: A) => void;

/** What `peek()` tells about the next event without running it. */
export interface NextEvent {
  time: number;
  priority: number;
}

/**
 * The event heap and the clock. Events are kept in a binary min-heap keyed by
 * (time, priority, sequence): earlier time first, then lower priority number,
 * then the order of scheduling. Time moves only in `step()`; `run()` is a loop
 * over `step()`.
 *
 * Keys live in typed arrays indexed by slot and the heap holds slot numbers, so
 * scheduling allocates nothing once the arrays have grown: this is what lets a
 * model run millions of events a second. Freed slots are reused.
 */
export class Kernel {
  private times: Float64Array;
  private prios: Int32Array;
  private seqs: Float64Array;
  private handlers: (Handler<any> | undefined)[];
  private args: unknown[];
  private heap: Int32Array;
  private size = 0;
  private free: number[] = [];
  private nextSlot = 0;
  private seq = 0;
  private _now = 0;
  private _processed = 0;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.prios = new Int32Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.heap = new Int32Array(initialCapacity);
    this.handlers = [];
    this.args = [];
    this.fill(initialCapacity);
  }

  /** The current simulated time, in hours. */
  get now(): number {
    return this._now;
  }

  /** How many events have run so far. */
  get processed(): number {
    return this._processed;
  }

  /** How many events are waiting. */
  get pending(): number {
    return this.size;
  }

  /** Schedules `handler(arg)` at absolute time `time` (hours) with `priority`. */
  at<A>(time: number, priority: number, handler: Handler<A>, arg?: A): void {
    if (!(time >= this._now)) {
      throw new SimError(`event time(=${time}) must be >= now(=${this._now})`);
    }
    const slot = this.free.length > 0 ? this.free.pop()! : this.takeSlot();
    this.times[slot] = time;
    this.prios[slot] = priority;
    this.seqs[slot] = this.seq++;
    this.handlers[slot] = handler;
    this.args[slot] = arg;
    this.push(slot);
  }

  /** Schedules `handler(arg)` after `delay` hours from now. */
  after<A>(delay: number, priority: number, handler: Handler<A>, arg?: A): void {
    if (!(delay >= 0)) throw new SimError(`delay(=${delay}) must be >= 0`);
    this.at(this._now + delay, priority, handler, arg);
  }

  /** The next event's time and priority, or undefined when none is left. */
  peek(): NextEvent | undefined {
    if (this.size === 0) return undefined;
    const s = this.heap[0]!;
    return { time: this.times[s]!, priority: this.prios[s]! };
  }

  /** Time of the next event, or Infinity. Cheaper than `peek()` in loops. */
  peekTime(): number {
    return this.size === 0 ? Infinity : this.times[this.heap[0]!]!;
  }

  /** Runs exactly one event. Returns false when there was none. */
  step(): boolean {
    if (this.size === 0) return false;
    const slot = this.pop();
    this._now = this.times[slot]!;
    const handler = this.handlers[slot]!;
    const arg = this.args[slot];
    this.handlers[slot] = undefined;
    this.args[slot] = undefined;
    this.free.push(slot);
    this._processed++;
    handler(arg);
    return true;
  }

  /**
   * Runs events until none is left, the next one is later than `until` (events
   * exactly at `until` run), or a handler calls `stop()`. Returns true when stopped
   * by `stop()`; otherwise the clock then stands at `until` when given.
   */
  run(options: { until?: number } = {}): boolean {
    const until = options.until ?? Infinity;
    this.stopRequested = false;
    while (this.size > 0 && this.times[this.heap[0]!]! <= until) {
      this.step();
      if (this.stopRequested) {
        this.stopRequested = false;
        return true;
      }
    }
    if (until !== Infinity && until > this._now) this._now = until;
    return false;
  }

  /** Asks the running `run()` to return after the current event (time stays where it is). */
  stop(): void {
    this.stopRequested = true;
  }

  private takeSlot(): number {
    if (this.nextSlot === this.times.length) this.grow();
    return this.nextSlot++;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n);
    t.set(this.times);
    this.times = t;
    const p = new Int32Array(n);
    p.set(this.prios);
    this.prios = p;
    const q = new Float64Array(n);
    q.set(this.seqs);
    this.seqs = q;
    const h = new Int32Array(n);
    h.set(this.heap);
    this.heap = h;
    this.fill(n);
  }

  // Grows the handler and argument arrays by pushing, never by setting `length`:
  // a large holey array falls back to slow dictionary elements in V8.
  private fill(n: number): void {
    while (this.handlers.length < n) {
      this.handlers.push(undefined);
      this.args.push(undefined);
    }
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    if (ta !== tb) return ta < tb;
    const pa = this.prios[a]!;
    const pb = this.prios[b]!;
    if (pa !== pb) return pa < pb;
    return this.seqs[a]! < this.seqs[b]!;
  }

  private push(slot: number): void {
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(slot, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = slot;
  }

  private pop(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.size]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(heap[r]!, heap[l]!)) c = r;
      if (!this.less(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    if (n > 0) heap[i] = last;
    return top;
  }
}
