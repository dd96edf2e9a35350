import type { InboundView } from './policies/contract.js';

/**
 * Upper edges (hours from now) of the ETA buckets a context shows: stock landing
 * within a day, within three days, within a week; a last bucket holds the rest.
 */
export const INBOUND_BUCKET_HOURS: readonly number[] = [24, 72, 168];

const B = INBOUND_BUCKET_HOURS.length;

/**
 * Receipts waiting to enter one ETA window, keyed by the hour they enter it
 * (`eta − edge`, computed from the ETA where needed rather than stored), in
 * typed arrays (nothing allocated once grown). Keys mostly come in rising order
 * (lead times vary little next to the spacing of orders): those go to a FIFO
 * run, O(1) both ways; a key below the run's last goes to a binary min-heap.
 * `popDue` takes the smaller of the two heads.
 */
class WindowQueue {
  // The in-order run: a ring buffer (its size stays a power of two).
  private fifo = new Entries(64);
  private head = 0;
  private count = 0;
  // Out-of-order keys: a binary min-heap.
  private heap = new Entries(16);
  private heapSize = 0;
  /** The taken entry's cell, units and ETA (set by `popDue`). */
  cell = 0;
  qty = 0;
  eta = 0;
  /** The smallest key waiting (Infinity when none): nothing is due before it. */
  next = Infinity;

  constructor(private readonly edge: number) {}

  /** Recomputes `next` after the heads changed. */
  private updateNext(): void {
    const edge = this.edge;
    const f = this.count > 0 ? this.fifo.eta[this.head]! - edge : Infinity;
    const h = this.heapSize > 0 ? this.heap.eta[0]! - edge : Infinity;
    this.next = f <= h ? f : h;
  }

  /** Queues a receipt that enters the window at hour `eta − edge`. */
  push(cell: number, qty: number, eta: number): void {
    const edge = this.edge;
    const key = eta - edge;
    const f = this.fifo;
    const cap = f.eta.length;
    if (this.count === 0 || f.eta[(this.head + this.count - 1) & (cap - 1)]! - edge <= key) {
      if (this.count === cap) this.growFifo();
      this.fifo.set((this.head + this.count) & (this.fifo.eta.length - 1), cell, qty, eta);
      if (this.count++ === 0) this.updateNext();
      return;
    }
    if (this.heapSize === this.heap.eta.length) this.heap = this.heap.grown(this.heapSize * 2, 0, this.heapSize);
    const h = this.heap;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h.eta[p]! - edge <= key) break;
      h.move(p, i);
      i = p;
    }
    h.set(i, cell, qty, eta);
    if (i === 0) this.updateNext();
  }

  /** Takes the entry with the smallest key if it is <= `now` into `cell`, `qty`, `eta`; false when none is due. */
  popDue(now: number): boolean {
    const edge = this.edge;
    const f = this.fifo;
    const h = this.heap;
    const fromFifo = this.count > 0 && (this.heapSize === 0 || f.eta[this.head]! - edge <= h.eta[0]! - edge);
    if (fromFifo) {
      const i = this.head;
      if (f.eta[i]! - edge > now) return false;
      this.cell = f.cell[i]!;
      this.qty = f.qty[i]!;
      this.eta = f.eta[i]!;
      this.head = (i + 1) & (f.eta.length - 1);
      this.count--;
      this.updateNext();
      return true;
    }
    if (this.heapSize === 0 || h.eta[0]! - edge > now) return false;
    this.cell = h.cell[0]!;
    this.qty = h.qty[0]!;
    this.eta = h.eta[0]!;
    const n = --this.heapSize;
    if (n === 0) {
      this.updateNext();
      return true;
    }
    const cell = h.cell[n]!;
    const qty = h.qty[n]!;
    const eta = h.eta[n]!;
    const key = eta - edge;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h.eta[c + 1]! - edge < h.eta[c]! - edge) c++;
      if (key <= h.eta[c]! - edge) break;
      h.move(c, i);
      i = c;
    }
    h.set(i, cell, qty, eta);
    this.updateNext();
    return true;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.heapSize = 0;
    this.next = Infinity;
  }

  private growFifo(): void {
    const f = this.fifo;
    const cap = f.eta.length;
    // Unwrap the ring into the front of a buffer twice the size.
    const g = new Entries(cap * 2);
    for (let k = 0; k < this.count; k++) g.copyFrom(f, (this.head + k) & (cap - 1), k);
    this.fifo = g;
    this.head = 0;
  }
}

/** Parallel arrays of (cell, qty, eta) entries. */
class Entries {
  readonly cell: Int32Array;
  readonly qty: Int32Array;
  readonly eta: Float64Array;

  constructor(n: number) {
    this.cell = new Int32Array(n);
    this.qty = new Int32Array(n);
    this.eta = new Float64Array(n);
  }

  set(i: number, cell: number, qty: number, eta: number): void {
    this.cell[i] = cell;
    this.qty[i] = qty;
    this.eta[i] = eta;
  }

  move(from: number, to: number): void {
    this.set(to, this.cell[from]!, this.qty[from]!, this.eta[from]!);
  }

  copyFrom(o: Entries, from: number, to: number): void {
    this.set(to, o.cell[from]!, o.qty[from]!, o.eta[from]!);
  }

  /** A copy of entries [from, to) into arrays of size n. */
  grown(n: number, from: number, to: number): Entries {
    const g = new Entries(n);
    for (let i = from; i < to; i++) g.copyFrom(this, i, i - from);
    return g;
  }
}

/**
 * Stock on its way, per warehouse × SKU cell: totals, plus the units (and the sum
 * of units × ETA) inside each ETA window `[now, now + edge]` of
 * `INBOUND_BUCKET_HOURS`. A receipt enters a window when the clock reaches
 * `eta − edge`; one queue per window hands receipts over as time moves, so adding
 * or landing a receipt costs O(1) when lead times keep receipts nearly in ETA order, O(log n) at worst, and summarising a cell costs O(1), however
 * many receipts are in transit. Receipts land in ETA order (the kernel delivers
 * them at their ETA).
 */
export class Pipeline {
  /** Units in transit per cell. */
  readonly units: Int32Array;
  /** Σ units × ETA per cell (absolute hours). */
  private readonly etaSum: Float64Array;
  /** Per window b: units and Σ units × ETA inside it, at [b * cells + cell]. */
  private readonly inUnits: Int32Array;
  private readonly inEta: Float64Array;
  private readonly queues: WindowQueue[] = [];
  private advancedTo = -Infinity;
  /** Per cell: the hour its buckets were last summarised (−1: stale), and the summary. */
  private readonly viewAt: Float64Array;
  private readonly viewN: Uint8Array;
  private readonly viewQty: Int32Array;
  private readonly viewEta: Float64Array;

  constructor(private readonly cells: number) {
    this.viewAt = new Float64Array(cells).fill(-1);
    this.viewN = new Uint8Array(cells);
    this.viewQty = new Int32Array(cells * (B + 1));
    this.viewEta = new Float64Array(cells * (B + 1));
    this.units = new Int32Array(cells);
    this.etaSum = new Float64Array(cells);
    this.inUnits = new Int32Array(cells * B);
    this.inEta = new Float64Array(cells * B);
    for (let b = 0; b < B; b++) this.queues.push(new WindowQueue(INBOUND_BUCKET_HOURS[b]!));
  }

  /** Adds `qty` units landing at hour `eta` to a cell, at hour `now`. */
  add(cell: number, qty: number, eta: number, now: number): void {
    this.advance(now);
    this.viewAt[cell] = -1;
    this.units[cell] += qty;
    this.etaSum[cell] += qty * eta;
    for (let b = 0; b < B; b++) {
      const key = eta - INBOUND_BUCKET_HOURS[b]!;
      if (key <= now) this.enter(b, cell, qty, eta);
      else this.queues[b]!.push(cell, qty, eta);
    }
  }

  /** Takes out `qty` units of a cell landing now (`now` is their ETA). */
  land(cell: number, qty: number, eta: number): void {
    this.advance(eta);
    this.viewAt[cell] = -1;
    this.units[cell] -= qty;
    this.etaSum[cell] = this.units[cell] === 0 ? 0 : this.etaSum[cell]! - qty * eta;
    for (let b = 0; b < B; b++) this.leave(b, cell, qty, eta);
  }

  /** Moves every receipt whose window opening has come by `now` into that window. */
  advance(now: number): void {
    if (now === this.advancedTo) return;
    this.advancedTo = now;
    for (let b = 0; b < B; b++) {
      const q = this.queues[b]!;
      if (q.next > now) continue;
      while (q.popDue(now)) this.enter(b, q.cell, q.qty, q.eta);
    }
  }

  /**
   * The cell's inbound at `now` as at most four entries, soonest first: the units
   * of each ETA bucket with their mean ETA in hours from now (within the bucket's
   * edges). Written into `out` (resized) when given, else into a new array.
   */
  view(cell: number, now: number, out?: InboundView[]): InboundView[] {
    const view = out ?? [];
    let n = 0;
    if (this.units[cell]! > 0) {
      this.advance(now);
      // Summarised once per cell and hour: the orders of a wave share it.
      if (this.viewAt[cell] !== now) this.summarise(cell, now);
      n = this.viewN[cell]!;
      const base = cell * (B + 1);
      for (let k = 0; k < n; k++) {
        const q = this.viewQty[base + k]!;
        const eta = this.viewEta[base + k]!;
        const v = view[k];
        if (v) {
          v.quantity = q;
          v.etaHours = eta;
        } else view.push({ quantity: q, etaHours: eta });
      }
    }
    if (view.length !== n) view.length = n;
    return view;
  }

  /** The cell's nonempty buckets at `now` into the per-cell summary. */
  private summarise(cell: number, now: number): void {
    const base = cell * (B + 1);
    let n = 0;
    let prevUnits = 0;
    let prevEta = 0;
    for (let b = 0; b <= B; b++) {
      const units = b < B ? this.inUnits[b * this.cells + cell]! : this.units[cell]!;
      const eta = b < B ? this.inEta[b * this.cells + cell]! : this.etaSum[cell]!;
      const q = units - prevUnits;
      if (q > 0) {
        // Clamped into the bucket (above its lower edge: a bucket is open below),
        // so rounding never moves a bucket's mean across an edge.
        const lo = b > 0 ? INBOUND_BUCKET_HOURS[b - 1]! * (1 + Number.EPSILON) : 0;
        const hi = b < B ? INBOUND_BUCKET_HOURS[b]! : Infinity;
        this.viewQty[base + n] = q;
        this.viewEta[base + n] = Math.min(hi, Math.max(lo, (eta - prevEta) / q - now));
        n++;
      }
      prevUnits = units;
      prevEta = eta;
    }
    this.viewN[cell] = n;
    this.viewAt[cell] = now;
  }

  /** Empties the given cells (every cell holding units) and forgets the clock. */
  clear(cells: readonly number[]): void {
    for (const c of cells) {
      this.viewAt[c] = -1;
      this.units[c] = 0;
      this.etaSum[c] = 0;
      for (let b = 0; b < B; b++) {
        this.inUnits[b * this.cells + c] = 0;
        this.inEta[b * this.cells + c] = 0;
      }
    }
    for (const q of this.queues) q.clear();
    this.advancedTo = -Infinity;
  }

  private enter(b: number, cell: number, qty: number, eta: number): void {
    const i = b * this.cells + cell;
    this.viewAt[cell] = -1;
    this.inUnits[i] += qty;
    this.inEta[i] += qty * eta;
  }

  private leave(b: number, cell: number, qty: number, eta: number): void {
    const i = b * this.cells + cell;
    this.inUnits[i] -= qty;
    // An emptied window starts its sum afresh, so rounding never accumulates.
    this.inEta[i] = this.inUnits[i] === 0 ? 0 : this.inEta[i]! - qty * eta;
  }
}
