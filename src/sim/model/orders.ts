import { Priority } from '../kernel/priority.js';
import { EntryKind, orderId } from '../ledger.js';
import type { OrderLineState, OrderState } from '../context.js';
import type { RandomStreams } from '../kernel/random.js';
import type { Contracts } from './contracts.js';
import { DemandProcess } from './demand.js';
import { KIND_INDEX } from './world.js';
import { grown, SlotStore } from './slots.js';
import type { Run } from './run.js';

/** One line of a customer order inside the simulator. */
export interface OrderLine extends OrderLineState {
  quantity: number;
}

/** A customer order inside the simulator. */
export interface SimOrder extends OrderState {
  index: number;
  /** Segment kind index (contract 0, premium 1, standard 2). */
  kind: number;
  lines: OrderLine[];
  /** Unplaced units over all lines. */
  remaining: number;
  offered: boolean;
  escalated: boolean;
  /** Standard normal drawn at creation: the order's transit-time luck (common random numbers). */
  transitZ: number;
  /** Uniform drawn at creation: whether the carrier runs late for this order. */
  lateU: number;
}

/** Orders drawn and not yet arrived, in typed arrays indexed by a slot (the arrival event's argument). */
class Drawn extends SlotStore {
  index = new Int32Array(1024);
  sku = new Int32Array(1024);
  region = new Int32Array(1024);
  segment = new Int32Array(1024);
  quantity = new Int32Array(1024);
  at = new Float64Array(1024);
  unitPrice = new Float64Array(1024);
  transitZ = new Float64Array(1024);
  lateU = new Float64Array(1024);
  add(index: number, sku: number, region: number, segment: number, qty: number, at: number, unitPrice: number, transitZ: number, lateU: number): number {
    const i = this.slot();
    this.index[i] = index;
    this.sku[i] = sku;
    this.region[i] = region;
    this.segment[i] = segment;
    this.quantity[i] = qty;
    this.at[i] = at;
    this.unitPrice[i] = unitPrice;
    this.transitZ[i] = transitZ;
    this.lateU[i] = lateU;
    return i;
  }

  protected capacity(): number {
    return this.at.length;
  }

  protected grow(n: number): void {
    this.index = grown(this.index, n);
    this.sku = grown(this.sku, n);
    this.region = grown(this.region, n);
    this.segment = grown(this.segment, n);
    this.quantity = grown(this.quantity, n);
    this.at = grown(this.at, n);
    this.unitPrice = grown(this.unitPrice, n);
    this.transitZ = grown(this.transitZ, n);
    this.lateU = grown(this.lateU, n);
  }
}

/**
 * Customer orders: each day's orders drawn from the demand process and arriving
 * one event each; the orders waiting for stock; after an order's first offer its
 * unplaced units are booked as backordered (and lost at once when its segment's
 * patience is 0); waiting orders expire into lost sales after their patience and
 * are escalated to a planner after the escalation time.
 */
export class Orders {
  /** Orders with unplaced units, in arrival order (compacted by `compact`). */
  readonly pending: SimOrder[] = [];
  count = 0;
  private readonly demand: DemandProcess;
  /** The kernel lane of arrivals, and the day's orders being drawn. */
  private readonly lane: number;
  private readonly drawn = new Drawn();

  constructor(
    private readonly run: Run,
    streams: RandomStreams,
    private readonly contracts: Contracts,
    /** Called for each arrival once it is booked (the engine offers it or lets it wait for a wave). */
    private readonly onArrival: (o: SimOrder) => void,
  ) {
    this.demand = new DemandProcess(run.world, streams, run.horizon);
    this.lane = run.kernel.lane();
  }

  /**
   * Draws the day's orders (see `DemandProcess`) and schedules their arrivals,
   * one event each, by time (ties in draw order, as the kernel's sequence would
   * run them), on a kernel lane of their own: the day's arrivals then never
   * pass through the event heap. Until it arrives an order is a slot of typed
   * arrays (`Drawn`); its object is made on arrival, so the orders of a day do
   * not wait for hours as objects (to be promoted and collected as old ones).
   */
  readonly drawDay = (day: number): void => {
    const k = this.run.kernel;
    const d = this.drawn;
    let n = 0;
    this.demand.drawDay(day, (sku, region, segment, qty, at, unitPrice, transitZ, lateU) => {
      if (n === this.today.length) this.today = grown(this.today, 2 * n);
      this.today[n++] = d.add(this.count++, sku, region, segment, qty, at, unitPrice, transitZ, lateU);
    });
    const sorted = this.byArrival(this.today, n, day * 24);
    for (let i = 0; i < n; i++) k.at(d.at[sorted[i]!]!, Priority.ARRIVAL, this.arrive, sorted[i]!, this.lane);
  };

  /** Slots of the day's orders in draw order, and sorted by arrival. */
  private today = new Int32Array(1024);
  private sorted = new Int32Array(1024);
  private bucketStart = new Int32Array(1024);
  private bucketOf = new Int32Array(1024);

  /**
   * The first `n` slots of `slots` by arrival time, ties in draw order: a stable
   * counting sort into one bucket per order on average over the day's 24 hours,
   * then an insertion sort that only has to fix order within buckets. Linear,
   * where a comparison sort of thousands of orders a day was a visible part of a run.
   */
  private byArrival(slots: Int32Array, n: number, dayStart: number): Int32Array {
    if (this.sorted.length < n) this.sorted = new Int32Array(2 * n);
    const out = this.sorted;
    if (n === 0) return out;
    const at = this.drawn.at;
    const B = n;
    if (this.bucketStart.length < B + 1) this.bucketStart = new Int32Array(2 * (B + 1));
    const start = this.bucketStart;
    start.fill(0, 0, B + 1);
    const scale = B / 24;
    if (this.bucketOf.length < n) this.bucketOf = new Int32Array(2 * n);
    const bucketOf = this.bucketOf;
    for (let i = 0; i < n; i++) {
      let b = Math.floor((at[slots[i]!]! - dayStart) * scale);
      if (b > B - 1) b = B - 1;
      if (b < 0) b = 0;
      bucketOf[i] = b;
      start[b + 1]++;
    }
    for (let b = 0; b < B; b++) start[b + 1] += start[b]!;
    for (let i = 0; i < n; i++) out[start[bucketOf[i]!]!++] = slots[i]!;
    for (let i = 1; i < n; i++) {
      const slot = out[i]!;
      const t = at[slot]!;
      let j = i;
      while (j > 0 && at[out[j - 1]!]! > t) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = slot;
    }
    return out;
  }

  /** A drawn order arrives: its object is made and booked. */
  private readonly arrive = (slot: number): void => {
    const d = this.drawn;
    const segment = d.segment[slot]!;
    const index = d.index[slot]!;
    const qty = d.quantity[slot]!;
    const o: SimOrder = {
      index,
      id: orderId(index),
      segment,
      kind: KIND_INDEX[this.run.world.scenario.segments[segment]!.kind],
      region: d.region[slot]!,
      createdHours: d.at[slot]!,
      lines: [{ sku: d.sku[slot]!, quantity: qty, remaining: qty, unitPrice: d.unitPrice[slot]! }],
      remaining: qty,
      offered: false,
      escalated: false,
      transitZ: d.transitZ[slot]!,
      lateU: d.lateU[slot]!,
    };
    d.release(slot);
    this.book(o);
  };

  private book(o: SimOrder): void {
    const { world, ledger, state } = this.run;
    const now = this.run.kernel.now;
    const home = world.homeWarehouse[o.region]!;
    for (const l of o.lines) {
      ledger.append(EntryKind.ORDER, now, o.index, l.sku, -1, o.segment, -1, l.quantity, l.quantity * l.unitPrice);
      state.addPending(home, l.sku, o.kind, l.quantity);
    }
    if (world.scenario.segments[o.segment]!.contract) this.contracts.addOrdered(o.segment, o.remaining);
    this.pending.push(o);
    this.onArrival(o);
  }

  /** After an order's first offer: books its unplaced units as backordered, or lost at once without patience. */
  markOffered(o: SimOrder, now: number): void {
    if (o.offered) return;
    o.offered = true;
    for (const l of o.lines) {
      if (l.remaining > 0) this.run.ledger.append(EntryKind.BACKORDER, now, o.index, l.sku, -1, o.segment, -1, l.remaining, 0);
    }
    if (o.remaining > 0 && this.run.world.scenario.segments[o.segment]!.patienceHours === 0) this.lose(o, now);
  }

  /** Waiting orders past their patience become lost sales; past the escalation time, escalations. */
  expireAndEscalate(now: number): void {
    const segments = this.run.world.scenario.segments;
    for (const o of this.pending) {
      if (o.remaining <= 0) continue;
      const seg = segments[o.segment]!;
      const waited = now - o.createdHours;
      if (waited >= seg.patienceHours) this.lose(o, now);
      else if (!o.escalated && waited >= seg.escalationHours) {
        o.escalated = true;
        this.run.ledger.append(EntryKind.ESCALATION, now, o.index, -1, -1, o.segment, -1, o.remaining, 0);
      }
    }
  }

  /** Books every unplaced unit of `o` as a lost sale. */
  private lose(o: SimOrder, now: number): void {
    const { world, ledger, state, accounts } = this.run;
    const seg = world.scenario.segments[o.segment]!;
    const home = world.homeWarehouse[o.region]!;
    for (const l of o.lines) {
      if (l.remaining <= 0) continue;
      ledger.append(EntryKind.LOST_SALE, now, o.index, l.sku, -1, o.segment, -1, l.remaining, l.remaining * l.unitPrice);
      if (seg.lostSalePenaltyPerUnit > 0) {
        const pen = l.remaining * seg.lostSalePenaltyPerUnit;
        ledger.append(EntryKind.PENALTY_LOST_SALE, now, o.index, l.sku, -1, o.segment, -1, l.remaining, pen);
        accounts.lostSalePenalty += pen;
      }
      state.addPending(home, l.sku, o.kind, -l.remaining);
      l.remaining = 0;
    }
    o.remaining = 0;
  }

  /** Drops orders with nothing left to place, keeping arrival order. */
  readonly compact = (): void => {
    let j = 0;
    const p = this.pending;
    for (let i = 0; i < p.length; i++) if (p[i]!.remaining > 0) p[j++] = p[i]!;
    p.length = j;
  };

  /** Unplaced units over all waiting orders. */
  backlog(): number {
    let b = 0;
    for (const o of this.pending) b += o.remaining;
    return b;
  }
}
