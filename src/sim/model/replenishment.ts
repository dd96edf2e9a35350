import { Priority } from '../kernel/priority.js';
import type { RandomStreams, Stream } from '../kernel/random.js';
import { EntryKind } from '../ledger.js';
import type { Run } from './run.js';
import { grown, SlotStore } from './slots.js';

/**
 * Receipts in transit, in typed arrays indexed by a slot the kernel carries as
 * the event's argument: a receipt lives for a whole lead time, and weeks of
 * them as objects would be promoted to the old generation and collected there.
 */
class Receipts extends SlotStore {
  warehouse = new Int32Array(64);
  sku = new Int32Array(64);
  quantity = new Int32Array(64);
  /** 1: scheduled (exogenous) inbound rather than a replenishment order. */
  scheduled = new Uint8Array(64);
  /** A receipt's slot; it lands at the hour its kernel event runs. */
  add(w: number, s: number, q: number, scheduled: boolean): number {
    const i = this.slot();
    this.warehouse[i] = w;
    this.sku[i] = s;
    this.quantity[i] = q;
    this.scheduled[i] = scheduled ? 1 : 0;
    return i;
  }

  protected capacity(): number {
    return this.quantity.length;
  }

  protected grow(n: number): void {
    this.warehouse = grown(this.warehouse, n);
    this.sku = grown(this.sku, n);
    this.quantity = grown(this.quantity, n);
    this.scheduled = grown(this.scheduled, n);
  }
}

/**
 * Supply: scheduled inbound, and base-stock or (s,S) replenishment of each
 * warehouse × SKU with random supplier lead times. Periodic review checks every
 * cell every `reviewHours`; continuous review checks a cell on every demand
 * event that moves its inventory position (an order arriving at its home
 * warehouse, an allocation there), whether or not allocation runs in waves.
 */
export class Replenishment {
  private readonly leadRng: Stream[];
  private readonly continuous: boolean;
  private readonly receipts = new Receipts();
  private readonly baseStock: boolean;
  /** Per SKU: 1 when it is replenished. */
  private readonly replenish: Uint8Array;

  constructor(
    private readonly run: Run,
    streams: RandomStreams,
    /** Called after each receipt with its SKU (a wave-less run offers waiting orders then). */
    private readonly onReceipt: (sku: number) => void,
  ) {
    const s = run.world.scenario;
    this.leadRng = s.warehouses.map((w) => streams.get(`leadTimes:${w.id}`));
    this.continuous = s.replenishment.review === 'continuous';
    this.baseStock = s.replenishment.policy === 'base-stock';
    this.replenish = Uint8Array.from(run.world.skus, (k) => (k.replenish ? 1 : 0));
  }

  /** Sends the scenario's scheduled inbound on its way. */
  open(): void {
    const { world, horizon } = this.run;
    for (const b of world.scenario.inbound) {
      if (b.day * 24 >= horizon || b.quantity === 0) continue;
      const w = world.warehouseIndex.get(b.warehouse)!;
      const s = world.skuIndex.get(b.sku)!;
      this.send(w, s, b.quantity, true, b.day * 24, 0);
    }
  }

  /** Schedules the first periodic review (continuous review needs none). */
  startReviews(): void {
    if (!this.continuous) this.run.kernel.at(0, Priority.REVIEW, this.review);
  }

  /** Continuous review after an order for `sku` arrived from a region whose home is `home`. */
  onDemand(home: number, sku: number): void {
    if (this.continuous) this.reviewCell(home, sku);
  }

  /** Continuous review after an allocation at `w` of an order whose home is `home`. */
  readonly onAllocated = (w: number, home: number, sku: number): void => {
    if (!this.continuous) return;
    this.reviewCell(w, sku);
    if (w !== home) this.reviewCell(home, sku);
  };

  private send(w: number, s: number, q: number, scheduled: boolean, eta: number, now: number): void {
    this.run.state.addInbound(w, s, q, eta, now);
    this.run.kernel.at(eta, Priority.SUPPLY, this.receive, this.receipts.add(w, s, q, scheduled));
  }

  private readonly receive = (i: number): void => {
    const { state, ledger, kernel } = this.run;
    const r = this.receipts;
    const w = r.warehouse[i]!;
    const s = r.sku[i]!;
    const q = r.quantity[i]!;
    const scheduled = r.scheduled[i] === 1;
    r.release(i);
    // The event runs at the receipt's ETA: the clock reads it exactly.
    state.receive(w, s, q, kernel.now);
    if (!scheduled) state.onOrder[state.cell(w, s)] -= q;
    ledger.append(EntryKind.RECEIPT, kernel.now, -1, s, w, -1, -1, q, 0, 0, scheduled ? 1 : 0);
    this.onReceipt(s);
  };

  private readonly review = (): void => {
    const { state, kernel, horizon, world } = this.run;
    const W = state.W;
    const S = state.S;
    const orderUpTo = world.orderUpTo;
    const reorderPoint = world.reorderPoint;
    const replenish = this.replenish;
    const { onHand, reserved, onOrder, pendingHome } = state;
    // reviewCell's test, with what does not change over the loop hoisted out of it.
    for (let w = 0; w < W; w++) {
      for (let s = 0; s < S; s++) {
        const target = orderUpTo[w * S + s]!;
        if (target <= 0 || replenish[s] === 0) continue;
        const c = s * W + w;
        const ip = onHand[c]! - reserved[c]! + onOrder[c]! - pendingHome[c]!;
        const due = this.baseStock ? ip < target : ip <= reorderPoint[w * S + s]!;
        if (due && target - ip > 0) this.purchase(w, s, c, target - ip);
      }
    }
    const next = kernel.now + world.scenario.replenishment.reviewHours;
    if (next < horizon) kernel.at(next, Priority.REVIEW, this.review);
  };

  /** Base-stock or (s,S) check of one warehouse × SKU; orders up to S when due. */
  private reviewCell(w: number, s: number): void {
    const { world, state } = this.run;
    if (!world.skus[s]!.replenish) return;
    const S = world.orderUpTo[w * state.S + s]!;
    if (S <= 0) return;
    const c = state.cell(w, s);
    const ip = state.inventoryPosition(c);
    const due = this.baseStock ? ip < S : ip <= world.reorderPoint[w * state.S + s]!;
    if (!due || S - ip <= 0) return;
    this.purchase(w, s, c, S - ip);
  }

  /** Orders `q` units of cell `c` (warehouse `w`, SKU `s`) from the supplier now. */
  private purchase(w: number, s: number, c: number, q: number): void {
    const { state, ledger, kernel, world } = this.run;
    const rp = world.scenario.replenishment;
    const now = kernel.now;
    const lead = this.leadRng[w]!.duration(rp.leadTimeHours, rp.leadTimeCv);
    state.onOrder[c] += q;
    ledger.append(EntryKind.PURCHASE, now, -1, s, w, -1, -1, q, 0, lead);
    this.send(w, s, q, false, now + lead, now);
  }
}
