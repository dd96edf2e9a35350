import { EntryKind } from '../sim/ledger.js';
import type { SimResult } from '../sim/index.js';
import type { Scenario } from '../sim/scenario/schema.js';

/**
 * What the report shows beyond the KPIs, read from one run's ledger: warehouses
 * day by day, the network's daily series, contract periods, why orders went to a
 * planner, and the finance view (revenue, cash under payment terms, inventory).
 */

/** Payment terms of a scenario, with the documented defaults applied. */
export interface PaymentTerms {
  /** Days after delivery each segment pays (scenario order). Default: 30 for contract segments, 0 otherwise. */
  customerDays: number[];
  /** Days after receipt suppliers are paid. Default: 30. */
  supplierDays: number;
}

export function paymentTerms(s: Scenario): PaymentTerms {
  return {
    customerDays: s.segments.map((g) => g.paymentTermsDays ?? (g.kind === 'contract' ? 30 : 0)),
    supplierDays: s.supplierPaymentTermsDays ?? 30,
  };
}

/** Money by week of the horizon (week w covers days 7w..7w+6; the last may be shorter). */
export interface FinanceWeeks {
  /** Revenue recognised on delivery. */
  revenue: number[];
  /** Customer payments: revenue received `customerDays` after delivery. */
  cashIn: number[];
  /** Supplier payments: stock received (units × unit cost) paid `supplierDays` after receipt. */
  cashOutPurchases: number[];
  /** Shipping, handling and penalties, paid when incurred. */
  cashOutOperations: number[];
  /** cashIn − cashOutPurchases − cashOutOperations. */
  netCash: number[];
}

/** Totals over the horizon: what was earned and bought, what was paid, what is still open. */
export interface FinanceTotals {
  revenue: number;
  cashIn: number;
  /** Revenue recognised but not yet paid at the end of the horizon. */
  receivables: number;
  /** Stock received at cost. */
  purchases: number;
  cashOutPurchases: number;
  /** Stock received but not yet paid for at the end of the horizon. */
  payables: number;
  operations: number;
  cogs: number;
  openingInventory: number;
  closingInventory: number;
}

export interface Finance {
  /** The terms the cash figures were computed under. */
  terms: PaymentTerms;
  weeks: FinanceWeeks;
  totals: FinanceTotals;
}

export interface WarehouseDetail {
  warehouse: string;
  /** Mean units on hand at day end. */
  meanOnHand: number;
  /** Mean inventory value at cost at day end. */
  meanValue: number;
  /** Mean units allocated but not yet shipped at day end. */
  meanPickBacklog: number;
  /** Mean age of the stock on hand (days), unit-weighted over day ends. */
  meanAgeDays: number;
  /** Mean units on hand / mean units shipped per day. */
  daysOfCover: number;
}

/** Day-end series of the network. */
export interface NetworkDaily {
  /** Share of the units ordered that day that were ever allocated. */
  fill: number[];
  /** Unplaced units waiting at day end. */
  backlog: number[];
  /** Warehouse × SKU cells out of stock at day end. */
  stockouts: number[];
  /** Inventory value at cost at day end, network total. */
  inventoryValue: number[];
  /** Inventory value at cost at day end per warehouse (scenario order). */
  valueByWarehouse: number[][];
}

export interface ContractPeriod {
  segment: string;
  /** 1-based period number of the segment. */
  period: number;
  /** Day the period closed (1-based: day-end of that day). */
  endDay: number;
  ordered: number;
  filled: number;
  target: number;
  /** Units short of the target, as penalised. */
  shortUnits: number;
}

/** Why orders waited past their escalation time, counted at the moment they were escalated. */
export const ESCALATION_CAUSES = ['no stock in the network', 'stock only in a warehouse that is down', 'stock available but not allocated'] as const;
export type EscalationCause = (typeof ESCALATION_CAUSES)[number];

export interface RunDetail {
  warehouses: WarehouseDetail[];
  daily: NetworkDaily;
  contracts: ContractPeriod[];
  escalations: Record<EscalationCause, number>;
  finance: Finance;
}

const HOURS_PER_WEEK = 24 * 7;

/**
 * Reads one run's ledger once. Money counts within the horizon (t < days × 24):
 * the drain that delivers orders after it is outside the period being reported.
 */
export function runDetail(result: SimResult): RunDetail {
  const { world, ledger: L } = result;
  const s = world.scenario;
  const W = s.warehouses.length;
  const S = world.skus.length;
  const days = result.days;
  const H = days * 24;
  const terms = paymentTerms(s);
  const weeks = Math.ceil(days / 7);
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const fw: FinanceWeeks = { revenue: zeros(weeks), cashIn: zeros(weeks), cashOutPurchases: zeros(weeks), cashOutOperations: zeros(weeks), netCash: zeros(weeks) };
  const tot: FinanceTotals = { revenue: 0, cashIn: 0, receivables: 0, purchases: 0, cashOutPurchases: 0, payables: 0, operations: 0, cogs: 0, openingInventory: 0, closingInventory: 0 };
  const weekOf = (t: number) => Math.min(weeks - 1, Math.floor(t / HOURS_PER_WEEK));
  const dayOf = (t: number) => Math.min(days - 1, Math.max(0, Math.floor(t / 24)));

  const wh = Array.from({ length: W }, () => ({ onHand: 0, value: 0, backlog: 0, ageUnits: 0, snaps: 0, shipped: 0 }));
  const pickBacklog = zeros(W);
  const daily: NetworkDaily = { fill: zeros(days), backlog: zeros(days), stockouts: zeros(days), inventoryValue: zeros(days), valueByWarehouse: Array.from({ length: W }, () => zeros(days)) };
  const orderedOnDay = zeros(days);
  const allocatedOfDay = zeros(days);
  const orderDay = new Int32Array(result.orders).fill(-1);

  // Stock a strategy could have allocated, per warehouse × SKU: opening + receipts − allocations.
  const avail = new Float64Array(W * S);
  // Unplaced units per order and SKU, for the escalation causes.
  const open = new Map<number, Map<number, number>>();
  const escalations = Object.fromEntries(ESCALATION_CAUSES.map((c) => [c, 0])) as Record<EscalationCause, number>;
  const contracts: ContractPeriod[] = [];
  const periodOf = zeros(s.segments.length);
  const down = (w: number, t: number) => s.warehouses[w]!.outages.some((o) => t >= o.startDay * 24 && t < o.endDay * 24);

  for (let i = 0; i < L.length; i++) {
    const k = L.kind[i]!;
    const t = L.time[i]!;
    const q = L.qty[i]!;
    const a = L.amount[i]!;
    const w = L.warehouse[i]!;
    const sku = L.sku[i]!;
    const o = L.order[i]!;
    switch (k) {
      case EntryKind.OPENING:
        avail[w * S + sku] += q;
        tot.openingInventory += q * world.skus[sku]!.unitCost;
        break;
      case EntryKind.RECEIPT: {
        avail[w * S + sku] += q;
        if (t <= H) {
          const value = q * world.skus[sku]!.unitCost;
          tot.purchases += value;
          const due = t + terms.supplierDays * 24;
          if (due < H) {
            fw.cashOutPurchases[weekOf(due)]! += value;
            tot.cashOutPurchases += value;
          }
        }
        break;
      }
      case EntryKind.ORDER: {
        const d = dayOf(t);
        orderDay[o] = d;
        orderedOnDay[d]! += q;
        let m = open.get(o);
        if (!m) open.set(o, (m = new Map()));
        m.set(sku, (m.get(sku) ?? 0) + q);
        break;
      }
      case EntryKind.ALLOCATE: {
        avail[w * S + sku] -= q;
        pickBacklog[w]! += q;
        if (orderDay[o]! >= 0) allocatedOfDay[orderDay[o]!]! += q;
        const m = open.get(o);
        if (m) {
          const left = (m.get(sku) ?? 0) - q;
          if (left > 0) m.set(sku, left);
          else m.delete(sku);
          if (m.size === 0) open.delete(o);
        }
        break;
      }
      case EntryKind.LOST_SALE: {
        const m = open.get(o);
        if (m) {
          m.delete(sku);
          if (m.size === 0) open.delete(o);
        }
        break;
      }
      case EntryKind.SHIP:
        pickBacklog[w]! -= q;
        if (t < H) wh[w]!.shipped += q;
        break;
      case EntryKind.ESCALATION:
        escalations[escalationCause(open.get(o), avail, W, S, (x) => down(x, t))]++;
        break;
      case EntryKind.REVENUE:
        if (t < H) {
          fw.revenue[weekOf(t)]! += a;
          tot.revenue += a;
          const due = t + terms.customerDays[L.segment[i]!]! * 24;
          if (due < H) {
            fw.cashIn[weekOf(due)]! += a;
            tot.cashIn += a;
          }
        }
        break;
      case EntryKind.COGS:
        if (t <= H) tot.cogs += a;
        break;
      case EntryKind.SHIPPING_COST:
      case EntryKind.HANDLING_COST:
      case EntryKind.PENALTY_LATE:
      case EntryKind.PENALTY_LOST_SALE:
      case EntryKind.PENALTY_CONTRACT:
        // Contract penalties are booked at the closing of the last day, at t = H: inside the horizon.
        if (t < H || (k === EntryKind.PENALTY_CONTRACT && t <= H)) {
          fw.cashOutOperations[weekOf(Math.min(t, H - 1e-9))]! += a;
          tot.operations += a;
        }
        if (k === EntryKind.PENALTY_CONTRACT && contracts.length && contracts[contracts.length - 1]!.segment === s.segments[L.segment[i]!]!.id) {
          contracts[contracts.length - 1]!.shortUnits = q;
        }
        break;
      case EntryKind.SNAPSHOT: {
        const d = dayOf(t - 1e-9);
        const x = wh[w]!;
        x.onHand += q;
        x.value += a;
        x.backlog += pickBacklog[w]!;
        x.ageUnits += q * L.auxOf(i);
        x.snaps++;
        daily.stockouts[d]! += o;
        daily.inventoryValue[d]! += a;
        daily.valueByWarehouse[w]![d] = a;
        if (d === days - 1) tot.closingInventory += a;
        break;
      }
      case EntryKind.BACKLOG:
        daily.backlog[dayOf(t - 1e-9)] = q;
        break;
      case EntryKind.CONTRACT_PERIOD: {
        const g = L.segment[i]!;
        const seg = s.segments[g]!;
        periodOf[g]!++;
        contracts.push({ segment: seg.id, period: periodOf[g]!, endDay: dayOf(t - 1e-9) + 1, ordered: q, filled: L.auxOf(i), target: seg.contract?.fillRateTarget ?? 0, shortUnits: 0 });
        break;
      }
      default:
        break;
    }
  }
  for (let d = 0; d < days; d++) daily.fill[d] = orderedOnDay[d]! > 0 ? allocatedOfDay[d]! / orderedOnDay[d]! : 1;
  for (let x = 0; x < weeks; x++) fw.netCash[x] = fw.cashIn[x]! - fw.cashOutPurchases[x]! - fw.cashOutOperations[x]!;
  tot.receivables = tot.revenue - tot.cashIn;
  tot.payables = tot.purchases - tot.cashOutPurchases;
  const warehouses: WarehouseDetail[] = s.warehouses.map((x, w) => {
    const r = wh[w]!;
    const n = Math.max(1, r.snaps);
    const perDay = r.shipped / days;
    return {
      warehouse: x.id,
      meanOnHand: r.onHand / n,
      meanValue: r.value / n,
      meanPickBacklog: r.backlog / n,
      meanAgeDays: r.onHand > 0 ? r.ageUnits / r.onHand / 24 : 0,
      daysOfCover: perDay > 0 ? r.onHand / n / perDay : 0,
    };
  });
  return { warehouses, daily, contracts, escalations, finance: { terms, weeks: fw, totals: tot } };
}

/** The first cause that explains an escalated order's unplaced lines. */
function escalationCause(lines: Map<number, number> | undefined, avail: Float64Array, W: number, S: number, isDown: (w: number) => boolean): EscalationCause {
  if (!lines || lines.size === 0) return 'stock available but not allocated';
  let onlyDown = false;
  for (const sku of lines.keys()) {
    let up = 0;
    let downUnits = 0;
    for (let w = 0; w < W; w++) {
      const v = avail[w * S + sku]!;
      if (v <= 0) continue;
      if (isDown(w)) downUnits += v;
      else up += v;
    }
    if (up <= 0 && downUnits <= 0) return 'no stock in the network';
    if (up <= 0) onlyDown = true;
  }
  return onlyDown ? 'stock only in a warehouse that is down' : 'stock available but not allocated';
}
