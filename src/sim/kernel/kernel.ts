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
 *
 * Events scheduled in key order — each no earlier than the last one so queued,
 * as a fixed delay gives (supplier lead times, say) — wait in a FIFO run beside
 * the heap instead, at O(1) each way; `step()` takes whichever head comes first.
 * The order is the heap's exactly, and a long pipeline of such events does not
 * deepen the heap every other event sifts through. A model can ask for more
 * runs (`lane()`) for streams it schedules in order itself.
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
  // The FIFO runs: runs[0] takes any event that extends it, the others only the
  // events scheduled onto them (`lane`). Each holds its events in key order.
  private readonly runs: FifoRun[] = [new FifoRun()];
  /** Events waiting in the runs. */
  private inRuns = 0;
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
    return this.size + this.inRuns;
  }

  /**
   * A FIFO lane of its own for a stream of events the caller schedules in key
   * order (the day's arrivals once sorted, say): `at(..., lane)` puts an event
   * there when it comes no earlier than the lane's last, else in the heap. The
   * order events run in is the same either way; only the cost differs.
   */
  lane(): number {
    this.runs.push(new FifoRun());
    return this.runs.length - 1;
  }

  /**
   * Schedules `handler(arg)` at absolute time `time` (hours) with `priority`;
   * `lane`: a lane from `lane()` the event belongs to.
   */
  at<A>(time: number, priority: number, handler: Handler<A>, arg?: A, lane = 0): void {
    if (!(time >= this._now)) {
      throw new SimError(`event time(=${time}) must be >= now(=${this._now})`);
    }
    const slot = this.free.length > 0 ? this.free.pop()! : this.takeSlot();
    this.handlers[slot] = handler;
    this.args[slot] = arg;
    const p = priority | 0;
    const s = this.seq++;
    const run = this.runs[lane]!;
    if (run.count > 0) {
      // Sequences only grow: a time and priority no earlier than the run's last extend it.
      if (run.accepts(time, p)) {
        run.append(time, p, s, slot);
        this.inRuns++;
        return;
      }
    } else if (lane > 0 || (this.size > 0 && !this.before(this.heapTime[0]!, this.heapPrio[0]!, this.heapSeq[0]!, time, p, s))) {
      // An empty shared run starts with an event that does not come before the heap's first.
      run.append(time, p, s, slot);
      this.inRuns++;
      return;
    }
    this.push(time, p, s, slot);
  }

  /** True when key (t1, p1, s1) comes before (t2, p2, s2). */
  private before(t1: number, p1: number, s1: number, t2: number, p2: number, s2: number): boolean {
    return t1 < t2 || (t1 === t2 && (p1 < p2 || (p1 === p2 && s1 < s2)));
  }

  /** The run whose head is the next event when it comes before the heap's top, else -1. */
  private firstRun(): number {
    if (this.inRuns === 0) return -1;
    const runs = this.runs;
    let best = -1;
    // Times first; priorities and sequences are read only on a tie.
    let bt = this.size > 0 ? this.heapTime[0]! : Infinity;
    for (let r = 0; r < runs.length; r++) {
      const q = runs[r]!;
      if (q.count === 0) continue;
      const h = q.head;
      const t = q.time[h]!;
      if (t > bt) continue;
      if (t === bt) {
        // A tie on time: the lower priority, then the earlier sequence, comes first.
        const p = q.prio[h]!;
        const s = q.seq[h]!;
        if (best >= 0) {
          const b = runs[best]!;
          if (!this.before(t, p, s, bt, b.prio[b.head]!, b.seq[b.head]!)) continue;
        } else if (this.size > 0 && !this.before(t, p, s, bt, this.heapPrio[0]!, this.heapSeq[0]!)) continue;
      }
      best = r;
      bt = t;
    }
    return best;
  }

  /** Schedules `handler(arg)` after `delay` hours from now. */
  after<A>(delay: number, priority: number, handler: Handler<A>, arg?: A): void {
    if (!(delay >= 0)) throw new SimError(`delay(=${delay}) must be >= 0`);
    this.at(this._now + delay, priority, handler, arg);
  }

  /** The next event's time and priority, or undefined when none is left. */
  peek(): NextEvent | undefined {
    const r = this.firstRun();
    if (r >= 0) {
      const q = this.runs[r]!;
      return { time: q.time[q.head]!, priority: q.prio[q.head]! };
    }
    if (this.size === 0) return undefined;
    return { time: this.heapTime[0]!, priority: this.heapPrio[0]! };
  }

  /** Time of the next event, or Infinity. Cheaper than `peek()` in loops. */
  peekTime(): number {
    const r = this.firstRun();
    if (r >= 0) return this.runs[r]!.time[this.runs[r]!.head]!;
    return this.size === 0 ? Infinity : this.heapTime[0]!;
  }

  /** Runs exactly one event. Returns false when there was none. */
  step(): boolean {
    return this.runNext(Infinity);
  }

  /** Runs the next event if it is due by `until`; false when none is. */
  private runNext(until: number): boolean {
    let slot: number;
    const r = this.firstRun();
    if (r >= 0) {
      const q = this.runs[r]!;
      const t = q.time[q.head]!;
      if (t > until) return false;
      this._now = t;
      slot = q.shift();
      this.inRuns--;
    } else {
      if (this.size === 0) return false;
      const t = this.heapTime[0]!;
      if (t > until) return false;
      this._now = t;
      slot = this.pop();
    }
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
    while (this.runNext(until)) {
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

/** Events in key order: a ring buffer of keys and slots (sizes stay powers of two). */
class FifoRun {
  time = new Float64Array(64);
  prio = new Int32Array(64);
  seq = new Float64Array(64);
  slot = new Int32Array(64);
  head = 0;
  count = 0;

  /** True when (t, p) comes no earlier than the last event (sequences only grow). */
  accepts(t: number, p: number): boolean {
    const last = (this.head + this.count - 1) & (this.time.length - 1);
    const lt = this.time[last]!;
    return t > lt || (t === lt && p >= this.prio[last]!);
  }

  append(t: number, p: number, s: number, slot: number): void {
    if (this.count === this.time.length) this.grow();
    const i = (this.head + this.count) & (this.time.length - 1);
    this.time[i] = t;
    this.prio[i] = p;
    this.seq[i] = s;
    this.slot[i] = slot;
    this.count++;
  }

  /** Removes the head and returns its slot. */
  shift(): number {
    const h = this.head;
    this.head = (h + 1) & (this.time.length - 1);
    this.count--;
    return this.slot[h]!;
  }

  /** Doubles the ring, unwrapped into the front of the new one. */
  private grow(): void {
    const cap = this.time.length;
    const t = new Float64Array(cap * 2);
    const p = new Int32Array(cap * 2);
    const q = new Float64Array(cap * 2);
    const sl = new Int32Array(cap * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (cap - 1);
      t[k] = this.time[i]!;
      p[k] = this.prio[i]!;
      q[k] = this.seq[i]!;
      sl[k] = this.slot[i]!;
    }
    this.time = t;
    this.prio = p;
    this.seq = q;
    this.slot = sl;
    this.head = 0;
  }
}
