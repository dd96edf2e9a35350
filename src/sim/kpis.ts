import { EntryKind } from './ledger.js';
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
 * capacities): for the run, per day, per warehouse and per segment.
 */
export function computeKpis(result: SimResult): KpiReport {
  const { world, ledger: L } = result;
  const s = world.scenario;
  const W = s.warehouses.length;
  const G = s.segments.length;
  const days = result.days;
  const n = L.length;

  const seg = Array.from({ length: G }, () => ({
    orders: 0, demanded: 0, allocated: 0, delivered: 0, onTime: 0, lost: 0, revenue: 0, cost: 0, penalties: 0, ctOrdered: 0, ctFilled: 0,
    ctCovered: 0, ctCoveredFilled: 0, ctMissed: 0,
  }));
  const wh = Array.from({ length: W }, () => ({ shipped: 0, picked: 0, shipping: 0, handling: 0, holding: 0, stockouts: 0, units: 0, value: 0 }));
  const daily: DailyKpis[] = Array.from({ length: days }, (_, d) => ({
    day: d, demandedUnits: 0, allocatedUnits: 0, shippedUnits: 0, deliveredUnits: 0, onTimeUnits: 0, lostSalesUnits: 0, backlogUnits: 0,
    revenue: 0, costs: 0, penalties: 0, onHand: new Array<number>(W).fill(0),
  }));
  const dayOf = (t: number) => Math.min(days - 1, Math.max(0, Math.floor(t / 24)));

  const maxOrder = result.orders;
  const orderQty = new Int32Array(maxOrder);
  const orderAlloc = new Int32Array(maxOrder);
  const firstWarehouse = new Int16Array(maxOrder).fill(-1);
  const split = new Uint8Array(maxOrder);

  let money = { revenue: 0, cogs: 0, shipping: 0, handling: 0, holding: 0, late: 0, lost: 0, contract: 0 };
  let demanded = 0, allocated = 0, backordered = 0, delivered = 0, onTime = 0, deliveryHours = 0, lostUnits = 0, escalations = 0;
  let snapValue = 0, snapAgeUnits = 0, snapUnits = 0, snapCount = 0, stockouts = 0;
  let ctOrdered = 0, ctFilled = 0, ctCovered = 0, ctCoveredFilled = 0, ctPeriods = 0, ctMissed = 0, ctShort = 0;

  for (let i = 0; i < n; i++) {
    const k = L.kind[i]!;
    const t = L.time[i]!;
    const q = L.qty[i]!;
    const a = L.amount[i]!;
    const g = L.segment[i]!;
    const w = L.warehouse[i]!;
    const o = L.order[i]!;
    switch (k) {
      case EntryKind.ORDER:
        demanded += q;
        orderQty[o] += q;
        seg[g]!.demanded += q;
        daily[dayOf(t)]!.demandedUnits += q;
        break;
      case EntryKind.ALLOCATE:
        allocated += q;
        orderAlloc[o] += q;
        seg[g]!.allocated += q;
        daily[dayOf(t)]!.allocatedUnits += q;
        if (firstWarehouse[o] === -1) firstWarehouse[o] = w;
        else if (firstWarehouse[o] !== w) split[o] = 1;
        break;
      case EntryKind.BACKORDER:
        backordered += q;
        break;
      case EntryKind.SHIP:
        wh[w]!.shipped += q;
        if (t < days * 24) daily[dayOf(t)]!.shippedUnits += q;
        break;
      case EntryKind.DELIVER:
        delivered += q;
        deliveryHours += q * L.auxOf(i);
        seg[g]!.delivered += q;
        if (L.flag[i]) {
          onTime += q;
          seg[g]!.onTime += q;
        }
        if (t < days * 24) {
          daily[dayOf(t)]!.deliveredUnits += q;
          if (L.flag[i]) daily[dayOf(t)]!.onTimeUnits += q;
        }
        break;
      case EntryKind.REVENUE:
        money.revenue += a;
        seg[g]!.revenue += a;
        if (t < days * 24) daily[dayOf(t)]!.revenue += a;
        break;
      case EntryKind.COGS:
        money.cogs += a;
        seg[g]!.cost += a;
        if (t < days * 24) daily[dayOf(t)]!.costs += a;
        break;
      case EntryKind.SHIPPING_COST:
        money.shipping += a;
        seg[g]!.cost += a;
        wh[w]!.shipping += a;
        if (t < days * 24) daily[dayOf(t)]!.costs += a;
        break;
      case EntryKind.HANDLING_COST:
        money.handling += a;
        seg[g]!.cost += a;
        wh[w]!.handling += a;
        if (t < days * 24) daily[dayOf(t)]!.costs += a;
        break;
      case EntryKind.HOLDING_COST:
        money.holding += a;
        wh[w]!.holding += a;
        daily[dayOf(t - 1e-9)]!.costs += a;
        break;
      case EntryKind.PENALTY_LATE:
      case EntryKind.PENALTY_LOST_SALE:
      case EntryKind.PENALTY_CONTRACT:
        if (k === EntryKind.PENALTY_LATE) money.late += a;
        else if (k === EntryKind.PENALTY_LOST_SALE) money.lost += a;
        else money.contract += a;
        if (g >= 0) seg[g]!.penalties += a;
        daily[dayOf(t - 1e-9)]!.penalties += a;
        break;
      case EntryKind.LOST_SALE:
        lostUnits += q;
        seg[g]!.lost += q;
        daily[dayOf(t)]!.lostSalesUnits += q;
        break;
      case EntryKind.ESCALATION:
        escalations++;
        break;
      case EntryKind.SNAPSHOT: {
        const d = dayOf(t - 1e-9);
        daily[d]!.onHand[w] = q;
        wh[w]!.picked += L.sku[i]!;
        wh[w]!.stockouts += o;
        wh[w]!.units = q;
        wh[w]!.value = a;
        stockouts += o;
        snapValue += a;
        snapAgeUnits += q * L.auxOf(i);
        snapUnits += q;
        snapCount++;
        break;
      }
      case EntryKind.BACKLOG:
        daily[dayOf(t - 1e-9)]!.backlogUnits = q;
        break;
      case EntryKind.CONTRACT_PERIOD:
        ctOrdered += q;
        ctFilled += L.auxOf(i);
        seg[g]!.ctOrdered += q;
        seg[g]!.ctFilled += L.auxOf(i);
        {
          // The simulator's test at period close: the target applies to the units the commitment covers.
          const ct = s.segments[g]!.contract!;
          const covered = Math.min(q, ct.committedUnitsPerPeriod);
          const filledCovered = Math.min(L.auxOf(i), covered);
          const short = Math.ceil(Math.max(0, ct.fillRateTarget * covered - filledCovered) - 1e-9);
          ctCovered += covered;
          ctCoveredFilled += filledCovered;
          seg[g]!.ctCovered += covered;
          seg[g]!.ctCoveredFilled += filledCovered;
          ctPeriods++;
          if (short > 0) {
            ctMissed++;
            ctShort += short;
            seg[g]!.ctMissed++;
          }
        }
        break;
      default:
        break;
    }
  }

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
  const meanInventoryValue = snapCount > 0 ? snapValue / (snapCount / W) : 0;
  const closing = wh.reduce((acc, x) => acc + x.value, 0);
  const contractTarget = contractTargetOf(world);

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
    meanInventoryAgeDays: ratio(snapAgeUnits, snapUnits) / 24,
    stockoutDays: stockouts,
    backorderUnits: backordered,
    openBackorderUnits: result.openBackorderUnits,
    lostSalesUnits: lostUnits,
    contractFillRate: ctOrdered > 0 ? ctFilled / ctOrdered : contractTarget > 0 ? 1 : 0,
    contractFillTarget: contractTarget,
    contractCommitmentFillRate: ctCovered > 0 ? ctCoveredFilled / ctCovered : contractTarget > 0 ? 1 : 0,
    contractPeriods: ctPeriods,
    contractPeriodsMissed: ctMissed,
    contractShortfallUnits: ctShort,
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
  const ordersBySeg = new Array<number>(G).fill(0);
  for (let i = 0; i < n; i++) if (L.kind[i] === EntryKind.ORDER) ordersBySeg[L.segment[i]!]! += 1;
  const bySegment: SegmentKpis[] = s.segments.map((x, g) => ({
    segment: x.id,
    kind: x.kind,
    orders: ordersBySeg[g]!,
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
  return { kpis, byWarehouse, bySegment, daily };
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

