import type { World } from '../sim/model/world.js';
import type { InboundView, PerSegment } from '../sim/policies/contract.js';
import type { Order__Output } from '../gen/allocation/v1/Order.js';
import type { Snapshot__Output } from '../gen/allocation/v1/Snapshot.js';
import type { SegmentUnits__Output } from '../gen/allocation/v1/SegmentUnits.js';
import type { ContractPosition__Output } from '../gen/allocation/v1/ContractPosition.js';
import { InvalidArgumentError } from './errors.js';

/** Size limits of one request; beyond them the request is INVALID_ARGUMENT. */
export const LIMITS = {
  idLength: 128,
  linesPerOrder: 100,
  ordersPerBatch: 10_000,
  stockEntries: 200_000,
  inboundPerCell: 64,
  /** Largest quantity (units) in any field. */
  quantity: 1_000_000_000,
  /** Largest price, money per unit. */
  price: 1e9,
  /** Largest time in hours (about 1,000 years). */
  hours: 1e7,
  /**
   * Request bytes of `RecommendBatch` calls in progress at once (two of the largest
   * requests); a batch beyond it is RESOURCE_EXHAUSTED, not INVALID_ARGUMENT (retry
   * later). A server deciding one 8 MiB batch (4,000 orders × 100 lines) peaked at
   * ~300 MB RSS.
   */
  batchBytesInFlight: 32 * 1024 * 1024,
} as const;

/** An order line with its SKU resolved to the world's index. */
export interface ValidLine {
  sku: number;
  quantity: number;
  unitPrice: number;
  pendingUnits?: PerSegment;
}

/** A contract standing as the request gives it; fields left out take the documented defaults. */
export interface ValidContract {
  orderedUnits?: number;
  filledUnits?: number;
  hoursToPeriodEnd?: number;
}

/** A request's order after validation: names resolved to indices, every number checked. */
export interface ValidOrder {
  id: string;
  customer: string;
  segment: number;
  serviceLevel?: string;
  region: number;
  createdHours: number;
  lines: ValidLine[];
  contract?: ValidContract;
}

/** One warehouse × SKU cell of the snapshot. */
export interface StockCell {
  available: number;
  inbound: readonly InboundView[];
  inventoryAgeHours: number;
}

export interface WarehouseView {
  outage: boolean;
  capacityLeftToday: number;
  shipDelayHours: number;
}

/** A request's snapshot after validation. Cells are keyed `w * S + s` like the simulator's. */
export interface ValidSnapshot {
  nowHours: number;
  hoursLeft: number;
  cells: Map<number, StockCell>;
  /** One entry per scenario warehouse, defaults filled in. */
  warehouses: WarehouseView[];
  /** The contract standings the request gives, by segment index (only segments with contract terms). */
  contracts: Map<number, ValidContract>;
}

function need(cond: boolean, field: string, problem: string, value?: unknown): void {
  if (!cond) throw new InvalidArgumentError(field, problem, value);
}

const isWholeUnits = (v: number) => Number.isSafeInteger(v) && v >= 0 && v <= LIMITS.quantity;
const isHours = (v: number) => Number.isFinite(v) && v >= 0 && v <= LIMITS.hours;
const isIdent = (v: string) => typeof v === 'string' && v.length > 0 && v.length <= LIMITS.idLength;

function wholeUnits(v: number, field: string): number {
  if (!isWholeUnits(v)) throw new InvalidArgumentError(field, `must be a whole number of units in [0, ${LIMITS.quantity}]`, v);
  return v;
}

function hours(v: number, field: string): number {
  if (!isHours(v)) throw new InvalidArgumentError(field, `must be a finite number of hours in [0, ${LIMITS.hours}]`, v);
  return v;
}

function ident(v: string, field: string): string {
  need(typeof v === 'string' && v.length > 0, field, 'must not be empty', v);
  need(v.length <= LIMITS.idLength, field, `must be at most ${LIMITS.idLength} characters`, v);
  return v;
}

/** A contract position's given fields, checked; `field` names it (e.g. `order.contract`). */
function contractPosition(p: ContractPosition__Output, field: string): ValidContract {
  const c: ValidContract = {};
  if (p.orderedUnits !== undefined) c.orderedUnits = wholeUnits(p.orderedUnits, `${field}.ordered_units`);
  if (p.filledUnits !== undefined) c.filledUnits = wholeUnits(p.filledUnits, `${field}.filled_units`);
  if (p.hoursToPeriodEnd !== undefined) c.hoursToPeriodEnd = hours(p.hoursToPeriodEnd, `${field}.hours_to_period_end`);
  return c;
}

function segmentUnits(u: SegmentUnits__Output, field: string): PerSegment {
  return {
    contract: wholeUnits(u.contract, `${field}.contract`),
    premium: wholeUnits(u.premium, `${field}.premium`),
    standard: wholeUnits(u.standard, `${field}.standard`),
  };
}

/**
 * Validates an order against the world; `field` prefixes error paths (e.g. `orders[3]`).
 * Each check is a plain predicate first; the field's path and the message are
 * built only when it fails (a batch validates thousands of lines).
 */
export function validateOrder(world: World, order: Order__Output | null | undefined, field: string, nowHours: number): ValidOrder {
  need(order != null, field, 'is required');
  const o = order!;
  if (!isIdent(o.id)) ident(o.id, `${field}.id`);
  if (o.customer.length > LIMITS.idLength) need(false, `${field}.customer`, `must be at most ${LIMITS.idLength} characters`, o.customer);
  const segment = world.segmentIndex.get(o.segment);
  if (segment === undefined) need(false, `${field}.segment`, `is not a segment of scenario ${world.scenario.name}`, o.segment);
  const region = world.regionIndex.get(o.shipTo);
  if (region === undefined) need(false, `${field}.ship_to`, `is not a region of scenario ${world.scenario.name}`, o.shipTo);
  let serviceLevel: string | undefined;
  if (o.serviceLevel !== undefined) {
    if (o.serviceLevel !== '' && !world.modeIndex.has(o.serviceLevel)) need(false, `${field}.service_level`, 'is not a shipping mode of the scenario', o.serviceLevel);
    serviceLevel = o.serviceLevel;
  }
  const createdHours = o.createdHours;
  if (!isHours(createdHours)) hours(createdHours, `${field}.created_hours`);
  if (createdHours > nowHours) need(false, `${field}.created_hours`, `must not be after snapshot.now_hours(=${nowHours})`, createdHours);
  need(o.lines.length > 0, `${field}.lines`, 'must have at least one line');
  need(o.lines.length <= LIMITS.linesPerOrder, `${field}.lines`, `must have at most ${LIMITS.linesPerOrder} lines`, o.lines.length);
  const lines: ValidLine[] = [];
  for (let i = 0; i < o.lines.length; i++) {
    const l = o.lines[i]!;
    const sku = world.skuIndex.get(l.sku);
    if (sku === undefined) need(false, `${field}.lines[${i}].sku`, `is not a SKU of scenario ${world.scenario.name}`, l.sku);
    if (!isWholeUnits(l.quantity)) wholeUnits(l.quantity, `${field}.lines[${i}].quantity`);
    const p = l.unitPrice;
    if (!(Number.isFinite(p) && p >= 0 && p <= LIMITS.price)) need(false, `${field}.lines[${i}].unit_price`, `must be a finite price in [0, ${LIMITS.price}]`, p);
    const line: ValidLine = { sku: sku!, quantity: l.quantity, unitPrice: p };
    if (l.pendingUnits) line.pendingUnits = segmentUnits(l.pendingUnits, `${field}.lines[${i}].pending_units`);
    lines.push(line);
  }
  const out: ValidOrder = { id: o.id, customer: o.customer, segment: segment!, region: region!, createdHours, lines };
  if (serviceLevel !== undefined) out.serviceLevel = serviceLevel;
  if (o.contract) {
    const seg = world.scenario.segments[segment!]!;
    need(seg.contract !== undefined, `${field}.contract`, `is only for contract segments (segment ${seg.id} has no contract terms)`);
    out.contract = contractPosition(o.contract, `${field}.contract`);
  }
  return out;
}

/** Validates a snapshot against the world and fills in the documented defaults. */
export function validateSnapshot(world: World, snap: Snapshot__Output | null | undefined, field = 'snapshot'): ValidSnapshot {
  need(snap != null, field, 'is required');
  const s = snap!;
  const nowHours = hours(s.nowHours, `${field}.now_hours`);
  const hoursLeft = s.hoursLeft === undefined ? Math.max(0, world.horizonHours - nowHours) : hours(s.hoursLeft, `${field}.hours_left`);
  const S = world.skus.length;
  need(s.stock.length <= LIMITS.stockEntries, `${field}.stock`, `must have at most ${LIMITS.stockEntries} entries`, s.stock.length);
  const cells = new Map<number, StockCell>();
  for (let i = 0; i < s.stock.length; i++) {
    const e = s.stock[i]!;
    const ef = `${field}.stock[${i}]`;
    const w = world.warehouseIndex.get(e.warehouse);
    need(w !== undefined, `${ef}.warehouse`, `is not a warehouse of scenario ${world.scenario.name}`, e.warehouse);
    const k = world.skuIndex.get(e.sku);
    need(k !== undefined, `${ef}.sku`, `is not a SKU of scenario ${world.scenario.name}`, e.sku);
    const key = w! * S + k!;
    need(!cells.has(key), ef, `repeats warehouse ${e.warehouse} × sku ${e.sku}`);
    const available = wholeUnits(e.available, `${ef}.available`);
    need(e.inbound.length <= LIMITS.inboundPerCell, `${ef}.inbound`, `must have at most ${LIMITS.inboundPerCell} entries`, e.inbound.length);
    const inbound: InboundView[] = [];
    for (let j = 0; j < e.inbound.length; j++) {
      const b = e.inbound[j]!;
      inbound.push({ quantity: wholeUnits(b.quantity, `${ef}.inbound[${j}].quantity`), etaHours: hours(b.etaHours, `${ef}.inbound[${j}].eta_hours`) });
    }
    // The simulator lists inbound soonest first; so does the context built here.
    inbound.sort((a, b) => a.etaHours - b.etaHours);
    const age = e.inventoryAgeHours === undefined ? 0 : hours(e.inventoryAgeHours, `${ef}.inventory_age_hours`);
    cells.set(key, { available, inbound, inventoryAgeHours: age });
  }
  const warehouses: WarehouseView[] = world.scenario.warehouses.map((wh) => ({
    outage: false,
    capacityLeftToday: wh.pickCapacityPerDay,
    shipDelayHours: wh.pickHours,
  }));
  const seen = new Set<number>();
  need(s.warehouses.length <= world.scenario.warehouses.length, `${field}.warehouses`, `must have at most one entry per warehouse (${world.scenario.warehouses.length})`, s.warehouses.length);
  for (let i = 0; i < s.warehouses.length; i++) {
    const e = s.warehouses[i]!;
    const ef = `${field}.warehouses[${i}]`;
    const w = world.warehouseIndex.get(e.warehouse);
    need(w !== undefined, `${ef}.warehouse`, `is not a warehouse of scenario ${world.scenario.name}`, e.warehouse);
    need(!seen.has(w!), `${ef}.warehouse`, 'is repeated', e.warehouse);
    seen.add(w!);
    const v = warehouses[w!]!;
    v.outage = e.outage;
    if (e.outage) v.capacityLeftToday = 0;
    if (e.capacityLeftToday !== undefined) v.capacityLeftToday = wholeUnits(e.capacityLeftToday, `${ef}.capacity_left_today`);
    if (e.shipDelayHours !== undefined) v.shipDelayHours = hours(e.shipDelayHours, `${ef}.ship_delay_hours`);
  }
  const segments = world.scenario.segments;
  const contracts = new Map<number, ValidContract>();
  need(s.contracts.length <= segments.length, `${field}.contracts`, `must have at most one entry per segment (${segments.length})`, s.contracts.length);
  for (let i = 0; i < s.contracts.length; i++) {
    const e = s.contracts[i]!;
    const ef = `${field}.contracts[${i}]`;
    const g = world.segmentIndex.get(e.segment);
    need(g !== undefined, `${ef}.segment`, `is not a segment of scenario ${world.scenario.name}`, e.segment);
    need(segments[g!]!.contract !== undefined, `${ef}.segment`, 'has no contract terms', e.segment);
    need(!contracts.has(g!), `${ef}.segment`, 'is repeated', e.segment);
    contracts.set(g!, e.position ? contractPosition(e.position, `${ef}.position`) : {});
  }
  return { nowHours, hoursLeft, cells, warehouses, contracts };
}
