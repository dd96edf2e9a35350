import { Pipeline } from './pipeline.js';

/**
 * Pick capacity as policies see it, per warehouse: units left today and hours
 * until units allocated now would leave. A service snapshot gives both as
 * figures (this class); the simulator derives them from its picking calendar
 * (`PickCalendar`, which overrides `refresh`).
 */
export class WarehouseCapacity {
  readonly leftToday: Float64Array;
  readonly shipDelayHours: Float64Array;

  constructor(W: number) {
    this.leftToday = new Float64Array(W);
    this.shipDelayHours = new Float64Array(W);
  }

  /** Brings warehouse `w`'s figures up to hour `now` (fixed figures need nothing). */
  refresh(_w: number, _now: number): void {}
}

/**
 * The state of a warehouse network at one moment, per warehouse × SKU cell:
 * stock on hand and reserved (allocated, not yet shipped), its mean receipt time,
 * what is on order from suppliers, unplaced demand charged to the cell, and the
 * pipeline of stock in transit; per SKU, network totals; per warehouse, outages
 * and pick capacity. The simulator keeps one for a run; the service fills one
 * from a request's snapshot. Both build decision contexts from it
 * (`ContextBuilder`), so the same state gives the same context.
 *
 * Cells are indexed `s * W + w` (`cell(w, s)`): the warehouses of one SKU sit
 * side by side, which is how a context reads them.
 */
export class NetworkState {
  readonly onHand: Int32Array;
  readonly reserved: Int32Array;
  /** Quantity-weighted mean hour the cell's stock was received (its age is now − this). */
  readonly receiptTime: Float64Array;
  /** Units ordered from suppliers and not yet received (replenishment). */
  readonly onOrder: Int32Array;
  /** Unplaced units of the regions this warehouse is home to (replenishment counts them). */
  readonly pendingHome: Int32Array;
  readonly pipeline: Pipeline;
  /** Per SKU: units available in warehouses that are up, and units in transit. */
  readonly networkAvail: Int32Array;
  readonly networkInbound: Int32Array;
  /** Per SKU × segment kind ([s * 3 + kind]): unplaced units waiting. */
  readonly pendingByKind: Int32Array;
  /** Per warehouse: 1 while down. */
  readonly outage: Uint8Array;
  /** Cells written since the last `clear()` (a snapshot fills few of them). */
  private touched: number[] = [];
  private readonly isTouched: Uint8Array;

  constructor(
    readonly W: number,
    readonly S: number,
    readonly capacity: WarehouseCapacity = new WarehouseCapacity(W),
  ) {
    const cells = W * S;
    this.onHand = new Int32Array(cells);
    this.reserved = new Int32Array(cells);
    this.receiptTime = new Float64Array(cells);
    this.onOrder = new Int32Array(cells);
    this.pendingHome = new Int32Array(cells);
    this.pipeline = new Pipeline(cells);
    this.networkAvail = new Int32Array(S);
    this.networkInbound = new Int32Array(S);
    this.pendingByKind = new Int32Array(S * 3);
    this.outage = new Uint8Array(W);
    this.isTouched = new Uint8Array(cells);
  }

  cell(w: number, s: number): number {
    return s * this.W + w;
  }

  /** Units on hand and not promised to an order. */
  available(c: number): number {
    return this.onHand[c]! - this.reserved[c]!;
  }

  /** Base-stock inventory position: on hand − reserved + on order − unplaced home demand. */
  inventoryPosition(c: number): number {
    return this.onHand[c]! - this.reserved[c]! + this.onOrder[c]! - this.pendingHome[c]!;
  }

  /** Puts `q` units away at warehouse `w` at hour `now` (opening stock, a receipt). */
  addStock(w: number, s: number, q: number, now: number): void {
    const c = s * this.W + w;
    this.mark(c);
    const before = this.onHand[c]!;
    this.onHand[c] = before + q;
    // Average-cost style age: the receipt time moves to the quantity-weighted mean.
    this.receiptTime[c] = before > 0 ? (this.receiptTime[c]! * before + now * q) / (before + q) : now;
    if (!this.outage[w]) this.networkAvail[s] += q;
  }

  /** Stock that is already `ageHours` old at hour `now` (a snapshot's cell). */
  setStock(w: number, s: number, q: number, ageHours: number, now: number): void {
    const c = s * this.W + w;
    this.mark(c);
    this.onHand[c] = q;
    this.receiptTime[c] = now - ageHours;
    if (!this.outage[w]) this.networkAvail[s] += q;
  }

  /** `q` units of SKU `s` leave for warehouse `w`, landing at hour `eta`. */
  addInbound(w: number, s: number, q: number, eta: number, now: number): void {
    const c = s * this.W + w;
    this.mark(c);
    this.pipeline.add(c, q, eta, now);
    this.networkInbound[s] += q;
  }

  /** The receipt added with `addInbound` lands (now = its ETA) and is put away. */
  receive(w: number, s: number, q: number, eta: number): void {
    this.pipeline.land(s * this.W + w, q, eta);
    this.networkInbound[s] -= q;
    this.addStock(w, s, q, eta);
  }

  /** Promises `q` units of a cell to an order. */
  reserve(w: number, s: number, q: number): void {
    this.reserved[s * this.W + w] += q;
    this.networkAvail[s] -= q;
  }

  /** Promised units leave the warehouse. */
  ship(w: number, s: number, q: number): void {
    const c = s * this.W + w;
    this.onHand[c] -= q;
    this.reserved[c] -= q;
  }

  /** Unplaced demand comes (q > 0) or goes (q < 0): per SKU × kind, and at the region's home warehouse. */
  addPending(home: number, s: number, kind: number, q: number): void {
    const c = s * this.W + home;
    this.mark(c);
    this.pendingHome[c] += q;
    this.pendingByKind[s * 3 + kind] += q;
  }

  /** A warehouse goes down or comes back: its stock leaves or rejoins the network's available units. */
  setOutage(w: number, down: boolean): void {
    if (this.outage[w] === (down ? 1 : 0)) return;
    this.outage[w] = down ? 1 : 0;
    const sign = down ? -1 : 1;
    for (let s = 0; s < this.S; s++) this.networkAvail[s] += sign * this.available(s * this.W + w);
  }

  /** Empties the state for reuse, in time proportional to the cells written since the last clear. */
  clear(): void {
    const W = this.W;
    for (const c of this.touched) {
      const s = Math.floor(c / W);
      this.onHand[c] = 0;
      this.reserved[c] = 0;
      this.receiptTime[c] = 0;
      this.onOrder[c] = 0;
      this.pendingHome[c] = 0;
      this.isTouched[c] = 0;
      this.networkAvail[s] = 0;
      this.networkInbound[s] = 0;
      this.pendingByKind.fill(0, s * 3, s * 3 + 3);
    }
    this.pipeline.clear(this.touched);
    this.touched = [];
    this.outage.fill(0);
  }

  private mark(c: number): void {
    if (this.isTouched[c]) return;
    this.isTouched[c] = 1;
    this.touched.push(c);
  }
}
