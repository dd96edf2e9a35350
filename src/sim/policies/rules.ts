import type { Candidate, LineContext, OrderContext, PendingOrderView, Policy, SegmentKind } from './contract.js';
import { chooseMode, greedyFill, isScarce, landedCost, rulesDecision, type TakenStock } from './helpers.js';

/** Raised for an unknown strategy or a bad weight; names the value. */
export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyConfigError';
  }
}

const SEGMENT_RANK: Record<SegmentKind, number> = { contract: 0, premium: 1, standard: 2 };

/** Weights shared by the cost-aware rules. */
export interface CostWeights {
  /** Weight of shipping cost per unit. */
  shipping: number;
  /** Weight of warehouse handling cost per unit. */
  handling: number;
  /** Weight of the expected late penalty per unit. */
  lateness: number;
  /** Allow a line to be split across warehouses. */
  split: number;
}

const COST_DEFAULTS: CostWeights = { shipping: 1, handling: 1, lateness: 1, split: 1 };

/** The landed-cost score of the cost-aware rules, made once per policy. */
function costScore(w: CostWeights) {
  return (_l: LineContext, c: Candidate, order: OrderContext) => landedCost(order, c, chooseMode(order, c), w);
}

/** The fill of rules that take each line whole (or split) up to its quantity. */
function fillWhole(split: boolean) {
  return (l: LineContext, costs: readonly number[], order: OrderContext, taken: TakenStock) => greedyFill(order, l, costs, l.quantity, split, taken);
}

/** `nearest`: every line from the closest warehouse with stock, splitting to the next closest. */
export function nearest(weights: Partial<{ split: number }> = {}): Policy {
  const w = { split: 1, ...weights };
  const cost = (_l: LineContext, c: Candidate) => c.distanceKm;
  const fill = fillWhole(w.split > 0);
  return {
    name: 'nearest',
    decide(ctx) {
      return rulesDecision('nearest', ctx, cost, fill);
    },
  };
}

/** `cheapest`: lowest landed cost (shipping + handling + expected late penalty). */
export function cheapest(weights: Partial<CostWeights> = {}): Policy {
  const w = { ...COST_DEFAULTS, ...weights };
  const cost = costScore(w);
  const fill = fillWhole(w.split > 0);
  return {
    name: 'cheapest',
    decide(ctx) {
      return rulesDecision('cheapest', ctx, cost, fill);
    },
  };
}

export interface PriorityWeights extends CostWeights {
  /** Weight of margin at stake when ranking orders of one segment (per currency unit). */
  margin: number;
}

/**
 * `priority`: each wave serves contract orders first, then premium, then standard,
 * and within a segment the orders with most margin at stake; lines by landed cost.
 */
export function priority(weights: Partial<PriorityWeights> = {}): Policy {
  const w = { ...COST_DEFAULTS, margin: 1, ...weights };
  const cost = costScore(w);
  const fill = fillWhole(w.split > 0);
  return {
    name: 'priority',
    rank(o: PendingOrderView) {
      // Segment dominates; margin (bounded into (0, 1)) orders within a segment.
      return SEGMENT_RANK[o.segmentKind] + 1 / (2 + Math.max(0, w.margin * o.marginAtStake));
    },
    decide(ctx) {
      return rulesDecision('priority', ctx, cost, fill);
    },
  };
}

export interface FairShareWeights extends CostWeights {
  contract: number;
  premium: number;
  standard: number;
}

/**
 * `fair-share`: when a SKU's waiting demand exceeds the network's available stock,
 * each order gets a ration proportional to its quantity × its segment's weight:
 * available × w_seg / Σ_k (w_k × pending_k) per unit. Offered in sequence, this
 * rations scarce stock proportionally across segments; with plenty it is `cheapest`.
 */
export function fairShare(weights: Partial<FairShareWeights> = {}): Policy {
  const w = { ...COST_DEFAULTS, contract: 1, premium: 1, standard: 1, ...weights };
  const cost = costScore(w);
  const fill = (l: LineContext, costs: readonly number[], order: OrderContext, taken: TakenStock) => {
    let limit = l.quantity;
    const networkLeft = taken.networkLeft(l);
    if (isScarce(l, networkLeft)) {
      const p = l.pendingUnits;
      const weighted = w.contract * p.contract + w.premium * p.premium + w.standard * p.standard;
      const share = weighted > 0 ? (networkLeft * w[order.segmentKind]) / weighted : 1;
      // Round to the nearest unit but give at least one when any share is due,
      // so small orders are not starved by rounding.
      limit = Math.min(l.quantity, Math.max(share > 0 ? 1 : 0, Math.round(l.quantity * share)));
    }
    return greedyFill(order, l, costs, limit, w.split > 0, taken);
  };
  return {
    name: 'fair-share',
    decide(ctx) {
      return rulesDecision('fair-share', ctx, cost, fill);
    },
  };
}

export interface ReserveWeights extends CostWeights {
  /** Days of forecast contract demand protected from other segments. */
  protectDays: number;
  /** Fraction of the protected stock premium orders may still use (0..1). */
  premiumAccess: number;
}

/**
 * `reserve`: a protection level per SKU — `protectDays` of forecast contract
 * demand plus contract units already waiting — is held back from premium and
 * standard orders (premium may dip into `premiumAccess` of it). Contract orders
 * take anything. Lines by landed cost.
 */
export function reserve(weights: Partial<ReserveWeights> = {}): Policy {
  const w = { ...COST_DEFAULTS, protectDays: 7, premiumAccess: 0, ...weights };
  const cost = costScore(w);
  const fill = (l: LineContext, costs: readonly number[], order: OrderContext, taken: TakenStock) => {
    const kind = order.segmentKind;
    let limit = l.quantity;
    if (kind !== 'contract') {
      const protect = Math.ceil(w.protectDays * l.forecastDailyUnits.contract + l.pendingUnits.contract);
      const held = kind === 'premium' ? protect * (1 - Math.min(1, Math.max(0, w.premiumAccess))) : protect;
      limit = Math.max(0, Math.min(l.quantity, Math.floor(taken.networkLeft(l) - held)));
    }
    return greedyFill(order, l, costs, limit, w.split > 0, taken);
  };
  return {
    name: 'reserve',
    rank(o: PendingOrderView) {
      return o.segmentKind === 'contract' ? 0 : 1;
    },
    decide(ctx) {
      return rulesDecision('reserve', ctx, cost, fill);
    },
  };
}

type Factory = (weights: Record<string, number>) => Policy;

const RULES: Record<string, { make: Factory; weights: Record<string, number>; doc: string }> = {
  nearest: { make: nearest, weights: { split: 1 }, doc: 'closest warehouse with stock first' },
  cheapest: { make: cheapest, weights: { ...COST_DEFAULTS }, doc: 'lowest landed cost (shipping + handling + expected late penalty)' },
  priority: { make: priority, weights: { ...COST_DEFAULTS, margin: 1 }, doc: 'contract > premium > standard, then margin; lines by landed cost' },
  'fair-share': {
    make: fairShare,
    weights: { ...COST_DEFAULTS, contract: 1, premium: 1, standard: 1 },
    doc: 'proportional rationing of scarce stock across segments',
  },
  reserve: {
    make: reserve,
    weights: { ...COST_DEFAULTS, protectDays: 7, premiumAccess: 0 },
    doc: 'protection levels held back for contract demand',
  },
};

/** Names of the rule strategies. */
export const RULE_NAMES: readonly string[] = Object.keys(RULES);

/** Short description and default weights of every rule strategy. */
export function describeRules(): { name: string; doc: string; weights: Record<string, number> }[] {
  return RULE_NAMES.map((name) => ({ name, doc: RULES[name]!.doc, weights: { ...RULES[name]!.weights } }));
}

/**
 * Creates a rule strategy by name with optional weights. Unknown names or weights,
 * and non-finite or negative weights, raise `PolicyConfigError`.
 */
export function createRulePolicy(name: string, weights: Record<string, number> = {}): Policy {
  const rule = RULES[name];
  if (!rule) throw new PolicyConfigError(`unknown strategy "${name}" (rules: ${RULE_NAMES.join(', ')}; or rl:models/<name>)`);
  for (const [k, v] of Object.entries(weights)) {
    if (!(k in rule.weights)) throw new PolicyConfigError(`strategy ${name}: unknown weight "${k}" (weights: ${Object.keys(rule.weights).join(', ')})`);
    if (!Number.isFinite(v) || v < 0) throw new PolicyConfigError(`strategy ${name}: weight ${k}(=${v}) must be a finite number >= 0`);
  }
  return rule.make(weights);
}

/** Parses "a=1,b=2" into weights; errors name the bad part. */
export function parseWeights(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!text.trim()) return out;
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][\w-]*)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new PolicyConfigError(`weights: "${part}" must look like name=number`);
    const v = Number(m[2]);
    if (!Number.isFinite(v)) throw new PolicyConfigError(`weights: ${m[1]}(=${m[2]}) must be a number`);
    out[m[1]!] = v;
  }
  return out;
}

