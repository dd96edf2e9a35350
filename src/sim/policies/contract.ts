/**
 * The decision contract: everything a policy may see for one order at one moment
 * (`DecisionContext`) and what it answers (`Decision`). The simulator and the
 * gRPC service build contexts with one builder (`ContextBuilder`, src/sim/context.ts)
 * from one kind of state (`NetworkState`). Same context → same decision, in both places.
 */

/** The three kinds of customer segment, in descending priority. */
export type SegmentKind = 'contract' | 'premium' | 'standard';

export const SEGMENT_KINDS: readonly SegmentKind[] = ['contract', 'premium', 'standard'];

/** Units per segment kind (pending demand, forecasts). */
export interface PerSegment {
  contract: number;
  premium: number;
  standard: number;
}

/** One way of shipping from a candidate warehouse to the order's ship-to region. */
export interface ModeOption {
  mode: string;
  /** Expected hours in transit once shipped. */
  transitHours: number;
  /** Shipping cost per unit on this lane and mode. */
  costPerUnit: number;
  /** Probability that the shipment is delivered late by the carrier's fault. */
  lateRisk: number;
}

/** Stock on its way to a warehouse. */
export interface InboundView {
  quantity: number;
  /** Hours from now until it lands (for a bucket of receipts, their mean). */
  etaHours: number;
}

/** One warehouse that could ship (part of) a line. */
export interface Candidate {
  warehouse: string;
  /** Units on hand and not yet promised to another order. */
  available: number;
  /**
   * Stock in transit to this warehouse, soonest first, by ETA bucket (see
   * `INBOUND_BUCKET_HOURS`: within 24 h, 72 h, 168 h, later): at most one entry
   * per bucket, empty buckets left out.
   */
  inbound: readonly InboundView[];
  /** Pick capacity left today, in units (0 once today is full and new work queues for later days). */
  capacityLeftToday: number;
  /**
   * Hours from now until units allocated now would leave (picking time plus any
   * capacity backlog). Expected delivery = shipDelayHours + a mode's transitHours.
   */
  shipDelayHours: number;
  /** True while the warehouse is down (the simulator never offers it then). */
  outage: boolean;
  /** Mean age of the SKU's stock at this warehouse, hours. */
  inventoryAgeHours: number;
  distanceKm: number;
  handlingCostPerUnit: number;
  holdingCostPerUnitDay: number;
  modes: readonly ModeOption[];
}

/** One order line as the policy sees it. */
export interface LineContext {
  sku: string;
  /** Units still to place (the remainder after earlier allocations). */
  quantity: number;
  unitPrice: number;
  unitCost: number;
  /** Units available across the whole network (all warehouses not in outage). */
  networkAvailable: number;
  /** Units inbound across the network. */
  networkInbound: number;
  /** Unallocated units of this SKU waiting in the network, by segment (this order included). */
  pendingUnits: PerSegment;
  /** Expected demand for this SKU across the network, units per day, by segment. */
  forecastDailyUnits: PerSegment;
  candidates: readonly Candidate[];
}

/** A contract customer's standing in the current contract period. */
export interface ContractPosition {
  committedUnits: number;
  orderedUnits: number;
  filledUnits: number;
  fillRateTarget: number;
  /** Penalty per unit of shortfall against the target at period end. */
  shortfallPenaltyPerUnit: number;
  hoursToPeriodEnd: number;
}

export interface OrderContext {
  id: string;
  segment: string;
  segmentKind: SegmentKind;
  /** Shipping mode the customer paid for ('' when any). */
  serviceLevel: string;
  region: string;
  createdHours: number;
  hoursWaited: number;
  /** Delivery promised this many hours after creation. */
  promiseHours: number;
  /** Hours after creation when an unplaced remainder becomes a lost sale. */
  patienceHours: number;
  latePenaltyPerUnit: number;
  lostSalePenaltyPerUnit: number;
  contract?: ContractPosition;
  lines: readonly LineContext[];
}

/** One contract segment's standing in its current period, as every order sees it. */
export interface SegmentContractPosition extends ContractPosition {
  segment: string;
}

export interface DecisionContext {
  /** Simulated (or wall-clock) hours since the scenario's start. */
  nowHours: number;
  /** Hours left until the planning horizon ends. */
  hoursLeft: number;
  order: OrderContext;
  /**
   * Every contract segment's standing in its current period, whatever the order's
   * segment: what the commitments still need weighs on who else gets scarce stock.
   * Empty (or absent) when the scenario has no contract terms or the caller gave none.
   */
  contracts?: readonly SegmentContractPosition[];
}

export interface Allocation {
  warehouse: string;
  quantity: number;
  mode: string;
}

export interface LineDecision {
  allocations: Allocation[];
  /** Units left unplaced for now; they wait for a later wave. */
  backordered: number;
}

export type DecidedByKind = 'model' | 'rules';

export interface DecidedBy {
  kind: DecidedByKind;
  name: string;
  version?: string;
  /** Why a rule decided where a model was asked (outside its scope, nothing to choose, a fallback). */
  reason?: string;
}

export interface Decision {
  /** One entry per context line, in the same order. */
  lines: LineDecision[];
  /** Optional per-line, per-candidate scores (higher is better), for the audit trail. */
  scores?: number[][];
  /** Probability with which the chosen action was taken (1 for deterministic rules). */
  propensity?: number;
  decidedBy?: DecidedBy;
  /**
   * Per line, who decided it, when not all lines were decided alike (a model's
   * decision where some lines went to its base rule).
   */
  lineDecidedBy?: DecidedByKind[];
}

/** What the wave sequencer knows about a pending order. */
export interface PendingOrderView {
  id: string;
  segmentKind: SegmentKind;
  createdHours: number;
  /** Unplaced units × (price − cost), summed over lines. */
  marginAtStake: number;
  unitsRemaining: number;
}

/**
 * An allocation policy. Rule strategies, the network policy and the fallback
 * chain's rules all implement it (the service's `DecisionChain` is not a
 * `Policy`: it wraps one model and one rule strategy and answers an `Outcome`,
 * the decision plus why it was taken).
 *
 * A context is lent to `decide` for the duration of the call: the simulator may
 * rewrite the same objects for the next order. A policy that needs any part of
 * it afterwards copies it (strings, such as warehouse ids, may be kept).
 */
export interface Policy {
  readonly name: string;
  readonly version?: string;
  decide(ctx: DecisionContext): Decision;
  /**
   * Optional wave sequencing: orders in a wave are offered in ascending `rank`,
   * ties by creation time. Without it, a wave is first come, first served.
   */
  rank?(order: PendingOrderView): number;
}

/** Raised when a policy answers something the world cannot do. */
export class DecisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionError';
  }
}

/** Names an allocation in a validation error. */
function where(ctx: DecisionContext, line: number, allocation: number): string {
  return `order ${ctx.order.id} line ${line} allocation ${allocation}`;
}

/**
 * Checks a decision against its context: one entry per line, whole non-negative
 * quantities, only offered warehouses and modes, no more than available per
 * warehouse × SKU — summed over every line of the order, since lines of one SKU
 * draw on the same stock — and allocated + backordered equal to the line quantity.
 * Throws `DecisionError` naming the first problem.
 */
export function validateDecision(ctx: DecisionContext, decision: Decision): void {
  const lines = ctx.order.lines;
  if (!decision || !Array.isArray(decision.lines) || decision.lines.length !== lines.length) {
    throw new DecisionError(`order ${ctx.order.id}: decision.lines must have ${lines.length} entries`);
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const d = decision.lines[i]!;
    let placed = 0;
    for (let j = 0; j < d.allocations.length; j++) {
      const a = d.allocations[j]!;
      if (!Number.isInteger(a.quantity) || a.quantity <= 0) {
        throw new DecisionError(`${where(ctx, i, j)}: quantity(=${a.quantity}) must be a whole number > 0`);
      }
      let c: (typeof line.candidates)[number] | undefined;
      for (const x of line.candidates) if (x.warehouse === a.warehouse) c = x;
      if (!c) throw new DecisionError(`${where(ctx, i, j)}: warehouse(=${a.warehouse}) is not a candidate`);
      let offered = false;
      for (const m of c.modes) if (m.mode === a.mode) offered = true;
      if (!offered) throw new DecisionError(`${where(ctx, i, j)}: mode(=${a.mode}) is not offered from ${a.warehouse}`);
      // This warehouse's units of the SKU taken by this line and every other line of the SKU.
      let taken = 0;
      for (let k = 0; k < lines.length; k++) {
        if (k !== i && lines[k]!.sku !== line.sku) continue;
        for (const b of decision.lines[k]!.allocations) if (b.warehouse === a.warehouse) taken += b.quantity;
      }
      if (taken > c.available) {
        const across = taken > sumAt(d.allocations, a.warehouse) ? ` across the lines of sku ${line.sku}` : '';
        throw new DecisionError(`${where(ctx, i, j)}: quantity(=${taken}${across}) exceeds available(=${c.available}) at ${a.warehouse}`);
      }
      placed += a.quantity;
    }
    if (!Number.isInteger(d.backordered) || d.backordered < 0 || placed + d.backordered !== line.quantity) {
      throw new DecisionError(
        `order ${ctx.order.id} line ${i}: allocated(=${placed}) + backordered(=${d.backordered}) must equal quantity(=${line.quantity})`,
      );
    }
  }
}

function sumAt(allocations: readonly Allocation[], warehouse: string): number {
  let q = 0;
  for (const a of allocations) if (a.warehouse === warehouse) q += a.quantity;
  return q;
}
