import { Priority } from '../kernel/priority.js';
import { EntryKind } from '../ledger.js';
import { WarehouseCapacity } from '../network-state.js';
import type { Decision } from '../policies/contract.js';
import type { Contracts } from './contracts.js';
import type { OrderLine, SimOrder } from './orders.js';
import type { Run } from './run.js';
import { grown, SlotStore } from './slots.js';
import { laneTransitHours, type World } from './world.js';

/**
 * Shipments between allocation and delivery, in typed arrays indexed by a slot
 * the kernel carries as the event's argument: what picking, shipping and
 * delivery need of the order and line is copied in at allocation, so days in
 * transit keep no objects alive (they would be promoted and collected in the
 * old generation, and read back from cold memory at delivery).
 */
class Shipments extends SlotStore {
  order = new Int32Array(256);
  segment = new Int32Array(256);
  region = new Int32Array(256);
  sku = new Int32Array(256);
  warehouse = new Int32Array(256);
  quantity = new Int32Array(256);
  /** Index into the lane's open modes. */
  laneMode = new Int32Array(256);
  unitPrice = new Float64Array(256);
  createdHours = new Float64Array(256);
  transitZ = new Float64Array(256);
  lateU = new Float64Array(256);
  add(o: SimOrder, line: OrderLine, w: number, q: number, laneMode: number): number {
    const i = this.slot();
    this.order[i] = o.index;
    this.segment[i] = o.segment;
    this.region[i] = o.region;
    this.sku[i] = line.sku;
    this.warehouse[i] = w;
    this.quantity[i] = q;
    this.laneMode[i] = laneMode;
    this.unitPrice[i] = line.unitPrice;
    this.createdHours[i] = o.createdHours;
    this.transitZ[i] = o.transitZ;
    this.lateU[i] = o.lateU;
    return i;
  }

  protected capacity(): number {
    return this.order.length;
  }

  protected grow(n: number): void {
    this.order = grown(this.order, n);
    this.segment = grown(this.segment, n);
    this.region = grown(this.region, n);
    this.sku = grown(this.sku, n);
    this.warehouse = grown(this.warehouse, n);
    this.quantity = grown(this.quantity, n);
    this.laneMode = grown(this.laneMode, n);
    this.unitPrice = grown(this.unitPrice, n);
    this.createdHours = grown(this.createdHours, n);
    this.transitZ = grown(this.transitZ, n);
    this.lateU = grown(this.lateU, n);
  }
}

/**
 * Each warehouse's picking calendar: units booked per day against its pick
 * capacity, with outage days closed. Work allocated today is picked on the first
 * day with room, spilling over to later days. Policies see it as capacity left
 * today and the ship delay (`WarehouseCapacity`), cached per warehouse until time
 * moves or work is booked there.
 */
export class PickCalendar extends WarehouseCapacity {
  private readonly used: Float64Array[];
  private readonly closed: Uint8Array[];
  private readonly cursor: Int32Array;
  private readonly viewAt: Float64Array;

  constructor(
    private readonly world: World,
    days: number,
  ) {
    const s = world.scenario;
    super(s.warehouses.length);
    const capDays = days + 30;
    this.used = s.warehouses.map(() => new Float64Array(capDays));
    this.closed = s.warehouses.map((wh) => {
      const mask = new Uint8Array(capDays + 3650);
      for (const o of wh.outages) {
        for (let d = Math.floor(o.startDay); d < Math.ceil(o.endDay) && d < mask.length; d++) mask[d] = 1;
      }
      return mask;
    });
    this.cursor = new Int32Array(s.warehouses.length);
    this.viewAt = new Float64Array(s.warehouses.length).fill(-1);
  }

  override refresh(w: number, now: number): void {
    if (this.viewAt[w] === now) return;
    this.viewAt[w] = now;
    const day = Math.floor(now / 24);
    const wh = this.world.scenario.warehouses[w]!;
    this.leftToday[w] = this.closed[w]![day] ? 0 : Math.max(0, wh.pickCapacityPerDay - this.usedOn(w, day));
    const first = this.firstPickDay(w, day);
    this.shipDelayHours[w] = first === day ? wh.pickHours : first * 24 + wh.pickHours - now;
  }

  /** Books capacity for q units from `day` on; returns the day the last unit is picked. */
  book(w: number, day: number, q: number): number {
    const cap = this.world.scenario.warehouses[w]!.pickCapacityPerDay;
    let d = this.firstPickDay(w, day);
    let left = q;
    for (;;) {
      if (this.closed[w]![d]) {
        d++;
        continue;
      }
      if (d >= this.used[w]!.length) {
        const bigger = new Float64Array(Math.max(d + 1, this.used[w]!.length * 2));
        bigger.set(this.used[w]!);
        this.used[w] = bigger;
      }
      const used = this.used[w]!;
      const take = Math.min(cap - used[d]!, left);
      used[d] += take;
      left -= take;
      if (left <= 0) break;
      d++;
    }
    if (day >= this.cursor[w]!) this.cursor[w] = this.usedOn(w, d) >= cap ? d + 1 : d;
    this.viewAt[w] = -1;
    return d;
  }

  private usedOn(w: number, day: number): number {
    const a = this.used[w]!;
    return day < a.length ? a[day]! : 0;
  }

  private firstPickDay(w: number, day: number): number {
    const cap = this.world.scenario.warehouses[w]!.pickCapacityPerDay;
    let d = Math.max(day, this.cursor[w]!);
    while (this.closed[w]![d] || this.usedOn(w, d) >= cap) d++;
    return d;
  }
}

/**
 * Fulfilment: a decision's allocations are reserved, booked on the picking
 * calendar and shipped once picked (cost of goods, shipping and handling booked
 * then); each shipment is delivered after its lane's transit, drawn from the
 * order's own luck, on time or late against the segment's promise.
 */
export class Fulfilment {
  /** Units picked today per warehouse (for the day's snapshot). */
  private readonly pickedToday: Float64Array;
  /** The kernel lane of shipments: a wave's picks leave in the order they are booked, mostly. */
  private readonly shipLane: number;
  private readonly shipments = new Shipments();

  constructor(
    private readonly run: Run,
    private readonly calendar: PickCalendar,
    private readonly contracts: Contracts,
    /** Called after each allocation with (warehouse, home warehouse, SKU): continuous review. */
    private readonly onAllocated: (w: number, home: number, sku: number) => void,
  ) {
    this.pickedToday = new Float64Array(run.world.scenario.warehouses.length);
    this.shipLane = run.kernel.lane();
  }

  /** Applies a validated decision for order `o` at hour `now`. */
  apply(o: SimOrder, decision: Decision, now: number): void {
    const { world, state, ledger, kernel } = this.run;
    const s = world.scenario;
    const R = s.regions.length;
    const home = world.homeWarehouse[o.region]!;
    const isContract = s.segments[o.segment]!.contract !== undefined;
    for (let i = 0; i < o.lines.length; i++) {
      const l = o.lines[i]!;
      const d = decision.lines[i]!;
      for (const a of d.allocations) {
        const w = world.warehouseIndex.get(a.warehouse)!;
        const q = a.quantity;
        state.reserve(w, l.sku, q);
        state.addPending(home, l.sku, o.kind, -q);
        l.remaining -= q;
        o.remaining -= q;
        if (isContract) this.contracts.addFilled(o.segment, q);
        const lane = world.lanes[w * R + o.region]!;
        let laneMode = 0;
        while (lane.modes[laneMode]!.mode !== a.mode) laneMode++;
        ledger.append(EntryKind.ALLOCATE, now, o.index, l.sku, w, o.segment, lane.modeIndex[laneMode]!, q, 0);
        const today = Math.floor(now / 24);
        const lastDay = this.calendar.book(w, today, q);
        const pick = s.warehouses[w]!.pickHours;
        const shipAt = lastDay === today ? now + pick : lastDay * 24 + pick;
        kernel.at(shipAt, Priority.FLOW, this.ship, this.shipments.add(o, l, w, q, laneMode), this.shipLane);
        this.onAllocated(w, home, l.sku);
      }
    }
  }

  private readonly ship = (i: number): void => {
    const { world, state, ledger, kernel, accounts } = this.run;
    const now = kernel.now;
    const sh = this.shipments;
    const w = sh.warehouse[i]!;
    const k = sh.sku[i]!;
    const q = sh.quantity[i]!;
    const order = sh.order[i]!;
    const segment = sh.segment[i]!;
    const laneMode = sh.laneMode[i]!;
    const lane = world.lanes[w * world.scenario.regions.length + sh.region[i]!]!;
    const mode = lane.modes[laneMode]!;
    const modeIdx = lane.modeIndex[laneMode]!;
    const sku = world.skus[k]!;
    const wh = world.scenario.warehouses[w]!;
    state.ship(w, k, q);
    const day = Math.floor(now / 24);
    if (day < this.run.days) this.pickedToday[w] += q;
    ledger.append(EntryKind.PICK, now, order, k, w, segment, modeIdx, q, 0);
    ledger.append(EntryKind.SHIP, now, order, k, w, segment, modeIdx, q, 0);
    const cogs = q * sku.unitCost;
    const shipping = q * mode.costPerUnit;
    const handling = q * wh.handlingCostPerUnit;
    ledger.append(EntryKind.COGS, now, order, k, w, segment, modeIdx, q, cogs);
    ledger.append(EntryKind.SHIPPING_COST, now, order, k, w, segment, modeIdx, q, shipping);
    ledger.append(EntryKind.HANDLING_COST, now, order, k, w, segment, modeIdx, q, handling);
    accounts.cogs += cogs;
    accounts.shippingCost += shipping;
    accounts.handlingCost += handling;
    // Transit driven by the order's own draws (common random numbers).
    kernel.at(now + laneTransitHours(lane, laneMode, sh.transitZ[i]!, sh.lateU[i]!), Priority.FLOW, this.deliver, i);
  };

  private readonly deliver = (i: number): void => {
    const { world, ledger, kernel, accounts } = this.run;
    const now = kernel.now;
    const sh = this.shipments;
    const w = sh.warehouse[i]!;
    const q = sh.quantity[i]!;
    const order = sh.order[i]!;
    const k = sh.sku[i]!;
    const segment = sh.segment[i]!;
    const created = sh.createdHours[i]!;
    const seg = world.scenario.segments[segment]!;
    const lane = world.lanes[w * world.scenario.regions.length + sh.region[i]!]!;
    const modeIdx = lane.modeIndex[sh.laneMode[i]!]!;
    const revenue = q * sh.unitPrice[i]!;
    sh.release(i);
    const onTime = now <= created + seg.promiseHours + 1e-9;
    ledger.append(EntryKind.DELIVER, now, order, k, w, segment, modeIdx, q, 0, now - created, onTime ? 1 : 0);
    ledger.append(EntryKind.REVENUE, now, order, k, w, segment, modeIdx, q, revenue);
    accounts.revenue += revenue;
    if (!onTime && seg.latePenaltyPerUnit > 0) {
      const pen = q * seg.latePenaltyPerUnit;
      ledger.append(EntryKind.PENALTY_LATE, now, order, k, w, segment, modeIdx, q, pen);
      accounts.latePenalty += pen;
    }
  };

  /**
   * End of day `day` at hour `now`, per warehouse: a snapshot (stockouts, units
   * picked, units and value on hand, mean age) and the day's holding cost.
   */
  closeDay(day: number, now: number): void {
    const { world, state, ledger, accounts } = this.run;
    const W = state.W;
    const S = state.S;
    for (let w = 0; w < W; w++) {
      const wh = world.scenario.warehouses[w]!;
      let units = 0;
      let value = 0;
      let ageUnits = 0;
      let stockouts = 0;
      for (let s = 0; s < S; s++) {
        const c = s * W + w;
        const q = state.onHand[c]!;
        const sku = world.skus[s]!;
        if (q > 0) {
          units += q;
          value += q * sku.unitCost;
          ageUnits += q * (now - state.receiptTime[c]!);
        } else if (sku.launchDay <= day && (world.orderUpTo[w * S + s]! > 0 || world.baseUnitsByCell[w * S + s]! > 0)) {
          stockouts++;
        }
      }
      const hold = (value * wh.holdingCostRatePerYear * ((now - day * 24) / 24)) / 365;
      ledger.append(EntryKind.SNAPSHOT, now, stockouts, this.pickedToday[w]!, w, -1, -1, units, value, units > 0 ? ageUnits / units : 0);
      this.pickedToday[w] = 0;
      if (hold > 0) {
        ledger.append(EntryKind.HOLDING_COST, now, -1, -1, w, -1, -1, units, hold);
        accounts.holdingCost += hold;
      }
    }
  }
}
