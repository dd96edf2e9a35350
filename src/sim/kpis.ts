import { EntryKind, type LedgerSink } from './ledger.js';
import { RunTally } from './tally.js';
import type { SimResult } from './engine.js';
import type { World } from './model/world.js';

/** Run-level KPIs. Rates are fractions (0..1); money in the scenario's currency. */
export interface Kpis {
  orders: number;
  demandedUnits: number;
  /** Units allocated / units demanded. */
  fillRate: number;
  /** Orders whose every unit was allocated / orders. */
  orderFillRate: number;
  /** Units allocated at the order's first wave / units demanded (the textbook fill rate). */
  firstPassFillRate: number;
  /** Delivered units that arrived by the promise / delivered units. */
  onTimeRate: number;
  /** Mean days from order to delivery, per delivered unit. */
  meanDeliveryDays: number;
  revenue: number;
  cogs: number;
  shippingCost: number;
  handlingCost: number;
  holdingCost: number;
  latePenalty: number;
  lostSalePenalty: number;
  contractPenalty: number;
  penalties: number;
  /** Revenue − COGS − shipping − handling − holding. */
  grossMargin: number;
  grossMarginPct: number;
  /** The scenario's reward: marginWeight × grossMargin − penaltyWeight × penalties. */
  reward: number;
  /** Annualised COGS / mean inventory value. */
  inventoryTurnover: number;
  /** Mean age of stock on hand, days (unit-weighted over daily snapshots). */
  meanInventoryAgeDays: number;
  /** Warehouse × SKU × days with nothing on hand (active SKUs only). */
  stockoutDays: number;
  /** Units not placed at their first wave. */
  backorderUnits: number;
  /** Unplaced units still waiting when the horizon ended. */
  openBackorderUnits: number;
  lostSalesUnits: number;
  /** Contract units allocated / contract units ordered, over the contract periods. */
  contractFillRate: number;
  /** Commitment-weighted fill-rate target of the contract segments. */
  contractFillTarget: number;
  /**
   * Contract units filled up to the commitment / units the commitment covers (min(ordered,
   * committed) per period), over the periods: the fill the target applies to.
   */
  contractCommitmentFillRate: number;
  /** Contract periods closed (every contract segment's). */
  contractPeriods: number;
  /** Contract periods that closed below their fill-rate target (a shortfall penalty was due). */
  contractPeriodsMissed: number;
  /** Units short of the targets, summed over the missed periods. */
  contractShortfallUnits: number;
  /** Orders shipped from more than one warehouse / orders with any allocation. */
  splitShipmentRate: number;
  /** Units picked / pick capacity over the horizon (outage days excluded). */
  warehouseUtilisation: number;
  /** Orders escalated to a planner (unplaced past the escalation time) / orders. */
  manualInterventionRate: number;
  /** Closing inventory at cost. */
  inventoryValue: number;
}

export interface WarehouseKpis {
  warehouse: string;
  shippedUnits: number;
  utilisation: number;
  shippingCost: number;
  handlingCost: number;
  holdingCost: number;
  stockoutDays: number;
  closingUnits: number;
  closingValue: number;
}

export interface SegmentKpis {
  segment: string;
  kind: string;
  orders: number;
  demandedUnits: number;
  fillRate: number;
  onTimeRate: number;
  lostSalesUnits: number;
  revenue: number;
  grossMargin: number;
  penalties: number;
  contractFillRate: number | null;
  contractFillTarget: number | null;
  /** As the run-level KPIs, for this segment (null without a contract). */
  contractCommitmentFillRate: number | null;
  contractPeriodsMissed: number | null;
}

export interface DailyKpis {
  day: number;
  demandedUnits: number;
  allocatedUnits: number;
  shippedUnits: number;
  deliveredUnits: number;
  onTimeUnits: number;
  lostSalesUnits: number;
  backlogUnits: number;
  revenue: number;
  costs: number;
  penalties: number;
  /** Units on hand per warehouse at day end, in the scenario's warehouse order. */
  onHand: number[];
}

export interface KpiReport {
  kpis: Kpis;
  byWarehouse: WarehouseKpis[];
  bySegment: SegmentKpis[];
  daily: DailyKpis[];
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/**
 * Computes every KPI from the ledger alone (plus the world's static facts such as
 * capacities): for the run, per day, per warehouse and per segment. A run that
 * kept its entries is read through once; a run that did not (`keepLedger: false`)
 * tallied them as they were made, in the same order, so the figures are the same.
 */
export function computeKpis(result: SimResult): KpiReport {
  const tally = result.ledger.tally;
  if (tally instanceof RunTally) return tally.kpis.report(result);
  const t = new KpiTally(result.world, result.days, result.orders);
  result.ledger.forEachEntry(t);
  return t.report(result);
}

/**
 * The KPIs' running sums over ledger entries, fed one entry at a time in ledger
 * order (`add`, a `LedgerSink`); `report` turns them into the KPIs.
 */
export class KpiTally implements LedgerSink {
  private readonly W: number;
  private readonly seg: {
    orders: number; demanded: number; allocated: number; delivered: number; onTime: number; lost: number; revenue: number; cost: number;
    penalties: number; ctOrdered: number; ctFilled: number; ctCovered: number; ctCoveredFilled: number; ctMissed: number;
  }[];
  private readonly wh: { shipped: number; picked: number; shipping: number; handling: number; holding: number; stockouts: number; units: number; value: number }[];
  private readonly daily: DailyKpis[];
  private readonly horizonHours: number;
  // Per order (grown as orders come): units ordered and allocated, the first warehouse allocating, split.
  private orderQty: Int32Array;
  private orderAlloc: Int32Array;
  private firstWarehouse: Int16Array;
  private split: Uint8Array;
  private readonly money = { revenue: 0, cogs: 0, shipping: 0, handling: 0, holding: 0, late: 0, lost: 0, contract: 0 };
  private demanded = 0;
  private allocated = 0;
  private backordered = 0;
  private delivered = 0;
  private onTime = 0;
  private deliveryHours = 0;
  private lostUnits = 0;
  private escalations = 0;
  private snapValue = 0;
  private snapAgeUnits = 0;
  private snapUnits = 0;
  private snapCount = 0;
  private stockouts = 0;
  private ctOrdered = 0;
  private ctFilled = 0;
  private ctCovered = 0;
  private ctCoveredFilled = 0;
  private ctPeriods = 0;
  private ctMissed = 0;
  private ctShort = 0;

  /** `expectedOrders`: room to make for orders up front (the arrays grow past it). */
  constructor(
    private readonly world: World,
    private readonly days: number,
    expectedOrders = 0,
  ) {
    const n = Math.max(1024, Math.ceil(expectedOrders));
    this.orderQty = new Int32Array(n);
    this.orderAlloc = new Int32Array(n);
    this.firstWarehouse = new Int16Array(n).fill(-1);
    this.split = new Uint8Array(n);
    const s = world.scenario;
    const W = s.warehouses.length;
    this.W = W;
    this.horizonHours = days * 24;
    this.seg = Array.from({ length: s.segments.length }, () => ({
      orders: 0, demanded: 0, allocated: 0, delivered: 0, onTime: 0, lost: 0, revenue: 0, cost: 0, penalties: 0, ctOrdered: 0, ctFilled: 0,
      ctCovered: 0, ctCoveredFilled: 0, ctMissed: 0,
    }));
    this.wh = Array.from({ length: W }, () => ({ shipped: 0, picked: 0, shipping: 0, handling: 0, holding: 0, stockouts: 0, units: 0, value: 0 }));
    this.daily = Array.from({ length: days }, (_, d) => ({
      day: d, demandedUnits: 0, allocatedUnits: 0, shippedUnits: 0, deliveredUnits: 0, onTimeUnits: 0, lostSalesUnits: 0, backlogUnits: 0,
      revenue: 0, costs: 0, penalties: 0, onHand: new Array<number>(W).fill(0),
    }));
  }

  private dayOf(t: number): number {
    return Math.min(this.days - 1, Math.max(0, Math.floor(t / 24)));
  }

  /** Makes room for order index `o` in the per-order arrays. */
  private growOrders(o: number): void {
    const n = Math.max(o + 1, this.orderQty.length * 2);
    const grow = <T extends Int32Array | Int16Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.orderQty = grow(this.orderQty, new Int32Array(n));
    this.orderAlloc = grow(this.orderAlloc, new Int32Array(n));
    this.firstWarehouse = grow(this.firstWarehouse, new Int16Array(n).fill(-1));
    this.split = grow(this.split, new Uint8Array(n));
  }

  add(k: number, t: number, o: number, sku: number, w: number, g: number, _mode: number, q: number, a: number, aux: number, flag: number): void {
    const seg = this.seg;
    const wh = this.wh;
    const daily = this.daily;
    const money = this.money;
    const end = this.horizonHours;
    // The entry's day (clamped into the run), as `dayOf(t)`; written out here
    // because this runs for every entry of a run and is too big to inline a call.
    let day = Math.floor(t / 24);
    if (day > this.days - 1) day = this.days - 1;
    if (day < 0) day = 0;
    switch (k) {
      case EntryKind.ORDER:
        if (o >= this.orderQty.length) this.growOrders(o);
        this.demanded += q;
        this.orderQty[o] += q;
        seg[g]!.orders += 1;
        seg[g]!.demanded += q;
        daily[day]!.demandedUnits += q;
        break;
      case EntryKind.ALLOCATE:
        if (o >= this.orderQty.length) this.growOrders(o);
        this.allocated += q;
        this.orderAlloc[o] += q;
        seg[g]!.allocated += q;
        daily[day]!.allocatedUnits += q;
        if (this.firstWarehouse[o] === -1) this.firstWarehouse[o] = w;
        else if (this.firstWarehouse[o] !== w) this.split[o] = 1;
        break;
      case EntryKind.BACKORDER:
        this.backordered += q;
        break;
      case EntryKind.SHIP:
        wh[w]!.shipped += q;
        if (t < end) daily[day]!.shippedUnits += q;
        break;
      case EntryKind.DELIVER:
        this.delivered += q;
        this.deliveryHours += q * aux;
        seg[g]!.delivered += q;
        if (flag) {
          this.onTime += q;
          seg[g]!.onTime += q;
        }
        if (t < end) {
          daily[day]!.deliveredUnits += q;
          if (flag) daily[day]!.onTimeUnits += q;
        }
        break;
      case EntryKind.REVENUE:
        money.revenue += a;
        seg[g]!.revenue += a;
        if (t < end) daily[day]!.revenue += a;
        break;
      case EntryKind.COGS:
        money.cogs += a;
        seg[g]!.cost += a;
        if (t < end) daily[day]!.costs += a;
        break;
      case EntryKind.SHIPPING_COST:
        money.shipping += a;
        seg[g]!.cost += a;
        wh[w]!.shipping += a;
        if (t < end) daily[day]!.costs += a;
        break;
      case EntryKind.HANDLING_COST:
        money.handling += a;
        seg[g]!.cost += a;
        wh[w]!.handling += a;
        if (t < end) daily[day]!.costs += a;
        break;
      case EntryKind.HOLDING_COST:
        money.holding += a;
        wh[w]!.holding += a;
        daily[this.dayOf(t - 1e-9)]!.costs += a;
        break;
      case EntryKind.PENALTY_LATE:
      case EntryKind.PENALTY_LOST_SALE:
      case EntryKind.PENALTY_CONTRACT:
        if (k === EntryKind.PENALTY_LATE) money.late += a;
        else if (k === EntryKind.PENALTY_LOST_SALE) money.lost += a;
        else money.contract += a;
        if (g >= 0) seg[g]!.penalties += a;
        daily[this.dayOf(t - 1e-9)]!.penalties += a;
        break;
      case EntryKind.LOST_SALE:
        this.lostUnits += q;
        seg[g]!.lost += q;
        daily[day]!.lostSalesUnits += q;
        break;
      case EntryKind.ESCALATION:
        this.escalations++;
        break;
      case EntryKind.SNAPSHOT: {
        const d = this.dayOf(t - 1e-9);
        daily[d]!.onHand[w] = q;
        wh[w]!.picked += sku;
        wh[w]!.stockouts += o;
        wh[w]!.units = q;
        wh[w]!.value = a;
        this.stockouts += o;
        this.snapValue += a;
        this.snapAgeUnits += q * aux;
        this.snapUnits += q;
        this.snapCount++;
        break;
      }
      case EntryKind.BACKLOG:
        daily[this.dayOf(t - 1e-9)]!.backlogUnits = q;
        break;
      case EntryKind.CONTRACT_PERIOD: {
        this.ctOrdered += q;
        this.ctFilled += aux;
        seg[g]!.ctOrdered += q;
        seg[g]!.ctFilled += aux;
        // The simulator's test at period close: the target applies to the units the commitment covers.
        const ct = this.world.scenario.segments[g]!.contract!;
        const covered = Math.min(q, ct.committedUnitsPerPeriod);
        const filledCovered = Math.min(aux, covered);
        const short = Math.ceil(Math.max(0, ct.fillRateTarget * covered - filledCovered) - 1e-9);
        this.ctCovered += covered;
        this.ctCoveredFilled += filledCovered;
        seg[g]!.ctCovered += covered;
        seg[g]!.ctCoveredFilled += filledCovered;
        this.ctPeriods++;
        if (short > 0) {
          this.ctMissed++;
          this.ctShort += short;
          seg[g]!.ctMissed++;
        }
        break;
      }
      default:
        break;
    }
  }

  /** The KPIs of the entries added so far, for the run `result`. */
  report(result: SimResult): KpiReport {
    const world = this.world;
    const s = world.scenario;
    const W = this.W;
    const days = this.days;
    const { seg, wh, daily, money } = this;
    const maxOrder = result.orders;
    if (maxOrder > this.orderQty.length) this.growOrders(maxOrder - 1);
    const { orderQty, orderAlloc, split } = this;

    let fullOrders = 0, anyAlloc = 0, splitOrders = 0;
    for (let o = 0; o < maxOrder; o++) {
      if (orderQty[o]! > 0 && orderAlloc[o]! >= orderQty[o]!) fullOrders++;
      if (orderAlloc[o]! > 0) anyAlloc++;
      splitOrders += split[o]!;
    }

    // Pick capacity over the horizon, outage days excluded.
    let capacity = 0;
    const whCapacity = s.warehouses.map((x) => {
      let c = 0;
      for (let d = 0; d < days; d++) {
        const down = x.outages.some((o) => d + 1 > o.startDay && d < o.endDay);
        if (!down) c += x.pickCapacityPerDay;
      }
      capacity += c;
      return c;
    });
    let picked = 0;
    for (const x of wh) picked += x.picked;

    const penalties = money.late + money.lost + money.contract;
    const grossMargin = money.revenue - money.cogs - money.shipping - money.handling - money.holding;
    const meanInventoryValue = this.snapCount > 0 ? this.snapValue / (this.snapCount / W) : 0;
    const closing = wh.reduce((acc, x) => acc + x.value, 0);
    const contractTarget = contractTargetOf(world);
    const { demanded, allocated, backordered, delivered, onTime, deliveryHours, lostUnits, escalations } = this;
    const { ctOrdered, ctFilled, ctCovered, ctCoveredFilled } = this;

    const kpis: Kpis = {
      orders: maxOrder,
      demandedUnits: demanded,
      fillRate: ratio(allocated, demanded),
      orderFillRate: ratio(fullOrders, maxOrder),
      firstPassFillRate: demanded > 0 ? 1 - backordered / demanded : 0,
      onTimeRate: ratio(onTime, delivered),
      meanDeliveryDays: ratio(deliveryHours, delivered) / 24,
      revenue: money.revenue,
      cogs: money.cogs,
      shippingCost: money.shipping,
      handlingCost: money.handling,
      holdingCost: money.holding,
      latePenalty: money.late,
      lostSalePenalty: money.lost,
      contractPenalty: money.contract,
      penalties,
      grossMargin,
      grossMarginPct: ratio(grossMargin, money.revenue),
      reward: s.reward.marginWeight * grossMargin - s.reward.penaltyWeight * penalties,
      inventoryTurnover: meanInventoryValue > 0 ? (money.cogs / meanInventoryValue) * (365 / days) : 0,
      meanInventoryAgeDays: ratio(this.snapAgeUnits, this.snapUnits) / 24,
      stockoutDays: this.stockouts,
      backorderUnits: backordered,
      openBackorderUnits: result.openBackorderUnits,
      lostSalesUnits: lostUnits,
      contractFillRate: ctOrdered > 0 ? ctFilled / ctOrdered : contractTarget > 0 ? 1 : 0,
      contractFillTarget: contractTarget,
      contractCommitmentFillRate: ctCovered > 0 ? ctCoveredFilled / ctCovered : contractTarget > 0 ? 1 : 0,
      contractPeriods: this.ctPeriods,
      contractPeriodsMissed: this.ctMissed,
      contractShortfallUnits: this.ctShort,
      splitShipmentRate: ratio(splitOrders, anyAlloc),
      warehouseUtilisation: ratio(picked, capacity),
      manualInterventionRate: ratio(escalations, maxOrder),
      inventoryValue: closing,
    };

    const byWarehouse: WarehouseKpis[] = s.warehouses.map((x, w) => ({
      warehouse: x.id,
      shippedUnits: wh[w]!.shipped,
      utilisation: ratio(wh[w]!.picked, whCapacity[w]!),
      shippingCost: wh[w]!.shipping,
      handlingCost: wh[w]!.handling,
      holdingCost: wh[w]!.holding,
      stockoutDays: wh[w]!.stockouts,
      closingUnits: wh[w]!.units,
      closingValue: wh[w]!.value,
    }));
    const bySegment: SegmentKpis[] = s.segments.map((x, g) => ({
      segment: x.id,
      kind: x.kind,
      orders: seg[g]!.orders,
      demandedUnits: seg[g]!.demanded,
      fillRate: ratio(seg[g]!.allocated, seg[g]!.demanded),
      onTimeRate: ratio(seg[g]!.onTime, seg[g]!.delivered),
      lostSalesUnits: seg[g]!.lost,
      revenue: seg[g]!.revenue,
      grossMargin: seg[g]!.revenue - seg[g]!.cost,
      penalties: seg[g]!.penalties,
      contractFillRate: x.contract ? (seg[g]!.ctOrdered > 0 ? seg[g]!.ctFilled / seg[g]!.ctOrdered : 1) : null,
      contractFillTarget: x.contract ? x.contract.fillRateTarget : null,
      contractCommitmentFillRate: x.contract ? (seg[g]!.ctCovered > 0 ? seg[g]!.ctCoveredFilled / seg[g]!.ctCovered : 1) : null,
      contractPeriodsMissed: x.contract ? seg[g]!.ctMissed : null,
    }));
    // Copies: the tally may report again (a run's KPIs asked for twice).
    return { kpis, byWarehouse, bySegment, daily: daily.map((d) => ({ ...d, onHand: d.onHand.slice() })) };
  }
}

function contractTargetOf(world: World): number {
  let num = 0, den = 0;
  for (const g of world.scenario.segments) {
    if (!g.contract) continue;
    num += g.contract.fillRateTarget * Math.max(1, g.contract.committedUnitsPerPeriod);
    den += Math.max(1, g.contract.committedUnitsPerPeriod);
  }
  return den > 0 ? num / den : 0;
}

