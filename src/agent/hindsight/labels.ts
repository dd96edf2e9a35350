import { EntryKind } from '../../sim/ledger.js';
import type { SimResult } from '../../sim/index.js';
import type { World } from '../../sim/model/world.js';
import type { DecisionContext } from '../../sim/policies/contract.js';
import { contractNeed, type EncodedStep } from '../features/encoder.js';

/**
 * Hindsight opportunity costs. Demand in allocsim is exogenous: on one seed every
 * strategy sees the same orders (common random numbers). So once a seed has been
 * played, its whole order stream is known, and at any moment of a later episode on
 * that seed the value of one more unit of a scarce SKU can be read off the
 * future: the unit margin of the last unit the network's remaining supply (on hand
 * and inbound) would serve if it went to the most valuable future demand — the bid
 * price of the single-resource hindsight problem. With hard contracts, the future
 * contract units each period's commitment covers (target × the ordered units up to
 * the committed volume, first come first) rank first. Of the orders already
 * waiting only contract units count, at the contract kind's mean margin: the other
 * waiting orders are the ones a policy has passed over so far and walk away soon,
 * so counting them would overstate demand.
 */
export class HindsightPrices {
  /** Per SKU: arrival hours ascending, units and unit margins (Infinity: covered by a hard commitment). */
  private readonly times = new Map<number, Float64Array>();
  private readonly units = new Map<number, Float64Array>();
  private readonly margins = new Map<number, Float64Array>();
  /** Per (SKU, query hour): future margins descending with cumulative units. */
  private readonly cache = new Map<string, { m: Float64Array; cum: Float64Array }>();
  /** Per SKU: mean unit margin of contract demand on the seed. */
  private readonly contractMean = new Map<number, number>();

  constructor(
    world: World,
    played: SimResult,
    private readonly scarce: ReadonlySet<number>,
    hardContracts: boolean,
  ) {
    const L = played.ledger;
    const segs = world.scenario.segments;
    // Contract units ordered per (segment, period), to mark what a commitment covers.
    const periodOf = (g: number, t: number) => Math.floor(t / (segs[g]!.contract!.periodDays * 24));
    const orderedIn = new Map<string, number>();
    for (let i = 0; i < L.length; i++) {
      if (L.kind[i] !== EntryKind.ORDER || !segs[L.segment[i]!]!.contract) continue;
      const key = `${L.segment[i]} ${periodOf(L.segment[i]!, L.time[i]!)}`;
      orderedIn.set(key, (orderedIn.get(key) ?? 0) + L.qty[i]!);
    }
    const seenIn = new Map<string, number>();
    const rows = new Map<number, [number, number, number][]>();
    const sums = new Map<number, [number, number]>();
    for (let i = 0; i < L.length; i++) {
      if (L.kind[i] !== EntryKind.ORDER) continue;
      const s = L.sku[i]!;
      const q = L.qty[i]!;
      if (!scarce.has(s) || q <= 0) continue;
      const m = L.amount[i]! / q - world.skus[s]!.unitCost;
      let covered = false;
      const ct = segs[L.segment[i]!]!.contract;
      if (ct && hardContracts) {
        const key = `${L.segment[i]} ${periodOf(L.segment[i]!, L.time[i]!)}`;
        const before = seenIn.get(key) ?? 0;
        seenIn.set(key, before + q);
        covered = before < ct.fillRateTarget * Math.min(ct.committedUnitsPerPeriod, orderedIn.get(key) ?? 0);
      }
      if (ct) {
        const [a, b] = sums.get(s) ?? [0, 0];
        sums.set(s, [a + m * q, b + q]);
      }
      let r = rows.get(s);
      if (!r) rows.set(s, (r = []));
      r.push([L.time[i]!, q, covered ? Infinity : m]);
    }
    for (const [s, [a, b]] of sums) this.contractMean.set(s, b > 0 ? a / b : 0);
    for (const [s, r] of rows) {
      r.sort((a, b) => a[0] - b[0]);
      this.times.set(s, Float64Array.from(r, (x) => x[0]));
      this.units.set(s, Float64Array.from(r, (x) => x[1]));
      this.margins.set(s, Float64Array.from(r, (x) => x[2]));
    }
  }

  /**
   * The hindsight margin of one more unit of SKU `s` at `hour`, with `supply`
   * units left in the network (on hand and inbound) and `pendingContract`
   * contract units waiting: 0 when not scarce or when the demand to come is
   * smaller; Infinity when commitments alone take it all.
   */
  price(s: number, hour: number, supply: number, pendingContract: number): number {
    if (!this.scarce.has(s)) return 0;
    const t = this.times.get(s);
    if (!t) return 0;
    const ck = `${s} ${hour}`;
    let f = this.cache.get(ck);
    if (!f) {
      let lo = 0;
      let hi = t.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (t[mid]! <= hour) lo = mid + 1;
        else hi = mid;
      }
      const mg = this.margins.get(s)!;
      const un = this.units.get(s)!;
      const idx = Array.from({ length: t.length - lo }, (_, i) => lo + i).sort((a, b) => desc(mg[a]!, mg[b]!));
      const m = Float64Array.from(idx, (i) => mg[i]!);
      const cum = new Float64Array(m.length);
      let c = 0;
      for (let i = 0; i < m.length; i++) cum[i] = c += un[idx[i]!]!;
      f = { m, cum };
      this.cache.set(ck, f);
    }
    const pm = this.contractMean.get(s) ?? 0;
    // Units worth at least v: future units with margin ≥ v, plus the waiting contract units when their mean is ≥ v.
    const above = (v: number) => {
      let lo = 0;
      let hi = f!.m.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (f!.m[mid]! >= v) lo = mid + 1;
        else hi = mid;
      }
      return (lo > 0 ? f!.cum[lo - 1]! : 0) + (pm >= v ? pendingContract : 0);
    };
    if (above(-Infinity) <= supply) return 0;
    // The S-th most valuable unit: the largest value v with at least S units worth ≥ v.
    let best = -Infinity;
    let lo = 0;
    let hi = f.m.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (above(f.m[mid]!) >= supply) {
        best = f.m[mid]!;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    if (pm > best && above(pm) >= supply) best = pm;
    return Math.max(0, best);
  }
}

/** Per-option hindsight values of a step, and defer's (the last entry). */
export function hindsightValues(
  step: EncodedStep,
  ctx: DecisionContext,
  line: number,
  skuIndex: number,
  prices: Pick<HindsightPrices, 'price'>,
  marginWeight: number,
  penaltyWeight: number,
  hardContracts: boolean,
): Float64Array {
  const l = ctx.order.lines[line]!;
  const n = step.open.length;
  const q = new Float64Array(n + 1);
  const contract = hardContracts && ctx.order.segmentKind === 'contract';
  const mustServe = contract && contractNeed(ctx) > 0;
  const margin = marginWeight * (l.unitPrice - l.unitCost);
  // Options come grouped by candidate (one per mode).
  for (let k = 0; k < n; ) {
    const j = step.open[k]!;
    let end = k;
    let cheapest = Infinity;
    while (end < n && step.open[end] === j) cheapest = Math.min(cheapest, margin - step.values[end++]!);
    const lambda = prices.price(skuIndex, ctx.nowHours, l.networkAvailable + l.networkInbound, l.pendingUnits.contract);
    // The marginal unit also pays to ship: charge the margin it adds beyond the cheapest way to ship from here.
    const charge = mustServe || lambda === 0 ? 0 : lambda === Infinity ? (contract ? 0 : Infinity) : Math.max(0, marginWeight * lambda - Math.max(0, cheapest));
    for (; k < end; k++) q[k] = step.values[k]! - charge;
  }
  // A unit left unserved is, in hindsight, a lost sale: serving it later is only worth more if stock is scarce, and that is the charge.
  q[n] = mustServe ? -Infinity : -penaltyWeight * ctx.order.lostSalePenaltyPerUnit;
  return q;
}

/** Descending order that also holds for infinities (covered contract units rank first). */
function desc(x: number, y: number): number {
  return y > x ? 1 : y < x ? -1 : 0;
}
