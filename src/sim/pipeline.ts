import type { InboundView } from './policies/contract.js';

/**
 * Upper edges (hours from now) of the ETA buckets a context shows: stock landing
 * within a day, within three days, within a week; a last bucket holds the rest.
 */
export const INBOUND_BUCKET_HOURS: readonly number[] = [24, 72, 168];

const B = INBOUND_BUCKET_HOURS.length;

/**
 * A binary min-heap of receipts keyed by the hour they enter one ETA window
 * (`eta − window`), in typed arrays: it allocates nothing once grown.
 */
class WindowHeap {
  size = 0;
  key = new Float64Array(64);
  cell = new Int32Array(64);
  qty = new Int32Array(64);
  eta = new Float64Array(64);

  push(key: number, cell: number, qty: number, eta: number): void {
    if (this.size === this.key.length) this.grow();
    const k = this.key;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! <= key) break;
      this.move(p, i);
      i = p;
    }
    k[i] = key;
    this.cell[i] = cell;
    this.qty[i] = qty;
    this.eta[i] = eta;
  }

  /** Removes the top entry (read its fields first). */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const k = this.key;
    const key = k[n]!;
    const cell = this.cell[n]!;
    const qty = this.qty[n]!;
    const eta = this.eta[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && k[c + 1]! < k[c]!) c++;
      if (key <= k[c]!) break;
      this.move(c, i);
      i = c;
    }
    k[i] = key;
    this.cell[i] = cell;
    this.qty[i] = qty;
    this.eta[i] = eta;
  }

  private move(from: number, to: number): void {
    this.key[to] = this.key[from]!;
    this.cell[to] = this.cell[from]!;
    this.qty[to] = this.qty[from]!;
    this.eta[to] = this.eta[from]!;
  }

  private grow(): void {
    const n = this.key.length * 2;
    const k = new Float64Array(n);
    k.set(this.key);
    this.key = k;
    const c = new Int32Array(n);
    c.set(this.cell);
    this.cell = c;
    const q = new Int32Array(n);
    q.set(this.qty);
    this.qty = q;
    const e = new Float64Array(n);
    e.set(this.eta);
    this.eta = e;
  }
}

/**
 * Stock on its way, per warehouse × SKU cell: totals, plus the units (and the sum
 * of units × ETA) inside each ETA window `[now, now + edge]` of
 * `INBOUND_BUCKET_HOURS`. A receipt enters a window when the clock reaches
 * `eta − edge`; one heap per window hands receipts over as time moves, so adding
 * or landing a receipt costs O(log n) and summarising a cell costs O(1), however
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
  private readonly heaps: WindowHeap[] = [];
  private advancedTo = -Infinity;

  constructor(private readonly cells: number) {
    this.units = new Int32Array(cells);
    this.etaSum = new Float64Array(cells);
    this.inUnits = new Int32Array(cells * B);
    this.inEta = new Float64Array(cells * B);
    for (let b = 0; b < B; b++) this.heaps.push(new WindowHeap());
  }

  /** Adds `qty` units landing at hour `eta` to a cell, at hour `now`. */
  add(cell: number, qty: number, eta: number, now: number): void {
    this.advance(now);
    this.units[cell] += qty;
    this.etaSum[cell] += qty * eta;
    for (let b = 0; b < B; b++) {
      const key = eta - INBOUND_BUCKET_HOURS[b]!;
      if (key <= now) this.enter(b, cell, qty, eta);
      else this.heaps[b]!.push(key, cell, qty, eta);
    }
  }

  /** Takes out `qty` units of a cell landing now (`now` is their ETA). */
  land(cell: number, qty: number, eta: number): void {
    this.advance(eta);
    this.units[cell] -= qty;
    this.etaSum[cell] = this.units[cell] === 0 ? 0 : this.etaSum[cell]! - qty * eta;
    for (let b = 0; b < B; b++) this.leave(b, cell, qty, eta);
  }

  /** Moves every receipt whose window opening has come by `now` into that window. */
  advance(now: number): void {
    if (now === this.advancedTo) return;
    this.advancedTo = now;
    for (let b = 0; b < B; b++) {
      const h = this.heaps[b]!;
      while (h.size > 0 && h.key[0]! <= now) {
        this.enter(b, h.cell[0]!, h.qty[0]!, h.eta[0]!);
        h.pop();
      }
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
          const mean = Math.min(hi, Math.max(lo, (eta - prevEta) / q - now));
          const v = view[n];
          if (v) {
            v.quantity = q;
            v.etaHours = mean;
          } else view.push({ quantity: q, etaHours: mean });
          n++;
        }
        prevUnits = units;
        prevEta = eta;
      }
    }
    if (view.length !== n) view.length = n;
    return view;
  }

  /** Empties the given cells (every cell holding units) and forgets the clock. */
  clear(cells: readonly number[]): void {
    for (const c of cells) {
      this.units[c] = 0;
      this.etaSum[c] = 0;
      for (let b = 0; b < B; b++) {
        this.inUnits[b * this.cells + c] = 0;
        this.inEta[b * this.cells + c] = 0;
      }
    }
    for (const h of this.heaps) h.size = 0;
    this.advancedTo = -Infinity;
  }

  private enter(b: number, cell: number, qty: number, eta: number): void {
    const i = b * this.cells + cell;
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
