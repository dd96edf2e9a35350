import { calendarFactor, type World } from './model/world.js';
import type { Segment } from './scenario/index.js';
import type { NetworkState } from './network-state.js';
import type { Candidate, ContractPosition, DecisionContext, InboundView, LineContext, ModeOption, PendingOrderView, PerSegment, Policy, SegmentContractPosition } from './policies/contract.js';

/** One line of an order as the context builder reads it. */
export interface OrderLineState {
  sku: number;
  /** Units still to place. */
  remaining: number;
  unitPrice: number;
  /** Pending units to show instead of the state's (a service request may give them). */
  pendingUnits?: PerSegment;
}

/** An order as the context builder reads it (indices into the world). */
export interface OrderState {
  id: string;
  segment: number;
  region: number;
  createdHours: number;
  /** The customer's paid shipping mode, when it differs from the segment's. */
  serviceLevel?: string;
  lines: readonly OrderLineState[];
}

/** A contract customer's counters in the current period. */
export interface ContractStanding {
  orderedUnits: number;
  filledUnits: number;
  hoursToPeriodEnd: number;
}

/**
 * Where contexts read contract standings: segment `g`'s at hour `now`, or undefined
 * when it has no contract terms. The result is read at once (it may be rewritten by the
 * next call).
 */
export interface ContractStandings {
  standing(g: number, now: number): ContractStanding | undefined;
}

/** Writes a position from a segment's contract terms and its standing. */
function writePosition(p: ContractPosition, terms: NonNullable<Segment['contract']>, got: ContractStanding): void {
  p.committedUnits = terms.committedUnitsPerPeriod;
  p.orderedUnits = got.orderedUnits;
  p.filledUnits = got.filledUnits;
  p.fillRateTarget = terms.fillRateTarget;
  p.shortfallPenaltyPerUnit = terms.shortfallPenaltyPerUnit;
  p.hoursToPeriodEnd = got.hoursToPeriodEnd;
}

const NO_MODES: readonly ModeOption[] = Object.freeze([]);

function emptyLine(): LineContext {
  return {
    sku: '',
    quantity: 0,
    unitPrice: 0,
    unitCost: 0,
    networkAvailable: 0,
    networkInbound: 0,
    pendingUnits: { contract: 0, premium: 0, standard: 0 },
    forecastDailyUnits: { contract: 0, premium: 0, standard: 0 },
    candidates: [],
  };
}

function emptyCandidate(): Candidate {
  return {
    warehouse: '',
    available: 0,
    inbound: [],
    capacityLeftToday: 0,
    shipDelayHours: 0,
    outage: false,
    inventoryAgeHours: 0,
    distanceKm: 0,
    handlingCostPerUnit: 0,
    holdingCostPerUnitDay: 0,
    modes: NO_MODES,
  };
}

function position(): SegmentContractPosition {
  return { segment: '', committedUnits: 0, orderedUnits: 0, filledUnits: 0, fillRateTarget: 0, shortfallPenaltyPerUnit: 0, hoursToPeriodEnd: 0 };
}

function emptyContext(): DecisionContext {
  return {
    nowHours: 0,
    hoursLeft: 0,
    order: {
      id: '',
      segment: '',
      segmentKind: 'standard',
      serviceLevel: '',
      region: '',
      createdHours: 0,
      hoursWaited: 0,
      promiseHours: 0,
      patienceHours: 0,
      latePenaltyPerUnit: 0,
      lostSalePenaltyPerUnit: 0,
      contract: undefined,
      lines: [],
    },
  };
}

/**
 * Builds the `DecisionContext` of an order from a `NetworkState`: per line, the
 * candidate warehouses — up, holding stock of the SKU, with a lane to the ship-to
 * region — nearest first up to the scenario's `candidateLimit`, each with its
 * stock, inbound (by ETA bucket), capacity, age, costs and modes; network totals,
 * pending units and the forecast per SKU; the order's terms and contract standing.
 * The simulator and the service both build contexts here.
 *
 * `reuse`: rewrite one set of objects for order after order instead of making
 * new ones. A context is then only valid until the next `build`; the simulator
 * reuses when it hands contexts to `Policy.decide`, which may not keep them.
 */
export class ContextBuilder {
  private readonly ctx: DecisionContext | null;
  private readonly contract: ContractPosition | null;
  /** Indices of the segments with contract terms, and their positions (rewritten per build when reusing). */
  private readonly contractSegments: number[] = [];
  private readonly positions: SegmentContractPosition[] = [];
  private readonly lines: LineContext[] = [];
  private readonly candidates: Candidate[][] = [];
  private readonly factorDay: Float64Array;
  private readonly factor: Float64Array;

  constructor(
    private readonly world: World,
    private readonly state: NetworkState,
    private readonly reuse: boolean,
  ) {
    this.ctx = reuse ? emptyContext() : null;
    this.contract = reuse ? { committedUnits: 0, orderedUnits: 0, filledUnits: 0, fillRateTarget: 0, shortfallPenaltyPerUnit: 0, hoursToPeriodEnd: 0 } : null;
    this.factorDay = new Float64Array(world.skus.length).fill(-1);
    this.factor = new Float64Array(world.skus.length);
    world.scenario.segments.forEach((g, i) => {
      if (g.contract) this.contractSegments.push(i);
    });
  }

  /**
   * The context of `order` at hour `now`. `standings` gives every contract segment's
   * standing: the order's own (`order.contract`) and the list every order sees
   * (`contracts`); without it neither is set.
   */
  build(order: OrderState, now: number, hoursLeft: number, standings?: ContractStandings): DecisionContext {
    const world = this.world;
    const st = this.state;
    const s = world.scenario;
    const W = st.W;
    const R = s.regions.length;
    const seg = s.segments[order.segment]!;
    const ctx = this.ctx ?? emptyContext();
    const oc = ctx.order;
    const lines = oc.lines as LineContext[];
    const nLines = order.lines.length;
    const base = world.baseUnitsBySkuKind;
    const day = Math.floor(now / 24);
    const byDistance = world.warehousesByDistance[order.region]!;
    const limit = s.candidateLimit > 0 ? s.candidateLimit : W;
    const capacity = st.capacity;
    for (let li = 0; li < nLines; li++) {
      const l = order.lines[li]!;
      const k = l.sku;
      const line = this.reuse ? (this.lines[li] ??= emptyLine()) : emptyLine();
      const pool = this.reuse ? (this.candidates[li] ??= []) : null;
      const candidates = line.candidates as Candidate[];
      const sku = world.skus[k]!;
      let n = 0;
      if (l.remaining > 0) {
        for (let i = 0; i < W && n < limit; i++) {
          const w = byDistance[i]!;
          if (st.outage[w]) continue;
          const c = k * W + w;
          const avail = st.onHand[c]! - st.reserved[c]!;
          if (avail <= 0) continue;
          const lane = world.lanes[w * R + order.region]!;
          if (lane.modes.length === 0) continue;
          const wh = s.warehouses[w]!;
          capacity.refresh(w, now);
          const cand = pool ? (pool[n] ??= emptyCandidate()) : emptyCandidate();
          cand.warehouse = wh.id;
          cand.available = avail;
          cand.inbound = st.pipeline.view(c, now, cand.inbound as InboundView[]);
          cand.capacityLeftToday = capacity.leftToday[w]!;
          cand.shipDelayHours = capacity.shipDelayHours[w]!;
          cand.outage = false;
          cand.inventoryAgeHours = now - st.receiptTime[c]!;
          cand.distanceKm = lane.distanceKm;
          cand.handlingCostPerUnit = wh.handlingCostPerUnit;
          cand.holdingCostPerUnitDay = (sku.unitCost * wh.holdingCostRatePerYear) / 365;
          cand.modes = lane.modes;
          candidates[n++] = cand;
        }
      }
      if (candidates.length !== n) candidates.length = n;
      line.sku = sku.id;
      line.quantity = l.remaining;
      line.unitPrice = l.unitPrice;
      line.unitCost = sku.unitCost;
      line.networkAvailable = st.networkAvail[k]!;
      line.networkInbound = st.networkInbound[k]!;
      const p = line.pendingUnits;
      const given = l.pendingUnits;
      p.contract = given ? given.contract : st.pendingByKind[k * 3]!;
      p.premium = given ? given.premium : st.pendingByKind[k * 3 + 1]!;
      p.standard = given ? given.standard : st.pendingByKind[k * 3 + 2]!;
      if (this.factorDay[k] !== day) {
        this.factorDay[k] = day;
        this.factor[k] = calendarFactor(world, k, day);
      }
      const f = this.factor[k]!;
      const fc = line.forecastDailyUnits;
      fc.contract = base[k * 3]! * f;
      fc.premium = base[k * 3 + 1]! * f;
      fc.standard = base[k * 3 + 2]! * f;
      lines[li] = line;
    }
    if (lines.length !== nLines) lines.length = nLines;
    ctx.nowHours = now;
    ctx.hoursLeft = hoursLeft;
    oc.id = order.id;
    oc.segment = seg.id;
    oc.segmentKind = seg.kind;
    oc.serviceLevel = order.serviceLevel ?? seg.serviceLevel;
    oc.region = s.regions[order.region]!.id;
    oc.createdHours = order.createdHours;
    oc.hoursWaited = now - order.createdHours;
    oc.promiseHours = seg.promiseHours;
    oc.patienceHours = seg.patienceHours;
    oc.latePenaltyPerUnit = seg.latePenaltyPerUnit;
    oc.lostSalePenaltyPerUnit = seg.lostSalePenaltyPerUnit;
    const own = seg.contract ? standings?.standing(order.segment, now) : undefined;
    if (own) {
      const cp = this.contract ?? ({} as ContractPosition);
      writePosition(cp, seg.contract!, own);
      oc.contract = cp;
    } else oc.contract = undefined;
    const all = this.reuse ? this.positions : [];
    let n = 0;
    if (standings) {
      for (const g of this.contractSegments) {
        const got = standings.standing(g, now);
        if (!got) continue;
        const terms = s.segments[g]!;
        const p = this.reuse ? (all[n] ??= position()) : position();
        p.segment = terms.id;
        writePosition(p, terms.contract!, got);
        all[n++] = p;
      }
    }
    all.length = n;
    ctx.contracts = all;
    return ctx;
  }
}

/** What a wave's sequencer sees of an order: its unplaced units and the margin they carry. */
export function pendingView(world: World, order: OrderState): PendingOrderView {
  let margin = 0;
  let units = 0;
  for (const l of order.lines) {
    margin += l.remaining * (l.unitPrice - world.skus[l.sku]!.unitCost);
    units += l.remaining;
  }
  return { id: order.id, segmentKind: world.segmentKinds[order.segment]!, createdHours: order.createdHours, marginAtStake: margin, unitsRemaining: units };
}

/**
 * The order in which a wave offers its orders: ascending `policy.rank`, ties by
 * creation time, then by position in `orders`; first come, first served when the
 * policy has no rank. The simulator's waves and the service's RecommendBatch both
 * sequence here. Returns `orders` itself when there is nothing to rank.
 */
export function waveSequence<T extends OrderState>(world: World, orders: readonly T[], policy: Pick<Policy, 'rank'>): readonly T[] {
  const rank = policy.rank;
  if (!rank) return orders;
  const keyed = orders.map((o, i) => ({ o, i, key: rank.call(policy, pendingView(world, o)) }));
  keyed.sort((a, b) => a.key - b.key || a.o.createdHours - b.o.createdHours || a.i - b.i);
  return keyed.map((x) => x.o);
}
