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

/**
 * Units that earlier lines of one decision already took, per SKU × warehouse.
 * Every line of a context shows the same stock, so a later line of the same SKU
 * may use only `left(line, candidate)`; decision makers record each line's
 * allocations with `take`. Orders have few lines: a flat list, searched linearly.
 */
export class TakenStock {
  private skus: string[] = [];
  private warehouses: string[] = [];
  private units: number[] = [];

  /** Forgets everything taken (a new decision). */
  clear(): void {
    if (this.units.length === 0) return;
    this.skus.length = 0;
    this.warehouses.length = 0;
    this.units.length = 0;
  }

  /** Records `quantity` units of `sku` taken from `warehouse`. */
  take(sku: string, warehouse: string, quantity: number): void {
    const n = this.units.length;
    for (let i = 0; i < n; i++) {
      if (this.skus[i] === sku && this.warehouses[i] === warehouse) {
        this.units[i]! += quantity;
        return;
      }
    }
    this.skus.push(sku);
    this.warehouses.push(warehouse);
    this.units.push(quantity);
  }

  /** Records every allocation of a line. */
  takeLine(sku: string, d: LineDecision): void {
    for (const a of d.allocations) this.take(sku, a.warehouse, a.quantity);
  }

  /** Units of `sku` taken from `warehouse` so far. */
  at(sku: string, warehouse: string): number {
    const n = this.units.length;
    for (let i = 0; i < n; i++) if (this.skus[i] === sku && this.warehouses[i] === warehouse) return this.units[i]!;
    return 0;
  }

  /** Units of `sku` taken anywhere so far. */
  ofSku(sku: string): number {
    let q = 0;
    const n = this.units.length;
    for (let i = 0; i < n; i++) if (this.skus[i] === sku) q += this.units[i]!;
    return q;
  }

  /** What `c` still offers to a line of `line.sku`. */
  left(line: LineContext, c: Candidate): number {
    return this.units.length === 0 ? c.available : Math.max(0, c.available - this.at(line.sku, c.warehouse));
  }

  /** The network's available units of the line's SKU, less what earlier lines took. */
  networkLeft(line: LineContext): number {
    return this.units.length === 0 ? line.networkAvailable : Math.max(0, line.networkAvailable - this.ofSku(line.sku));
  }
}

/** greedyFill's candidate order and what each candidate still offers, grown on demand. */
let fillOrder = new Int32Array(16);
let fillLeft = new Float64Array(16);

/**
 * Greedy fill of one line: takes candidates in ascending `costs` order (one cost
 * per candidate, lower is better) and allocates up to `limit` units, splitting
 * across warehouses when `split` allows. `taken`: what earlier lines of the
 * decision took, which this line cannot use.
 */
export function greedyFill(
  order: OrderContext,
  line: LineContext,
  costs: readonly number[],
  limit: number,
  split: boolean,
  taken?: TakenStock,
): LineDecision {
  const cands = line.candidates;
  const n = cands.length;
  if (fillLeft.length < n) fillLeft = new Float64Array(Math.max(n, 2 * fillLeft.length));
  const left = fillLeft;
  for (let i = 0; i < n; i++) left[i] = taken ? taken.left(line, cands[i]!) : cands[i]!.available;
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
    for (let k = 0; k < n && pick < 0; k++) if (left[idx[k]!]! >= want) pick = idx[k]!;
    for (let k = 0; k < n && pick < 0; k++) if (left[idx[k]!]! > 0) pick = idx[k]!;
    const q = pick >= 0 ? Math.min(want, left[pick]!) : 0;
    if (q > 0) {
      const c = cands[pick]!;
      return { allocations: [{ warehouse: c.warehouse, quantity: q, mode: chooseMode(order, c).mode }], backordered: line.quantity - q };
    }
    return { allocations: [], backordered: line.quantity };
  }
  // Split: first how many warehouses take part, so the list is made at its size.
  let parts = 0;
  for (let k = 0, rest = want; k < n && rest > 0; k++) {
    const q = Math.min(rest, left[idx[k]!]!);
    if (q <= 0) continue;
    parts++;
    rest -= q;
  }
  const allocations = new Array<Allocation>(parts);
  let placed = 0;
  for (let k = 0, a = 0; k < n && want > 0; k++) {
    const c = cands[idx[k]!]!;
    const q = Math.min(want, left[idx[k]!]!);
    if (q <= 0) continue;
    allocations[a++] = { warehouse: c.warehouse, quantity: q, mode: chooseMode(order, c).mode };
    want -= q;
    placed += q;
  }
  return { allocations, backordered: line.quantity - placed };
}

/** The stock earlier lines took, for `rulesDecision` (which never re-enters itself). */
const rulesTaken = new TakenStock();

/**
 * Builds a rules decision: `cost` scores every candidate of every line once (lower
 * is better); `fill` turns a line and its costs into allocations, using only what
 * earlier lines left (`taken`). Scores in the decision are the negated costs, so
 * higher is better as the contract says. `cost` and `fill` get the order so a rule
 * can make them once, not per decision.
 */
export function rulesDecision(
  name: string,
  ctx: DecisionContext,
  cost: (line: LineContext, c: Candidate, order: OrderContext) => number,
  fill: (line: LineContext, costs: readonly number[], order: OrderContext, taken: TakenStock) => LineDecision,
): Decision {
  const order = ctx.order;
  const n = order.lines.length;
  const taken = rulesTaken;
  taken.clear();
  // Arrays of their final length: a push-grown array reserves 17 slots.
  const lines = new Array<LineDecision>(n);
  const scores = new Array<number[]>(n);
  for (let li = 0; li < n; li++) {
    const l = order.lines[li]!;
    const cands = l.candidates;
    const costs = new Array<number>(cands.length);
    for (let i = 0; i < cands.length; i++) costs[i] = cost(l, cands[i]!, order);
    const d = fill(l, costs, order, taken);
    lines[li] = d;
    if (li + 1 < n) taken.takeLine(l.sku, d);
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

/** Waiting demand of the line's SKU exceeds the network's available units (`available`, default the line's). */
export function isScarce(line: LineContext, available = line.networkAvailable): boolean {
  const p = line.pendingUnits;
  return p.contract + p.premium + p.standard > available;
}
