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
 * The heap is kept in typed arrays: each heap position holds its event's key
 * (time, priority, sequence) beside the slot of its handler and argument, so
 * sifting compares keys that sit next to each other in memory instead of
 * looking them up per slot. Scheduling allocates nothing once the arrays have
 * grown: this is what lets a model run millions of events a second. Freed slots
 * are reused.
 */
export class Kernel {
  // Heap position → key and slot.
  private heapTime: Float64Array;
  private heapPrio: Int32Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  // Slot → what to run.
  private handlers: (Handler<any> | undefined)[];
  private args: unknown[];
  private size = 0;
  private free: number[] = [];
  private nextSlot = 0;
  private seq = 0;
  private _now = 0;
  private _processed = 0;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    this.heapTime = new Float64Array(initialCapacity);
    this.heapPrio = new Int32Array(initialCapacity);
    this.heapSeq = new Float64Array(initialCapacity);
    this.heapSlot = new Int32Array(initialCapacity);
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
    this.handlers[slot] = handler;
    this.args[slot] = arg;
    this.push(time, priority | 0, this.seq++, slot);
  }

  /** Schedules `handler(arg)` after `delay` hours from now. */
  after<A>(delay: number, priority: number, handler: Handler<A>, arg?: A): void {
    if (!(delay >= 0)) throw new SimError(`delay(=${delay}) must be >= 0`);
    this.at(this._now + delay, priority, handler, arg);
  }

  /** The next event's time and priority, or undefined when none is left. */
  peek(): NextEvent | undefined {
    if (this.size === 0) return undefined;
    return { time: this.heapTime[0]!, priority: this.heapPrio[0]! };
  }

  /** Time of the next event, or Infinity. Cheaper than `peek()` in loops. */
  peekTime(): number {
    return this.size === 0 ? Infinity : this.heapTime[0]!;
  }

  /** Runs exactly one event. Returns false when there was none. */
  step(): boolean {
    if (this.size === 0) return false;
    this._now = this.heapTime[0]!;
    const slot = this.pop();
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
    while (this.size > 0 && this.heapTime[0]! <= until) {
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
    if (this.nextSlot === this.handlers.length) this.grow();
    return this.nextSlot++;
  }

  private grow(): void {
    const n = this.handlers.length * 2;
    const t = new Float64Array(n);
    t.set(this.heapTime);
    this.heapTime = t;
    const p = new Int32Array(n);
    p.set(this.heapPrio);
    this.heapPrio = p;
    const q = new Float64Array(n);
    q.set(this.heapSeq);
    this.heapSeq = q;
    const h = new Int32Array(n);
    h.set(this.heapSlot);
    this.heapSlot = h;
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

  /** Adds an event with key (t, p, s) in slot `slot`: sift up from the end. */
  private push(t: number, p: number, s: number, slot: number): void {
    const ht = this.heapTime;
    const hp = this.heapPrio;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = ht[parent]!;
      // Stop once the parent comes first (sequences are unique: never a full tie).
      if (pt < t || (pt === t && (hp[parent]! < p || (hp[parent] === p && hs[parent]! < s)))) break;
      ht[i] = pt;
      hp[i] = hp[parent]!;
      hs[i] = hs[parent]!;
      hslot[i] = hslot[parent]!;
      i = parent;
    }
    ht[i] = t;
    hp[i] = p;
    hs[i] = s;
    hslot[i] = slot;
  }

  /** Removes the first event and returns its slot: the last entry sifts down from the top. */
  private pop(): number {
    const ht = this.heapTime;
    const hp = this.heapPrio;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    const top = hslot[0]!;
    const n = --this.size;
    const t = ht[n]!;
    const p = hp[n]!;
    const s = hs[n]!;
    const slot = hslot[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      const r = l + 1;
      if (r < n) {
        const tr = ht[r]!;
        const tl = ht[l]!;
        if (tr < tl || (tr === tl && (hp[r]! < hp[l]! || (hp[r] === hp[l] && hs[r]! < hs[l]!)))) c = r;
      }
      const tc = ht[c]!;
      // Stop once the moving entry comes before the smaller child.
      if (t < tc || (t === tc && (p < hp[c]! || (p === hp[c] && s < hs[c]!)))) break;
      ht[i] = tc;
      hp[i] = hp[c]!;
      hs[i] = hs[c]!;
      hslot[i] = hslot[c]!;
      i = c;
    }
    if (n > 0) {
      ht[i] = t;
      hp[i] = p;
      hs[i] = s;
      hslot[i] = slot;
    }
    return top;
  }
}
