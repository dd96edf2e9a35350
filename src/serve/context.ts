import { calendarFactor, forecastDailyUnits, type World } from '../sim/model/world.js';
import type { Candidate, ContractPosition, Decision, DecisionContext, LineContext, PerSegment } from '../sim/policies/contract.js';
import type { ValidOrder, ValidSnapshot } from './validate.js';

/**
 * Builds the `DecisionContext` the simulator would build for this order in this
 * state: candidates are the warehouses up, with stock of the SKU and a lane to
 * the ship-to region, nearest first up to the scenario's `candidateLimit`;
 * lanes, costs and forecasts come from the world loaded at start-up; stock, capacity and timing from the snapshot.
 *
 * Fields the request may leave out take documented defaults (docs/serve.md):
 * pending units = `pendingDefault` (this order's own units unless a wave says
 * otherwise), contract position = nothing ordered or filled yet, the period ending
 * on the next multiple of its length.
 */
export function buildContext(
  world: World,
  snap: ValidSnapshot,
  order: ValidOrder,
  pendingDefault?: (sku: number) => PerSegment,
): DecisionContext {
  const s = world.scenario;
  const S = world.skus.length;
  const R = s.regions.length;
  const W = s.warehouses.length;
  const now = snap.nowHours;
  const seg = s.segments[order.segment]!;
  const day = Math.floor(now / 24);
  const lines: LineContext[] = [];
  for (const l of order.lines) {
    const candidates: Candidate[] = [];
    let networkAvailable = 0;
    let networkInbound = 0;
    const sku = world.skus[l.sku]!;
    for (let w = 0; w < W; w++) {
      const cell = snap.cells.get(w * S + l.sku);
      if (!cell) continue;
      for (const b of cell.inbound) networkInbound += b.quantity;
      if (!snap.warehouses[w]!.outage) networkAvailable += cell.available;
    }
    // Nearest first, at most the scenario's candidate limit, as the simulator offers them.
    const byDistance = world.warehousesByDistance[order.region]!;
    const limit = s.candidateLimit > 0 ? s.candidateLimit : W;
    for (let i = 0; i < W && candidates.length < limit && l.quantity > 0; i++) {
      const w = byDistance[i]!;
      const cell = snap.cells.get(w * S + l.sku);
      if (!cell || cell.available <= 0) continue;
      const wv = snap.warehouses[w]!;
      if (wv.outage) continue;
      const lane = world.lanes[w * R + order.region]!;
      if (lane.modes.length === 0) continue;
      const wh = s.warehouses[w]!;
      candidates.push({
        warehouse: wh.id,
        available: cell.available,
        inbound: cell.inbound,
        capacityLeftToday: wv.capacityLeftToday,
        shipDelayHours: wv.shipDelayHours,
        outage: false,
        inventoryAgeHours: cell.inventoryAgeHours,
        distanceKm: lane.distanceKm,
        handlingCostPerUnit: wh.handlingCostPerUnit,
        holdingCostPerUnitDay: (sku.unitCost * wh.holdingCostRatePerYear) / 365,
        modes: lane.modes,
      });
    }
    const f = calendarFactor(world, l.sku, day);
    let pendingUnits = l.pendingUnits ?? pendingDefault?.(l.sku);
    if (!pendingUnits) {
      pendingUnits = { contract: 0, premium: 0, standard: 0 };
      pendingUnits[seg.kind] = l.quantity;
    }
    lines.push({
      sku: sku.id,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      unitCost: sku.unitCost,
      networkAvailable,
      networkInbound,
      pendingUnits,
      forecastDailyUnits: forecastDailyUnits(world, l.sku, f),
      candidates,
    });
  }
  const ct = seg.contract;
  let contract: ContractPosition | undefined;
  if (ct) {
    const period = ct.periodDays * 24;
    const given = order.contract ?? {};
    contract = {
      committedUnits: ct.committedUnitsPerPeriod,
      orderedUnits: given.orderedUnits ?? 0,
      filledUnits: given.filledUnits ?? 0,
      fillRateTarget: ct.fillRateTarget,
      shortfallPenaltyPerUnit: ct.shortfallPenaltyPerUnit,
      hoursToPeriodEnd: given.hoursToPeriodEnd ?? period - (now % period),
    };
  }
  return {
    nowHours: now,
    hoursLeft: snap.hoursLeft,
    order: {
      id: order.id,
      segment: seg.id,
      segmentKind: seg.kind,
      serviceLevel: order.serviceLevel ?? seg.serviceLevel,
      region: s.regions[order.region]!.id,
      createdHours: order.createdHours,
      hoursWaited: now - order.createdHours,
      promiseHours: seg.promiseHours,
      patienceHours: seg.patienceHours,
      latePenaltyPerUnit: seg.latePenaltyPerUnit,
      lostSalePenaltyPerUnit: seg.lostSalePenaltyPerUnit,
      contract,
      lines,
    },
  };
}

/**
 * Takes a decision's allocations out of the snapshot so the next order of a wave
 * sees what is left (RecommendBatch). The snapshot belongs to one request.
 */
export function consume(world: World, snap: ValidSnapshot, order: ValidOrder, decision: Decision): void {
  const S = world.skus.length;
  for (let i = 0; i < order.lines.length; i++) {
    const sku = order.lines[i]!.sku;
    for (const a of decision.lines[i]!.allocations) {
      const cell = snap.cells.get(world.warehouseIndex.get(a.warehouse)! * S + sku)!;
      cell.available -= a.quantity;
    }
  }
}
