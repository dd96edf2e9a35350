import { Priority } from '../kernel/priority.js';
import type { RandomStreams, Stream } from '../kernel/random.js';
import { EntryKind } from '../ledger.js';
import type { Run } from './run.js';

interface Receipt {
  warehouse: number;
  sku: number;
  quantity: number;
  /** Scheduled (exogenous) inbound rather than a replenishment order. */
  scheduled: boolean;
  /** Hour it lands. */
  eta: number;
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

  constructor(
    private readonly run: Run,
    streams: RandomStreams,
    /** Called after each receipt with its SKU (a wave-less run offers waiting orders then). */
    private readonly onReceipt: (sku: number) => void,
  ) {
    const s = run.world.scenario;
    this.leadRng = s.warehouses.map((w) => streams.get(`leadTimes:${w.id}`));
    this.continuous = s.replenishment.review === 'continuous';
  }

  /** Sends the scenario's scheduled inbound on its way. */
  open(): void {
    const { world, horizon } = this.run;
    for (const b of world.scenario.inbound) {
      if (b.day * 24 >= horizon || b.quantity === 0) continue;
      const w = world.warehouseIndex.get(b.warehouse)!;
      const s = world.skuIndex.get(b.sku)!;
      this.send({ warehouse: w, sku: s, quantity: b.quantity, scheduled: true, eta: b.day * 24 }, 0);
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

  private send(r: Receipt, now: number): void {
    this.run.state.addInbound(r.warehouse, r.sku, r.quantity, r.eta, now);
    this.run.kernel.at(r.eta, Priority.SUPPLY, this.receive, r);
  }

  private readonly receive = (r: Receipt): void => {
    const { state, ledger, kernel } = this.run;
    state.receive(r.warehouse, r.sku, r.quantity, r.eta);
    if (!r.scheduled) state.onOrder[state.cell(r.warehouse, r.sku)] -= r.quantity;
    ledger.append(EntryKind.RECEIPT, kernel.now, -1, r.sku, r.warehouse, -1, -1, r.quantity, 0, 0, r.scheduled ? 1 : 0);
    this.onReceipt(r.sku);
  };

  private readonly review = (): void => {
    const { state, kernel, horizon, world } = this.run;
    for (let w = 0; w < state.W; w++) for (let s = 0; s < state.S; s++) this.reviewCell(w, s);
    const next = kernel.now + world.scenario.replenishment.reviewHours;
    if (next < horizon) kernel.at(next, Priority.REVIEW, this.review);
  };

  /** Base-stock or (s,S) check of one warehouse × SKU; orders up to S when due. */
  private reviewCell(w: number, s: number): void {
    const { world, state, ledger, kernel } = this.run;
    if (!world.skus[s]!.replenish) return;
    const S = world.orderUpTo[w * state.S + s]!;
    if (S <= 0) return;
    const c = state.cell(w, s);
    const ip = state.inventoryPosition(c);
    const rp = world.scenario.replenishment;
    const due = rp.policy === 'base-stock' ? ip < S : ip <= world.reorderPoint[w * state.S + s]!;
    if (!due || S - ip <= 0) return;
    const q = S - ip;
    const now = kernel.now;
    const lead = this.leadRng[w]!.duration(rp.leadTimeHours, rp.leadTimeCv);
    state.onOrder[c] += q;
    ledger.append(EntryKind.PURCHASE, now, -1, s, w, -1, -1, q, 0, lead);
    this.send({ warehouse: w, sku: s, quantity: q, scheduled: false, eta: now + lead }, now);
  }
}
