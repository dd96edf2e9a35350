import { chooseMode, expectedLate, landedCost } from '../../sim/policies/helpers.js';
import type { Candidate, ContractPosition, DecisionContext, LineContext, ModeOption } from '../../sim/policies/contract.js';


/**
 * The observation encoder: one encoder, used by training and serving alike. It
 * turns a `DecisionContext`, a line of it and what the line has already taken at
 * this step into per-candidate features and order/global context features, all
 * scaled by hand into small ranges. The network then standardises them with the
 * normalisation statistics saved in the model's `FeatureSpec`.
 *
 * Pure TypeScript, no tfjs: the gRPC service imports it without the trainer.
 */

/** Bumped whenever a feature is added, removed, reordered or rescaled. */
export const FEATURE_SPEC_VERSION = 3;

/**
 * Per-option feature names, in order. An option is one candidate warehouse with
 * one of its shipping modes, so the network chooses where and how to ship.
 */
export const CANDIDATE_FEATURES = [
  'landed_cost_frac', // (shipping + handling + expected late penalty) / unit price
  'ship_cost_frac', // shipping cost of this mode / unit price
  'expected_late', // 1 when this mode is expected to miss the promise
  'late_risk', // the carrier's late probability on this mode
  'delivery_days', // ship delay + transit, days
  'slack_days', // promise − waited − delivery, days
  'distance_kkm', // lane distance, thousands of km
  'covers_line', // 1 when this warehouse alone can ship the remainder
  'log_available', // log1p(available units)
  'share_of_network', // available here / available in the network
  'capacity_left_frac', // capacity left today / (capacity left + remainder), 0..1
  'cost_rank', // rank by landed cost among candidates, 0 = cheapest, scaled to 0..1
  'is_cheapest', // 1 for the cheapest candidate
  'inbound_soon', // log1p(units landing here within 7 days)
  'age_days', // mean stock age, days / 30
  'mode_paid', // 1 when this mode is the customer's paid service level
  'mode_rule', // 1 when this is the mode the rules would ship by
  'value_frac', // reward per unit shipped this way (margin − shipping − handling − expected late penalty, weighted) / price
  'value_net_frac', // value_frac − the scarce SKU's opportunity cost / price
] as const;

/** Order and global context feature names, in order. */
export const CONTEXT_FEATURES = [
  'seg_contract',
  'seg_premium',
  'seg_standard',
  'paid_service',
  'log_price', // log1p(unit price) / 5
  'markup', // price / cost − 1
  'unit_margin_k', // (price − cost) / 1000
  'log_quantity', // log1p(units still to place on this line)
  'split_progress', // units taken at this step / line quantity
  'waited_frac', // hours waited / patience
  'promise_left_days', // (promise − waited) / 24
  'patience_left_days', // (patience − waited) / 24
  'late_penalty_frac', // late penalty / unit price
  'lost_penalty_frac', // lost-sale penalty / unit price
  'contract_fill_gap', // filled / ordered − target (0 for non-contract)
  'contract_progress', // ordered / committed (0 for non-contract)
  'contract_penalty_frac', // shortfall penalty / unit price (0 for non-contract)
  'contract_period_left', // hours to period end / 720
  'cover_ratio', // network available / all pending units of the SKU (capped 5)
  'cover_contract', // network available / (pending contract + 7 days of contract forecast) (capped 5)
  'cover_priority', // network available / (pending contract + premium) (capped 5)
  'supply_vs_demand', // (available + inbound) / forecast demand to horizon end (capped 5)
  'inbound_frac', // network inbound / (available + inbound)
  'forecast_contract_share', // contract share of forecast demand
  'forecast_premium_share', // premium share of forecast demand
  'time_left_frac', // hours left / (now + hours left)
  'n_candidates', // candidates with stock / 10
  'charge_frac', // opportunity cost of a unit of this SKU now (the model's derived bid price) / price
  'not_served_frac', // reward of leaving a unit unserved (lost-sale penalty if it expires) / price
  'contract_need_frac', // units this contract still needs this period to meet its target / committed (0 otherwise)
  'contracts_need_frac', // the most any contract segment still needs this period / its commitment, whatever the order's segment
  'contracts_period_left', // hours to that segment's period end / 720
  'contracts_need_cover', // units every contract segment still needs this period / network available of this SKU (capped 5)
] as const;

export const NC = CANDIDATE_FEATURES.length;
export const NX = CONTEXT_FEATURES.length;

/** Declared bounds of every encoded feature (the conformance checker tests them). */
export const CANDIDATE_BOUNDS: readonly [number, number][] = [
  [0, 10], [0, 10], [0, 1], [0, 1], [0, 60], [-60, 60], [0, 25], [0, 1], [0, 20], [0, 1], [0, 1], [0, 1], [0, 1], [0, 20], [0, 20],
  [0, 1], [0, 1], [-20, 5], [-20, 5],
];
export const CONTEXT_BOUNDS: readonly [number, number][] = [
  [0, 1], [0, 1], [0, 1], [0, 1], [0, 5], [-1, 20], [-10, 10], [0, 20], [0, 1], [0, 10], [-60, 60], [-60, 60], [0, 10], [0, 10],
  [-1, 1], [0, 20], [0, 10], [0, 5], [0, 5], [0, 5], [0, 5], [0, 5], [0, 1], [0, 1], [0, 1], [0, 1], [0, 10],
  [0, 5], [-10, 0], [0, 1], [0, 1], [0, 5], [0, 5],
];

/**
 * What a model derived from its scenario and the encoder needs at every step:
 * the reward's weights (to value an option in reward units) and, per scarce SKU,
 * the opportunity-cost curve of a unit (see `shadowPrice`).
 */
export interface DerivedInputs {
  marginWeight: number;
  penaltyWeight: number;
  /** Per SKU id: 101 points, the unit margin at the top 0%, 1%, …, 100% of remaining demand. */
  charges: Record<string, number[]>;
}

/**
 * The feature spec saved with every model: names and order, the normalisation
 * statistics the network applies, the ranges seen in training (the service
 * flags inputs outside them) and what the model derived from its scenario.
 */
export interface FeatureSpec {
  version: number;
  candidateFeatures: string[];
  contextFeatures: string[];
  /** Mean and standard deviation per candidate feature, then per context feature. */
  candidateMean: number[];
  candidateStd: number[];
  contextMean: number[];
  contextStd: number[];
  /** [min, max] seen in training per feature. */
  candidateRange: [number, number][];
  contextRange: [number, number][];
  derived: DerivedInputs;
}

export const NO_DERIVED: DerivedInputs = Object.freeze({ marginWeight: 1, penaltyWeight: 1, charges: Object.freeze({}) as Record<string, number[]> });

/** A spec with identity normalisation and declared bounds as ranges. */
export function defaultFeatureSpec(): FeatureSpec {
  return {
    version: FEATURE_SPEC_VERSION,
    candidateFeatures: [...CANDIDATE_FEATURES],
    contextFeatures: [...CONTEXT_FEATURES],
    candidateMean: new Array<number>(NC).fill(0),
    candidateStd: new Array<number>(NC).fill(1),
    contextMean: new Array<number>(NX).fill(0),
    contextStd: new Array<number>(NX).fill(1),
    candidateRange: CANDIDATE_BOUNDS.map(([a, b]) => [a, b]),
    contextRange: CONTEXT_BOUNDS.map(([a, b]) => [a, b]),
    derived: { ...NO_DERIVED, charges: {} },
  };
}

/**
 * One encoded step: a line of an order with what it has taken so far.
 *
 * `candidates` and `context` are views into a slab shared with other steps (a
 * fresh small Float32Array costs a malloc and a GC finaliser each, which was a
 * quarter of an env step). Their elements are their own and never change; code
 * that reaches for `.buffer` must honour `byteOffset` and `byteLength`.
 */
export interface EncodedStep {
  /** Per option: the candidate (index into the line's candidates) it ships from. */
  open: number[];
  /** Per option: the index of its mode in that candidate's `modes`. */
  modes: number[];
  /** Per option: its value per unit in reward units (the `value_frac` feature × price), for teachers. */
  values: number[];
  /** open.length × NC features, row-major. */
  candidates: Float32Array;
  context: Float32Array;
}

/** Floats per slab: about 55 steps of three candidates. */
const SLAB_FLOATS = 4096;
let slab = new ArrayBuffer(SLAB_FLOATS * 4);
let slabUsed = 0;

/** A zeroed Float32Array of n elements carved from the current slab (a new slab when full). */
function floats(n: number): Float32Array {
  if (n > SLAB_FLOATS / 4) return new Float32Array(n);
  if (slabUsed + n > SLAB_FLOATS) {
    slab = new ArrayBuffer(SLAB_FLOATS * 4);
    slabUsed = 0;
  }
  const a = new Float32Array(slab, slabUsed * 4, n);
  slabUsed += n;
  return a;
}

const clip = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** The unit weights of the landed-cost feature (the `cheapest` rule's defaults). */
const UNIT_WEIGHTS = Object.freeze({ shipping: 1, handling: 1, lateness: 1 });

// Landed cost per option, grown on demand: the encoder runs once per env step, and a
// fresh array per option list showed up as young-generation garbage.
let scratchCost = new Float64Array(16);

/**
 * Reward per unit of leaving a line's unit unserved: the lost-sale penalty when the
 * order will expire before the horizon ends (else 0: it may still be served).
 */
function notServedValue(ctx: DecisionContext, d: DerivedInputs): number {
  const o = ctx.order;
  return o.patienceHours - o.hoursWaited < ctx.hoursLeft ? -d.penaltyWeight * o.lostSalePenaltyPerUnit : 0;
}

/** Units a contract order's segment still needs this period to meet its target (0 for others). */
export function contractNeed(ctx: DecisionContext): number {
  return ctx.order.contract ? positionNeed(ctx.order.contract) : 0;
}

/** Units a contract position still needs this period to meet its target on what was ordered so far. */
function positionNeed(ct: ContractPosition): number {
  const covered = Math.min(ct.orderedUnits, ct.committedUnits);
  return Math.max(0, Math.ceil(ct.fillRateTarget * covered - ct.filledUnits - 1e-9));
}

/**
 * The opportunity cost of one unit of a scarce SKU now, in reward units: the
 * model's curve read at the share of the remaining demand (forecast to the
 * horizon plus what waits) that the remaining supply (available + inbound) can
 * serve; 0 once supply covers demand or for SKUs without a curve.
 */
export function shadowPrice(curve: readonly number[] | undefined, line: LineContext, hoursLeft: number): number {
  if (!curve) return 0;
  const f = line.forecastDailyUnits;
  const demand = (f.contract + f.premium + f.standard) * (hoursLeft / 24) + line.pendingUnits.contract + line.pendingUnits.premium + line.pendingUnits.standard;
  const supply = line.networkAvailable + line.networkInbound;
  if (demand <= 0 || supply >= demand) return 0;
  const j = Math.min(curve.length - 1, Math.floor((supply / demand) * (curve.length - 1)));
  return curve[j]!;
}

/**
 * Encodes one step of a line. `taken[j]` is what this step's earlier choices (and
 * earlier lines of the same SKU) took from candidate j; `remaining` is what is
 * left to place. Every shipping mode of every candidate with stock left is an
 * option.
 */
export function encodeStep(ctx: DecisionContext, lineIndex: number, taken: readonly number[], remaining: number, derived: DerivedInputs = NO_DERIVED): EncodedStep {
  const order = ctx.order;
  const line = ctx.order.lines[lineIndex]!;
  const cands = line.candidates;
  const open: number[] = [];
  const modeIx: number[] = [];
  let netAvail = 0;
  for (let j = 0; j < cands.length; j++) {
    const left = cands[j]!.available - (taken[j] ?? 0);
    if (left <= 0) continue;
    netAvail += left;
    const ms = cands[j]!.modes;
    for (let m = 0; m < ms.length; m++) {
      open.push(j);
      modeIx.push(m);
    }
  }
  const price = Math.max(0.01, line.unitPrice);
  const K = open.length;
  const mw = derived.marginWeight;
  const pw = derived.penaltyWeight;
  const charge = mw * shadowPrice(derived.charges[line.sku], line, ctx.hoursLeft);
  if (scratchCost.length < K) scratchCost = new Float64Array(Math.max(K, 2 * scratchCost.length));
  const costs = scratchCost;
  const values: number[] = new Array<number>(K);
  for (let i = 0; i < K; i++) {
    const c = cands[open[i]!]!;
    const m = c.modes[modeIx[i]!]!;
    costs[i] = landedCost(order, c, m, UNIT_WEIGHTS);
    const lateProb = expectedLate(order, c, m) ? 1 : m.lateRisk;
    values[i] = mw * (line.unitPrice - line.unitCost - c.handlingCostPerUnit - m.costPerUnit) - pw * lateProb * order.latePenaltyPerUnit;
  }
  const out = floats(K * NC);
  let lastJ = -1;
  let ruleMode: ModeOption | undefined;
  let inboundSoon = 0;
  for (let i = 0; i < K; i++) {
    const j = open[i]!;
    const c: Candidate = cands[j]!;
    const avail = c.available - (taken[j] ?? 0);
    const m = c.modes[modeIx[i]!]!;
    if (j !== lastJ) {
      // Per candidate, not per option: the rules' mode and what lands here within a week.
      ruleMode = chooseMode(order, c);
      inboundSoon = 0;
      for (const b of c.inbound) if (b.etaHours <= 168) inboundSoon += b.quantity;
      lastJ = j;
    }
    // Rank by landed cost, ties by position, counted directly: option lists are short.
    const ci = costs[i]!;
    let rank = 0;
    for (let k = 0; k < K; k++) {
      const ck = costs[k]!;
      if (ck < ci || (ck === ci && k < i)) rank++;
    }
    const delivery = c.shipDelayHours + m.transitHours;
    const o = i * NC;
    out[o] = clip(ci / price, 0, 10);
    out[o + 1] = clip(m.costPerUnit / price, 0, 10);
    out[o + 2] = expectedLate(order, c, m) ? 1 : 0;
    out[o + 3] = clip(m.lateRisk, 0, 1);
    out[o + 4] = clip(delivery / 24, 0, 60);
    out[o + 5] = clip((order.promiseHours - order.hoursWaited - delivery) / 24, -60, 60);
    out[o + 6] = clip(c.distanceKm / 1000, 0, 25);
    out[o + 7] = avail >= remaining ? 1 : 0;
    out[o + 8] = clip(Math.log1p(avail), 0, 20);
    out[o + 9] = netAvail > 0 ? clip(avail / netAvail, 0, 1) : 0;
    out[o + 10] = clip(c.capacityLeftToday / (c.capacityLeftToday + remaining), 0, 1);
    out[o + 11] = K > 1 ? rank / (K - 1) : 0;
    out[o + 12] = rank === 0 ? 1 : 0;
    out[o + 13] = clip(Math.log1p(inboundSoon), 0, 20);
    out[o + 14] = clip(c.inventoryAgeHours / 24 / 30, 0, 20);
    out[o + 15] = order.serviceLevel !== '' && m.mode === order.serviceLevel ? 1 : 0;
    out[o + 16] = ruleMode === m ? 1 : 0;
    out[o + 17] = clip(values[i]! / price, -20, 5);
    out[o + 18] = clip((values[i]! - charge) / price, -20, 5);
  }
  return {
    open,
    modes: modeIx,
    values,
    candidates: out,
    context: encodeContext(ctx, line, remaining, K, charge, notServedValue(ctx, derived)),
  };
}

/** a / b capped to [0, 5]; 5 when there is nothing to divide by. */
const ratio = (a: number, b: number): number => (b > 0 ? clip(a / b, 0, 5) : 5);

function encodeContext(ctx: DecisionContext, line: LineContext, remaining: number, nOpen: number, charge: number, notServed: number): Float32Array {
  const order = ctx.order;
  const x = floats(NX);
  const price = Math.max(0.01, line.unitPrice);
  const cost = Math.max(0.01, line.unitCost);
  const p = line.pendingUnits;
  const f = line.forecastDailyUnits;
  const pendingAll = p.contract + p.premium + p.standard;
  const fAll = f.contract + f.premium + f.standard;
  const avail = line.networkAvailable;
  const daysLeft = ctx.hoursLeft / 24;
  x[0] = order.segmentKind === 'contract' ? 1 : 0;
  x[1] = order.segmentKind === 'premium' ? 1 : 0;
  x[2] = order.segmentKind === 'standard' ? 1 : 0;
  x[3] = order.serviceLevel ? 1 : 0;
  x[4] = clip(Math.log1p(price) / 5, 0, 5);
  x[5] = clip(price / cost - 1, -1, 20);
  x[6] = clip((price - cost) / 1000, -10, 10);
  x[7] = clip(Math.log1p(remaining), 0, 20);
  x[8] = line.quantity > 0 ? clip(1 - remaining / line.quantity, 0, 1) : 0;
  x[9] = order.patienceHours > 0 ? clip(order.hoursWaited / order.patienceHours, 0, 10) : 0;
  x[10] = clip((order.promiseHours - order.hoursWaited) / 24, -60, 60);
  x[11] = clip((order.patienceHours - order.hoursWaited) / 24, -60, 60);
  x[12] = clip(order.latePenaltyPerUnit / price, 0, 10);
  x[13] = clip(order.lostSalePenaltyPerUnit / price, 0, 10);
  const ct = order.contract;
  if (ct) {
    x[14] = clip((ct.orderedUnits > 0 ? ct.filledUnits / ct.orderedUnits : 1) - ct.fillRateTarget, -1, 1);
    x[15] = ct.committedUnits > 0 ? clip(ct.orderedUnits / ct.committedUnits, 0, 20) : 0;
    x[16] = clip(ct.shortfallPenaltyPerUnit / price, 0, 10);
    x[17] = clip(ct.hoursToPeriodEnd / 720, 0, 5);
  }
  x[18] = ratio(avail, pendingAll);
  x[19] = ratio(avail, p.contract + 7 * f.contract);
  x[20] = ratio(avail, p.contract + p.premium);
  x[21] = ratio(avail + line.networkInbound, fAll * daysLeft);
  x[22] = avail + line.networkInbound > 0 ? line.networkInbound / (avail + line.networkInbound) : 0;
  x[23] = fAll > 0 ? f.contract / fAll : 0;
  x[24] = fAll > 0 ? f.premium / fAll : 0;
  x[25] = ctx.nowHours + ctx.hoursLeft > 0 ? clip(ctx.hoursLeft / (ctx.nowHours + ctx.hoursLeft), 0, 1) : 0;
  x[26] = clip(nOpen / 10, 0, 10);
  x[27] = clip(charge / price, 0, 5);
  x[28] = clip(notServed / price, -10, 0);
  x[29] = ct && ct.committedUnits > 0 ? clip(contractNeed(ctx) / ct.committedUnits, 0, 1) : 0;
  let needAll = 0;
  for (const cp of ctx.contracts ?? []) {
    const need = positionNeed(cp);
    needAll += need;
    const frac = cp.committedUnits > 0 ? clip(need / cp.committedUnits, 0, 1) : 0;
    if (frac > x[30]!) {
      x[30] = frac;
      x[31] = clip(cp.hoursToPeriodEnd / 720, 0, 5);
    }
  }
  x[32] = needAll > 0 ? ratio(needAll, avail) : 0;
  return x;
}
