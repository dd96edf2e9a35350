import { Priority } from '../kernel/priority.js';
import { EntryKind } from '../ledger.js';
import type { OrderLineState, OrderState } from '../context.js';
import type { RandomStreams } from '../kernel/random.js';
import type { Contracts } from './contracts.js';
import { DemandProcess } from './demand.js';
import { KIND_INDEX } from './world.js';
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

/** Arrival order: by time, ties in draw order. */
const byArrival = (a: SimOrder, b: SimOrder): number => a.createdHours - b.createdHours || a.index - b.index;

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
  private readonly drawn: SimOrder[] = [];

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
   * pass through the event heap.
   */
  readonly drawDay = (day: number): void => {
    const segments = this.run.world.scenario.segments;
    const k = this.run.kernel;
    const drawn = this.drawn;
    this.demand.drawDay(day, (sku, region, segment, qty, at, unitPrice, transitZ, lateU) => {
      const index = this.count++;
      drawn.push({
        index,
        id: `O${index}`,
        segment,
        kind: KIND_INDEX[segments[segment]!.kind],
        region,
        createdHours: at,
        lines: [{ sku, quantity: qty, remaining: qty, unitPrice }],
        remaining: qty,
        offered: false,
        escalated: false,
        transitZ,
        lateU,
      });
    });
    drawn.sort(byArrival);
    for (let i = 0; i < drawn.length; i++) k.at(drawn[i]!.createdHours, Priority.ARRIVAL, this.arrive, drawn[i]!, this.lane);
    drawn.length = 0;
  };

  private readonly arrive = (o: SimOrder): void => {
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
  };

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
