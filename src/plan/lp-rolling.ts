import type { Highs } from 'highs';
import type { World } from '../sim/model/world.js';
import type { ContractMode } from '../sim/scenario/index.js';
import type { Allocation, Candidate, ContractPosition, Decision, DecisionContext, LineDecision, OrderContext, PendingOrderView, Policy } from '../sim/policies/contract.js';
import { planForecast, type ForecastSource } from './forecast-source.js';
import { LinearProgram, loadHighs, PlanError } from './lp.js';

/** Settings of the rolling-horizon LP strategy. */
export interface LpRollingOptions {
  /** Look-ahead of each plan, days. */
  windowDays: number;
  /** Share of forecast demand the plan counts on (hedges against forecast error), 0..1. */
  forecastWeight: number;
  /** Demand expectations; the scenario's demand plan when absent. */
  forecast?: ForecastSource;
  /** Horizon override, days (informational: contexts carry hours left). */
  days?: number;
  /** Contract commitments as constraints (`hard`) or prices (`soft`); default the scenario's `contracts`. */
  contracts?: ContractMode;
}

export const LP_ROLLING_DEFAULTS: Readonly<Pick<LpRollingOptions, 'windowDays' | 'forecastWeight'>> = { windowDays: 7, forecastWeight: 0.8 };

/** Parses "window=7,weight=0.8"; errors name the bad key or value. */
export function parseLpRollingOptions(text: string): Partial<LpRollingOptions> {
  const out: Partial<LpRollingOptions> = {};
  if (!text.trim()) return out;
  for (const part of text.split(',')) {
    const m = /^\s*(window|weight)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new PlanError(`lp-rolling: "${part}" must be window=<days> or weight=<0..1>`);
    const v = Number(m[2]);
    if (m[1] === 'window') {
      if (!(v > 0) || !Number.isFinite(v)) throw new PlanError(`lp-rolling: window(=${m[2]}) must be a number of days > 0`);
      out.windowDays = v;
    } else {
      if (!(v >= 0 && v <= 1)) throw new PlanError(`lp-rolling: weight(=${m[2]}) must be between 0 and 1`);
      out.forecastWeight = v;
    }
  }
  return out;
}

interface BookEntry {
  r: number;
  g: number;
  created: number;
  remaining: number;
  price: number;
}

/** Standard normal 95% quantile: hard contracts plan for this quantile of the contract demand to come. */
const SAFETY_Z = 1.645;

/** One contract period's requirement on a plan (see `contractNeeds`). */
interface ContractNeed {
  /** The period: allocations at (start, end] count in it (the current period: everything up to end). */
  start: number;
  end: number;
  /** Units the window's columns and the hold must cover together. */
  need: number;
  /** Most units that may be held back for the period's demand after the window. */
  hold: number;
  current: boolean;
}

interface Plan {
  time: number;
  /** Units each warehouse may give each class this wave: [(w * R + r) * G + g]. */
  quota: Float64Array;
  /** Planned value per unit of (w, r, g), to order candidates. */
  value: Float64Array;
}

/**
 * `lp-rolling`: the optimisation baseline of industrial allocation systems. For
 * SKUs whose supply is scheduled (not replenished), each wave re-plans over a
 * look-ahead window: a small LP shares the stock on hand and the inbound due in
 * the window between the orders waiting now and the demand forecast to arrive,
 * by region and segment, maximising margin plus the penalties avoided (lost
 * sales, contract shortfall). The wave then serves waiting orders up to the
 * plan's quotas; the rest waits for the next plan. Replenished SKUs are served
 * by landed value, and an order whose best landed value is below the cost of
 * not serving it is left unserved.
 *
 * Contracts `hard` (the scenario's default): each plan also reserves what every contract
 * segment still needs in each period to the horizon, as far as supply allows — a row per
 * period "contract units served in it + stock held back for it ≥ the commitment still open", whose slack the solve
 * first minimises (see `contractNeeds`) — contract orders go first in a wave and are served
 * even at a loss, and other segments leave a replenishment cycle of contract demand on the
 * shelf of a replenished SKU. `soft`: the shortfall penalty is only a price in the unit values.
 *
 * Unlike the rules it keeps state between calls (its book of waiting orders and
 * the wave's plan), so it is a simulation strategy: asked twice about one order
 * at one moment it answers the same, but its answers depend on what it saw before.
 */
export async function createLpRollingPolicy(world: World, options: Partial<LpRollingOptions> = {}): Promise<Policy> {
  const highs = await loadHighs();
  return new LpRolling(world, { ...LP_ROLLING_DEFAULTS, ...options }, highs);
}

class LpRolling implements Policy {
  readonly name = 'lp-rolling';
  private readonly s: World['scenario'];
  private readonly W: number;
  private readonly R: number;
  private readonly G: number;
  private readonly forecast: ForecastSource;
  private readonly books = new Map<number, Map<string, BookEntry>>();
  private readonly plans = new Map<number, Plan>();
  private readonly contracts: (ContractPosition | undefined)[];
  /** Units allocated to each contract segment since its position was last seen. */
  private readonly contractSince: Float64Array;
  /** Hour each contract segment's position was last seen. */
  private readonly contractSeenAt: Float64Array;
  private readonly hard: boolean;
  /** Hard contracts: days of forecast contract demand a replenished SKU's stock is protected for (a replenishment cycle). */
  private readonly protectDays: number;
  rank?: (order: PendingOrderView) => number;
  /** Contract order lines seen, and their units seen and allocated per segment × SKU: the fill the other SKUs get. */
  private readonly contractLinesSeen = new Set<string>();
  private readonly contractSeenUnits: Float64Array;
  private readonly contractFilledUnits: Float64Array;

  constructor(
    private readonly world: World,
    private readonly opts: LpRollingOptions,
    private readonly highs: Highs,
  ) {
    this.s = world.scenario;
    this.W = this.s.warehouses.length;
    this.R = this.s.regions.length;
    this.G = this.s.segments.length;
    this.forecast = opts.forecast ?? planForecast(world);
    this.contracts = this.s.segments.map(() => undefined);
    this.contractSince = new Float64Array(this.G);
    this.contractSeenAt = new Float64Array(this.G);
    this.hard = (opts.contracts ?? this.s.contracts) === 'hard';
    // Hard contracts: contract orders are offered first in a wave.
    if (this.hard) this.rank = (o: PendingOrderView) => (o.segmentKind === 'contract' ? 0 : 1);
    const rp = this.s.replenishment;
    this.protectDays = (rp.leadTimeHours + (rp.review === 'periodic' ? rp.reviewHours : 0)) / 24;
    this.contractSeenUnits = new Float64Array(this.G * world.skus.length);
    this.contractFilledUnits = new Float64Array(this.G * world.skus.length);
  }

  decide(ctx: DecisionContext): Decision {
    // Asked again about the same order at the same moment and offer: the same answer, and no quota spent twice.
    const o = ctx.order;
    let sig = o.lines.length;
    for (const l of o.lines) {
      sig = sig * 31 + l.quantity;
      for (const c of l.candidates) sig = (sig * 31 + c.available * 7 + c.warehouse.length) % 1e15;
    }
    const again = this.answered.get(o.id);
    if (again && again.time === ctx.nowHours && again.sig === sig) return structuredClone(again.decision);
    const decision = this.decideOnce(ctx);
    if (this.answeredAt !== ctx.nowHours) {
      this.answered.clear();
      this.answeredAt = ctx.nowHours;
    }
    this.answered.set(o.id, { time: ctx.nowHours, sig, decision });
    return decision;
  }

  private readonly answered = new Map<string, { time: number; sig: number; decision: Decision }>();
  private answeredAt = NaN;

  private decideOnce(ctx: DecisionContext): Decision {
    const o = ctx.order;
    const r = this.world.regionIndex.get(o.region)!;
    const g = this.world.segmentIndex.get(o.segment)!;
    if (o.contract) {
      this.contracts[g] = { ...o.contract };
      this.contractSince[g] = 0;
      this.contractSeenAt[g] = ctx.nowHours;
    }
    const lines: LineDecision[] = [];
    o.lines.forEach((l, li) => {
      const k = this.world.skuIndex.get(l.sku)!;
      const notServed = this.notServedValue(ctx, g);
      if (this.world.skus[k]!.replenish) {
        // Hard contracts: other segments leave the contract demand of one replenishment cycle (and what
        // contract orders wait for) on the shelf, so stockouts fall on them, not on the commitment.
        let limit = l.quantity;
        if (this.hard && o.segmentKind !== 'contract' && this.s.segments.some((x) => x.contract)) {
          const protect = Math.ceil(this.protectDays * l.forecastDailyUnits.contract + l.pendingUnits.contract);
          limit = Math.max(0, Math.min(l.quantity, Math.floor(l.networkAvailable - protect)));
        }
        const d = this.fill(limit, l.candidates, (c) => this.bestMode(o, c, l.unitPrice, l.unitCost), notServed, () => Infinity);
        lines.push({ ...d, backordered: d.backordered + l.quantity - limit });
        return;
      }
      let book = this.books.get(k);
      if (!book) this.books.set(k, (book = new Map()));
      const key = `${o.id}#${li}`;
      book.set(key, { r, g, created: o.createdHours, remaining: l.quantity, price: l.unitPrice });
      const plan = this.ensurePlan(k, ctx, l.pendingUnits);
      const quotaOf = (c: Candidate) => {
        const q = plan.quota[(this.world.warehouseIndex.get(c.warehouse)! * this.R + r) * this.G + g]!;
        return Math.max(0, Math.round(q));
      };
      const d = this.fill(l.quantity, l.candidates, (c) => this.bestMode(o, c, l.unitPrice, l.unitCost), notServed, quotaOf);
      for (const a of d.allocations) plan.quota[(this.world.warehouseIndex.get(a.warehouse)! * this.R + r) * this.G + g]! -= a.quantity;
      book.get(key)!.remaining = d.backordered;
      lines.push(d);
    });
    if (this.s.segments[g]!.contract) {
      lines.forEach((d, li) => {
        const cell = g * this.world.skus.length + this.world.skuIndex.get(o.lines[li]!.sku)!;
        const key = `${o.id}#${li}`;
        if (!this.contractLinesSeen.has(key)) {
          this.contractLinesSeen.add(key);
          this.contractSeenUnits[cell] += o.lines[li]!.quantity;
        }
        for (const a of d.allocations) {
          this.contractSince[g] += a.quantity;
          this.contractFilledUnits[cell] += a.quantity;
        }
      });
    }
    return { lines, propensity: 1, decidedBy: { kind: 'rules', name: 'lp-rolling' } };
  }

  /** Reward of leaving a unit unserved: the lost-sale penalty if it will expire before the horizon, less any contract shortfall it causes. */
  private notServedValue(ctx: DecisionContext, g: number): number {
    const o = ctx.order;
    const pw = this.s.reward.penaltyWeight;
    const expires = o.patienceHours - o.hoursWaited < ctx.hoursLeft;
    // Hard contracts: a contract unit is served whatever it costs (a period is judged only at its close).
    if (this.hard && this.s.segments[g]!.contract) return -Infinity;
    return -(expires ? pw * o.lostSalePenaltyPerUnit : 0) - pw * this.contractBonus(g);
  }

  /**
   * Mean and variance of the contract demand of SKU k (every SKU when k < 0) for segment g
   * arriving in [from, to), in units, under the scenario's demand model: orders are Poisson
   * (negative binomial: one gamma multiplier per SKU and day, dispersion d, adds (mean of that
   * SKU-day)² / d) and units per order 1 + Poisson(q − 1), so each order count's variance becomes
   * (q + 1 − 1/q) × its mean in units. Whole days are cached.
   */
  private forecastMoments(k: number, g: number, from: number, to: number): { mean: number; variance: number } {
    const q = this.s.segments[g]!.meanOrderQuantity;
    const perUnit = q + 1 - 1 / q;
    const nb = this.s.demand.distribution === 'negative-binomial' ? 1 / this.s.demand.dispersion : 0;
    let mean = 0;
    let variance = 0;
    for (let t = from; t < to - 1e-9; ) {
      const next = Math.min(to, (Math.floor(t / 24 + 1e-9) + 1) * 24);
      const frac = (next - t) / 24;
      const whole = Number.isInteger(t / 24);
      const key = `${k}:${g}:${t}`;
      let day = whole ? this.momentCache.get(key) : undefined;
      if (!day) {
        day = { rate: 0, squares: 0 };
        const skus = k >= 0 ? [k] : this.world.skus.map((_, i) => i);
        for (const sk of skus) {
          let u = 0;
          for (let r = 0; r < this.R; r++) u += this.forecast.unitsPerDay(sk, r, g, t / 24);
          day.rate += u;
          day.squares += u * u;
        }
        if (whole) this.momentCache.set(key, day);
      }
      mean += day.rate * frac;
      variance += day.rate * frac * perUnit + nb * day.squares * frac * frac;
      t = next;
    }
    return { mean, variance };
  }

  private readonly momentCache = new Map<string, { rate: number; squares: number }>();

  /**
   * Hard contracts: what contract segment g needs from SKU k in each period from the current one
   * to the horizon. The simulator asks filled ≥ target × min(ordered, committed) at period close;
   * ordered = what the position says, plus the contract demand since it was seen (no contract
   * order was decided since) and to the period end, over every SKU; the other SKUs fill their
   * contract units at the rate seen so far in this run (none after the last wave). SKU k's need
   * is an upper 95% quantile of target × min(ordered, committed) − the others' fill, taken as the
   * smaller of the uncapped and the capped form (each bounds it), with the demand moments of
   * `forecastMoments`: a period short by one unit is missed. What is owed to SKU k's demand
   * arriving after the window (`later`) is met by its scheduled inbound landing after the window
   * within the period as far as that goes; the rest (`hold`) is held back from the stock the
   * window plans. `need` is what the window's columns and the hold must cover together. A wave at
   * a period's last day close still counts in that period.
   */
  private contractNeeds(k: number, g: number, now: number, windowEnd: number, horizonEnd: number): ContractNeed[] {
    const ct = this.s.segments[g]!.contract;
    if (!ct) return [];
    const pos = this.contracts[g];
    let ordered = pos ? pos.orderedUnits : 0;
    let filled = pos ? pos.filledUnits + this.contractSince[g]! : 0;
    // The simulator closes a period at the first day close at or after its nominal end.
    const close = (t: number) => Math.min(horizonEnd, Math.ceil(t / 24 - 1e-9) * 24);
    const period = ct.periodDays * 24;
    let start = pos ? this.contractSeenAt[g]! + pos.hoursToPeriodEnd - period : 0;
    let end = close(start + period);
    while (end < now - 1e-9) {
      // A new period began since the position was seen.
      start = end;
      end = close(start + period);
      ordered = 0;
      filled = 0;
    }
    // Contract orders that arrived since the position was seen (none decided since: no stock) are not in it.
    const seen = pos ? Math.max(this.contractSeenAt[g]!, start) : start;
    const none = { mean: 0, variance: 0 };
    let unseen = seen < now ? this.forecastMoments(-1, g, seen, now) : none;
    const sku = this.world.skus[k]!.id;
    // The other SKUs' contract units are filled at the rate seen so far in this run (1 before any).
    let seenOther = 0;
    let filledOther = 0;
    for (let sk = 0; sk < this.world.skus.length; sk++) {
      if (sk === k) continue;
      seenOther += this.contractSeenUnits[g * this.world.skus.length + sk]!;
      filledOther += this.contractFilledUnits[g * this.world.skus.length + sk]!;
    }
    const rho = seenOther > 0 ? Math.min(1, filledOther / seenOther) : 1;
    // Orders arriving after the last wave are counted as ordered but can never be filled.
    const iv = this.s.waveIntervalHours;
    const lastWave = iv > 0 ? Math.ceil(horizonEnd / iv - 1 - 1e-9) * iv : horizonEnd;
    const tau = ct.fillRateTarget;
    const C = ct.committedUnitsPerPeriod;
    const out: ContractNeed[] = [];
    for (let first = true; ; first = false) {
      const from = first ? now : start;
      const all = this.forecastMoments(-1, g, from, end);
      const own = this.forecastMoments(k, g, from, end);
      const fillable = Math.min(end, lastWave + 1e-6);
      const allFill = fillable > from ? this.forecastMoments(-1, g, from, fillable) : none;
      const ownFill = fillable > from ? this.forecastMoments(k, g, from, fillable) : none;
      // Others' fill: its mean and variance; the rest of the period's demand (own SKU, after the last wave, unseen).
      const othersMean = rho * (allFill.mean - ownFill.mean);
      const othersRawVar = Math.max(0, allFill.variance - ownFill.variance);
      const restVar = Math.max(0, all.variance - othersRawVar) + unseen.variance;
      const expected = ordered + unseen.mean + all.mean;
      // Uncapped: τ × (ordered + everything to come) − others' fill; the others' part mostly cancels.
      const uncapped = tau * expected - othersMean + SAFETY_Z * Math.sqrt(tau * tau * restVar + (tau - rho) ** 2 * othersRawVar);
      // Capped at the commitment: τ × committed − others' fill.
      const capped = tau * C - othersMean + SAFETY_Z * rho * Math.sqrt(othersRawVar);
      let need = Math.max(0, Math.ceil(Math.min(uncapped, capped) - 1e-9) - filled);
      let hold = 0;
      if (end > windowEnd && need > 0) {
        const after = Math.max(from, windowEnd);
        const later = Math.min(need, Math.min(tau, expected > 0 ? (tau * C) / expected : tau) * this.forecastMoments(k, g, after, end).mean);
        let inbound = 0;
        for (const b of this.s.inbound) if (b.sku === sku && b.day * 24 >= after && b.day * 24 < end) inbound += b.quantity;
        need -= Math.min(later, inbound);
        hold = later - Math.min(later, inbound);
      }
      out.push({ start: first ? -Infinity : start, end, need, hold, current: first });
      if (end >= horizonEnd - 1e-9) break;
      start = end;
      end = close(start + period);
      ordered = 0;
      filled = 0;
      unseen = none;
    }
    return out;
  }

  /** Shortfall penalty a contract unit avoids while the segment is below its fill-rate target. */
  private contractBonus(g: number): number {
    const ct = this.s.segments[g]!.contract;
    const pos = this.contracts[g];
    if (!ct) return 0;
    if (!pos) return ct.shortfallPenaltyPerUnit;
    const covered = Math.min(pos.orderedUnits, pos.committedUnits);
    return pos.filledUnits + this.contractSince[g]! < pos.fillRateTarget * covered + 1 ? ct.shortfallPenaltyPerUnit : 0;
  }

  /** Best (mode, value per unit) from a candidate for an order, in reward units. */
  private bestMode(o: OrderContext, c: Candidate, price: number, cost: number): { mode: string; value: number } {
    const mw = this.s.reward.marginWeight;
    const pw = this.s.reward.penaltyWeight;
    let best = { mode: c.modes[0]!.mode, value: -Infinity };
    for (const m of c.modes) {
      const late = o.hoursWaited + c.shipDelayHours + m.transitHours > o.promiseHours ? 1 : m.lateRisk;
      const v = mw * (price - cost - c.handlingCostPerUnit - m.costPerUnit) - pw * late * o.latePenaltyPerUnit;
      if (v > best.value) best = { mode: m.mode, value: v };
    }
    return best;
  }

  /** Serves a line from the candidates in descending value, while a unit is worth more served than not, within quotas. */
  private fill(
    quantity: number,
    candidates: readonly Candidate[],
    modeOf: (c: Candidate) => { mode: string; value: number },
    notServed: number,
    quotaOf: (c: Candidate) => number,
  ): LineDecision {
    const ranked = candidates
      .map((c) => ({ c, ...modeOf(c) }))
      .filter((x) => x.value > notServed)
      .sort((a, b) => b.value - a.value || (a.c.warehouse < b.c.warehouse ? -1 : 1));
    let want = quantity;
    const allocations: Allocation[] = [];
    for (const x of ranked) {
      if (want <= 0) break;
      const q = Math.min(want, x.c.available, quotaOf(x.c));
      if (q <= 0) continue;
      allocations.push({ warehouse: x.c.warehouse, quantity: q, mode: x.mode });
      want -= q;
    }
    return { allocations, backordered: want };
  }

  /** The plan of SKU k for this wave (solved at its first order in the wave). */
  private ensurePlan(k: number, ctx: DecisionContext, pendingByKind: { contract: number; premium: number; standard: number }): Plan {
    const now = ctx.nowHours;
    const cached = this.plans.get(k);
    if (cached && cached.time === now) return cached;
    const { W, R, G, s } = this;
    const C = R * G;
    const mw = s.reward.marginWeight;
    const pw = s.reward.penaltyWeight;
    const book = this.books.get(k)!;
    const sku = this.world.skus[k]!;
    const end = now + Math.min(this.opts.windowDays * 24, ctx.hoursLeft);

    // Supply: what is on hand now (as offered) and the scheduled inbound due in the window.
    const onHand = new Float64Array(W);
    const line = ctx.order.lines.find((l) => this.world.skuIndex.get(l.sku) === k)!;
    for (const c of line.candidates) onHand[this.world.warehouseIndex.get(c.warehouse)!] = c.available;
    const inbound: { w: number; t: number; q: number }[] = [];
    for (const b of s.inbound) {
      const t = b.day * 24;
      if (b.sku === sku.id && t > now && t < end) inbound.push({ w: this.world.warehouseIndex.get(b.warehouse)!, t, q: b.quantity });
    }
    // Hard contracts: what each contract segment needs per period, and the period ends as epoch cuts.
    const needs = this.hard ? this.s.segments.map((_, g) => this.contractNeeds(k, g, now, end, now + ctx.hoursLeft)) : [];
    const cutSet = new Set(inbound.map((x) => x.t));
    for (const list of needs) for (const n of list) if (n.end > now && n.end < end) cutSet.add(n.end);
    const cuts = [...cutSet].sort((a, b) => a - b);
    const T = [now, ...cuts, end];
    const E = T.length - 1;

    // Waiting orders by class, alive at each epoch's start; unknown waiting units spread by forecast share.
    const alive = new Float64Array(E * C);
    const priceSum = new Float64Array(C);
    const priceUnits = new Float64Array(C);
    const knownByKind = [0, 0, 0];
    const kindIdx = { contract: 0, premium: 1, standard: 2 } as const;
    for (const [key, b] of book) {
      const patience = s.segments[b.g]!.patienceHours;
      if (b.remaining <= 0 || b.created + patience <= now) {
        book.delete(key);
        continue;
      }
      const c = b.r * G + b.g;
      for (let e = 0; e < E; e++) if (b.created + patience > T[e]!) alive[e * C + c] += b.remaining;
      priceSum[c] += b.price * b.remaining;
      priceUnits[c] += b.remaining;
      knownByKind[kindIdx[s.segments[b.g]!.kind]] += b.remaining;
    }
    const day = now / 24;
    const rate = new Float64Array(C);
    const rateByKind = [0, 0, 0];
    for (let r = 0; r < R; r++)
      for (let g = 0; g < G; g++) {
        const v = this.forecast.unitsPerDay(k, r, g, day);
        rate[r * G + g] = v;
        rateByKind[kindIdx[s.segments[g]!.kind]] += v;
      }
    const pendingKinds = [pendingByKind.contract, pendingByKind.premium, pendingByKind.standard];
    for (let r = 0; r < R; r++)
      for (let g = 0; g < G; g++) {
        const kind = kindIdx[s.segments[g]!.kind];
        const unknown = Math.max(0, pendingKinds[kind]! - knownByKind[kind]!);
        if (unknown > 0 && rateByKind[kind]! > 0) alive[r * G + g] += (unknown * rate[r * G + g]!) / rateByKind[kind]!;
      }

    // Forecast demand arriving in each epoch, counted at the forecast weight (hard contracts: in full,
    // since the commitment is planned on it, not hedged).
    const weightOf = (g: number) => (this.hard && s.segments[g]!.contract ? 1 : this.opts.forecastWeight);
    const fc = new Float64Array(E * C);
    for (let e = 0; e < E; e++) {
      for (let t = T[e]!; t < T[e + 1]! - 1e-9; ) {
        const next = Math.min(T[e + 1]!, (Math.floor(t / 24 + 1e-9) + 1) * 24);
        const frac = (next - t) / 24;
        for (let c = 0; c < C; c++) {
          const v = this.forecast.unitsPerDay(k, Math.floor(c / G), c % G, t / 24) * frac * weightOf(c % G);
          fc[e * C + c] += v;
        }
        t = next;
      }
    }

    // Value per unit of serving class (r, g) from warehouse w with the lane's best mode.
    const value = new Float64Array(W * C);
    for (let w = 0; w < W; w++) {
      const wh = s.warehouses[w]!;
      for (let r = 0; r < R; r++) {
        const lane = this.world.lanes[w * R + r]!;
        for (let g = 0; g < G; g++) {
          const seg = s.segments[g]!;
          const c = r * G + g;
          const price = priceUnits[c]! > 0 ? priceSum[c]! / priceUnits[c]! : sku.price * s.regions[r]!.priceFactor * seg.priceFactor;
          let best = -Infinity;
          for (const m of lane.modes) {
            const late = wh.pickHours + m.transitHours > seg.promiseHours ? 1 : m.lateRisk;
            best = Math.max(best, mw * (price - sku.unitCost - wh.handlingCostPerUnit - m.costPerUnit) - pw * late * seg.latePenaltyPerUnit);
          }
          value[w * C + c] = best + pw * (seg.lostSalePenaltyPerUnit + this.contractBonus(g));
        }
      }
    }

    const lp = new LinearProgram();
    const nowCols = new Int32Array(W * C).fill(-1);
    const supplyUse: number[][][] = Array.from({ length: W }, () => Array.from({ length: E }, () => []));
    /** Per contract segment and period: the columns that credit it (hard contracts). */
    const needCols: number[][][] = this.s.segments.map((_, g) => (needs[g] ?? []).map(() => []));
    /** A column of class c may be planned: worth serving, or owed to a contract (hard). */
    const usable = (w: number, c: number) => Number.isFinite(value[w * C + c]!) && (value[w * C + c]! > 0 || (needs[c % G] ?? []).some((n) => n.need > 0));
    /** Credits a column to the contract period it falls in: waiting units served at T[e], forecast units within epoch e. */
    const credit = (col: number, c: number, e: number, waiting: boolean) => {
      const list = needs[c % G];
      if (!list) return;
      const t = T[e]!;
      const p = list.findIndex((n) => (waiting ? (n.current || t > n.start + 1e-9) && t <= n.end + 1e-9 : t >= n.start - 1e-9 && t < n.end - 1e-9));
      if (p >= 0) needCols[c % G]![p]!.push(col);
    };
    for (let c = 0; c < C; c++) {
      // Waiting units of class c: served now or in a later epoch while still waiting.
      const cols: number[][] = Array.from({ length: E }, () => []);
      for (let e = 0; e < E; e++) {
        if (alive[e * C + c]! <= 0) continue;
        for (let w = 0; w < W; w++) {
          if (!usable(w, c)) continue;
          if (e === 0 && onHand[w] === 0) continue;
          const col = lp.addColumn(value[w * C + c]! - 1e-3 * e, 0, alive[e * C + c]!);
          cols[e]!.push(col);
          supplyUse[w]![e]!.push(col);
          credit(col, c, e, true);
          if (e === 0) nowCols[w * C + c] = col;
        }
      }
      for (let e = 0; e < E; e++) {
        const later = cols.slice(e).flat();
        if (later.length) lp.addRow(later, later.map(() => 1), -Infinity, alive[e * C + c]!);
      }
      // Forecast units of class c in epoch e, served in that epoch.
      for (let e = 0; e < E; e++) {
        if (fc[e * C + c]! <= 1e-9) continue;
        const fcols: number[] = [];
        for (let w = 0; w < W; w++) {
          if (!usable(w, c)) continue;
          const col = lp.addColumn(value[w * C + c]!, 0, fc[e * C + c]!);
          fcols.push(col);
          supplyUse[w]![e]!.push(col);
          credit(col, c, e, false);
        }
        if (fcols.length) lp.addRow(fcols, fcols.map(() => 1), -Infinity, fc[e * C + c]!);
      }
    }
    // Hard contracts: the window serves what each contract period still needs, as far as supply allows.
    const slack: number[] = [];
    needs.forEach((list, g) =>
      list.forEach((n, p) => {
        if (n.need <= 0) return;
        const cols = needCols[g]![p]!;
        // Stock held back for the period's contract demand after the window (served by later plans).
        if (n.hold > 0) {
          const hold: number[] = [];
          for (let w = 0; w < W; w++) {
            const col = lp.addColumn(0, 0, n.hold);
            hold.push(col);
            supplyUse[w]![E - 1]!.push(col);
            cols.push(col);
          }
          lp.addRow(hold, hold.map(() => 1), -Infinity, n.hold);
        }
        const short = lp.addColumn(0, 0, Infinity);
        slack.push(short);
        lp.addRow([short, ...cols], [1, ...cols.map(() => 1)], n.need, Infinity);
      }),
    );
    for (let w = 0; w < W; w++) {
      let cum = onHand[w]!;
      const use: number[] = [];
      for (let e = 0; e < E; e++) {
        if (e > 0) for (const x of inbound) if (x.w === w && x.t === T[e]) cum += x.q;
        use.push(...supplyUse[w]![e]!);
        if (use.length) lp.addRow(use, use.map(() => 1), -Infinity, cum);
      }
    }
    const quota = new Float64Array(W * C);
    if (lp.columns > 0) {
      const sol = lp.solve(this.highs, { timeLimitSeconds: 10, hardSlack: slack });
      for (let j = 0; j < W * C; j++) if (nowCols[j]! >= 0) quota[j] = sol.x[nowCols[j]!]!;
    }
    const plan = { time: now, quota, value };
    this.plans.set(k, plan);
    return plan;
  }
}

export { PlanError };
