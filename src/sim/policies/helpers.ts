import type { Allocation, Candidate, Decision, DecidedBy, DecisionContext, LineContext, LineDecision, ModeOption, OrderContext } from './contract.js';

/**
 * The mode a rule ships by: the customer's paid service level when offered;
 * otherwise the cheapest mode expected to meet the promise; otherwise the fastest.
 */
export function chooseMode(order: OrderContext, c: Candidate): ModeOption {
  if (order.serviceLevel) {
    for (const m of c.modes) if (m.mode === order.serviceLevel) return m;
  }
  const budget = order.promiseHours - order.hoursWaited - c.shipDelayHours;
  let cheapestOnTime: ModeOption | undefined;
  let fastest = c.modes[0]!;
  for (const m of c.modes) {
    if (m.transitHours <= budget && (!cheapestOnTime || m.costPerUnit < cheapestOnTime.costPerUnit)) cheapestOnTime = m;
    if (m.transitHours < fastest.transitHours) fastest = m;
  }
  return cheapestOnTime ?? fastest;
}

/** True when shipping from `c` by `m` is expected to arrive after the promise. */
export function expectedLate(order: OrderContext, c: Candidate, m: ModeOption): boolean {
  return order.hoursWaited + c.shipDelayHours + m.transitHours > order.promiseHours;
}

/**
 * Landed cost per unit of serving a line from a candidate: shipping, handling and
 * the expected late penalty (carrier risk, or certain lateness when the promise
 * cannot be met), each with a weight.
 */
export function landedCost(
  order: OrderContext,
  c: Candidate,
  m: ModeOption,
  w: { shipping: number; handling: number; lateness: number },
): number {
  const lateProb = expectedLate(order, c, m) ? 1 : m.lateRisk;
  return w.shipping * m.costPerUnit + w.handling * c.handlingCostPerUnit + w.lateness * lateProb * order.latePenaltyPerUnit;
}

/** greedyFill's candidate order, grown on demand. */
let fillOrder = new Int32Array(16);

/**
 * Greedy fill of one line: takes candidates in ascending `costs` order (one cost
 * per candidate, lower is better) and allocates up to `limit` units, splitting
 * across warehouses when `split` allows.
 */
export function greedyFill(
  order: OrderContext,
  line: LineContext,
  costs: readonly number[],
  limit: number,
  split: boolean,
): LineDecision {
  const cands = line.candidates;
  const n = cands.length;
  // Candidates by ascending cost, ties by warehouse id: an insertion sort, since
  // lists are short and Array.prototype.sort allocates a work array per call. The
  // order lives in a module scratch array (greedyFill never re-enters itself).
  if (fillOrder.length < n) fillOrder = new Int32Array(Math.max(n, 2 * fillOrder.length));
  const idx = fillOrder;
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j > 0) {
      const b = idx[j - 1]!;
      const d = costs[i]! - costs[b]!;
      if (d > 0 || (d === 0 && cands[i]!.warehouse > cands[b]!.warehouse)) break;
      idx[j] = b;
      j--;
    }
    idx[j] = i;
  }
  let want = Math.max(0, Math.min(line.quantity, Math.floor(limit)));
  if (!split) {
    // Whole line from one warehouse when one can; otherwise the best partial.
    let pick = -1;
    for (let k = 0; k < n && pick < 0; k++) if (cands[idx[k]!]!.available >= want) pick = idx[k]!;
    if (pick < 0 && n > 0) pick = idx[0]!;
    if (pick >= 0 && want > 0) {
      const c = cands[pick]!;
      const q = Math.min(want, c.available);
      return { allocations: [{ warehouse: c.warehouse, quantity: q, mode: chooseMode(order, c).mode }], backordered: line.quantity - q };
    }
    return { allocations: [], backordered: line.quantity };
  }
  // Split: first how many warehouses take part, so the list is made at its size.
  let parts = 0;
  for (let k = 0, left = want; k < n && left > 0; k++) {
    const q = Math.min(left, cands[idx[k]!]!.available);
    if (q <= 0) continue;
    parts++;
    left -= q;
  }
  const allocations = new Array<Allocation>(parts);
  let placed = 0;
  for (let k = 0, a = 0; k < n && want > 0; k++) {
    const c = cands[idx[k]!]!;
    const q = Math.min(want, c.available);
    if (q <= 0) continue;
    allocations[a++] = { warehouse: c.warehouse, quantity: q, mode: chooseMode(order, c).mode };
    want -= q;
    placed += q;
  }
  return { allocations, backordered: line.quantity - placed };
}

/**
 * Builds a rules decision: `cost` scores every candidate of every line once (lower
 * is better); `fill` turns a line and its costs into allocations. Scores in the
 * decision are the negated costs, so higher is better as the contract says.
 * `cost` and `fill` get the order so a rule can make them once, not per decision.
 */
export function rulesDecision(
  name: string,
  ctx: DecisionContext,
  cost: (line: LineContext, c: Candidate, order: OrderContext) => number,
  fill: (line: LineContext, costs: readonly number[], order: OrderContext) => LineDecision,
): Decision {
  const order = ctx.order;
  const n = order.lines.length;
  // Arrays of their final length: a push-grown array reserves 17 slots.
  const lines = new Array<LineDecision>(n);
  const scores = new Array<number[]>(n);
  for (let li = 0; li < n; li++) {
    const l = order.lines[li]!;
    const cands = l.candidates;
    const costs = new Array<number>(cands.length);
    for (let i = 0; i < cands.length; i++) costs[i] = cost(l, cands[i]!, order);
    lines[li] = fill(l, costs, order);
    // The costs become the scores, negated in place: higher is better on the wire.
    for (let i = 0; i < costs.length; i++) costs[i] = -costs[i]!;
    scores[li] = costs;
  }
  return { lines, scores, propensity: 1, decidedBy: decidedByRules(name) };
}

const RULES_BY_NAME = new Map<string, DecidedBy>();

/** The shared, frozen `decidedBy` of a rule strategy. */
function decidedByRules(name: string): DecidedBy {
  let d = RULES_BY_NAME.get(name);
  if (!d) {
    d = Object.freeze({ kind: 'rules', name }) as DecidedBy;
    RULES_BY_NAME.set(name, d);
  }
  return d;
}

/** Network units that could serve this order's segment soon: available now. */
export function isScarce(line: LineContext): boolean {
  const p = line.pendingUnits;
  return p.contract + p.premium + p.standard > line.networkAvailable;
}
