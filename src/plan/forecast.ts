import type { World } from '../sim/model/world.js';
import type { Decision, DecisionContext, PerSegment, Policy } from '../sim/policies/contract.js';
import type { RealisedDemand } from './demand.js';
import { planForecast, type ForecastSource } from './forecast-source.js';

/** Smoothing constants of Holt–Winters with damped trend and weekly multiplicative season. */
export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** A fitted exponential-smoothing model: its state after the last observed day. */
export interface EtsModel {
  params: EtsParams;
  level: number;
  trend: number;
  /** Seasonal factors by day of week (day index mod 7). */
  season: number[];
  /** Index of the day after the last observation. */
  nextDay: number;
  /** In-sample one-step squared error per day. */
  mse: number;
}

const PERIOD = 7;
const GRID = {
  alpha: [0.05, 0.1, 0.2, 0.35, 0.5],
  beta: [0, 0.03, 0.1],
  gamma: [0.02, 0.1, 0.25],
  phi: [0.9, 0.98],
};

/** Scales seasonal factors to average 1. */
function normalise(season: number[]): number[] {
  const m = season.reduce((a, b) => a + b, 0) / season.length;
  return season.map((x) => (m > 0 ? x / m : 1));
}

/** Runs the recursions over `y` (days startDay..) and returns the final state and one-step SSE. */
function run(y: readonly number[], startDay: number, p: EtsParams, fixedSeason?: readonly number[]): EtsModel {
  const first = y.slice(0, Math.min(PERIOD, y.length));
  const mean0 = first.reduce((a, b) => a + b, 0) / Math.max(1, first.length);
  let trend = 0;
  let season = new Array<number>(PERIOD).fill(1);
  if (fixedSeason) season = [...fixedSeason];
  else if (y.length >= PERIOD && mean0 > 0) {
    for (let i = 0; i < PERIOD; i++) season[(startDay + i) % PERIOD] = Math.max(0.05, y[i]! / mean0);
    season = normalise(season);
  }
  let level = 0;
  for (let i = 0; i < first.length; i++) level += first[i]! / season[(startDay + i) % PERIOD]! / first.length;
  level = Math.max(level, 1e-6);
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const dow = (startDay + t) % PERIOD;
    const s = season[dow]!;
    const fitted = (level + p.phi * trend) * s;
    const e = y[t]! - fitted;
    sse += e * e;
    const prevLevel = level;
    level = Math.max(1e-6, p.alpha * (y[t]! / s) + (1 - p.alpha) * (prevLevel + p.phi * trend));
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * p.phi * trend;
    if (level > 1e-3) season[dow] = Math.max(0.05, p.gamma * (y[t]! / level) + (1 - p.gamma) * s);
  }
  return { params: p, level, trend, season: fixedSeason ? season : normalise(season), nextDay: startDay + y.length, mse: sse / Math.max(1, y.length) };
}

/**
 * Fits Holt–Winters exponential smoothing (additive damped trend, multiplicative
 * weekly season) to a daily series starting on `startDay`, choosing the
 * smoothing constants on a small grid by in-sample one-step error.
 */
export function fitEts(y: readonly number[], startDay = 0, options: { season?: readonly number[] } = {}): EtsModel {
  let best: EtsModel | undefined;
  // With a season given (pooled from the aggregate), only level and a gentle trend are fitted per series.
  const grid = options.season ? { alpha: [0.03, 0.06, 0.1, 0.2, 0.3], beta: [0, 0.02], gamma: [0], phi: [0.9] } : GRID;
  for (const alpha of grid.alpha)
    for (const beta of grid.beta)
      for (const gamma of grid.gamma)
        for (const phi of grid.phi) {
          const m = run(y, startDay, { alpha, beta, gamma, phi }, options.season);
          if (!best || m.mse < best.mse - 1e-12) best = m;
        }
  return best!;
}

/** Forecast of a fitted model for the next `horizon` days (never negative). */
export function forecastEts(m: EtsModel, horizon: number): number[] {
  const out: number[] = [];
  let damp = 0;
  for (let h = 1; h <= horizon; h++) {
    damp += Math.pow(m.params.phi, h);
    out.push(Math.max(0, (m.level + damp * m.trend) * m.season[(m.nextDay + h - 1) % PERIOD]!));
  }
  return out;
}

/** Daily units per SKU × region: `units[(sku * R + region) * days + day]`. */
export interface DailyHistory {
  days: number;
  units: Float64Array;
}

/** Aggregates a realised demand into daily units per SKU × region. */
export function dailyHistory(world: World, d: RealisedDemand): DailyHistory {
  const R = world.scenario.regions.length;
  const units = new Float64Array(world.skus.length * R * d.days);
  for (let i = 0; i < d.count; i++) {
    const day = Math.min(d.days - 1, Math.floor(d.time[i]! / 24));
    units[(d.sku[i]! * R + d.region[i]!) * d.days + day] += d.qty[i]!;
  }
  return { days: d.days, units };
}

/** Launch shape of a SKU on a day: 0 before launch, then 1 + spike × e^(−age/decay). */
function launchShape(world: World, sku: number, day: number): number {
  const info = world.skus[sku]!;
  if (day < info.launchDay) return 0;
  const l = world.scenario.demand.launches.find((x) => x.sku === info.id);
  return l ? 1 + l.spikeMultiplier * Math.exp(-(day - info.launchDay) / l.decayDays) : 1;
}

/** True for SKUs handled as launches: launched inside the horizon or with a launch curve. */
export function isLaunchSku(world: World, sku: number): boolean {
  const info = world.skus[sku]!;
  return info.launchDay > 0 || world.scenario.demand.launches.some((l) => l.sku === info.id);
}

/**
 * Demand forecasts per SKU × region from the history of the first `trainDays`
 * days: exponential smoothing for established SKUs, the weekly season pooled
 * from the network total (single SKU × region series are too sparse to carry
 * their own) and level and damped trend fitted per series; for launches, the launch
 * curve (spike and decay from the launch plan, weekly calendar) scaled by a
 * ratio estimate from the days observed since launch, shrunk towards the
 * planned volume while those days are few. Segment splits follow the scenario's
 * base mix. Usable as a `ForecastSource` by strategies and the agent.
 */
export function etsForecast(world: World, history: DailyHistory, trainDays: number): ForecastSource & { seriesForecast(sku: number, region: number, day: number): number } {
  const s = world.scenario;
  const R = s.regions.length;
  const G = s.segments.length;
  const S = world.skus.length;
  const plan = planForecast(world);
  const models: (EtsModel | undefined)[] = new Array(S * R);
  const launchLevel = new Float64Array(S * R);
  const SHRINK_DAYS = 3;
  const total = new Array<number>(trainDays).fill(0);
  for (let k = 0; k < S; k++) {
    if (isLaunchSku(world, k)) continue;
    for (let r = 0; r < R; r++) for (let d = 0; d < trainDays; d++) total[d]! += history.units[(k * R + r) * history.days + d]!;
  }
  const season = fitEts(total, 0).season;
  for (let k = 0; k < S; k++) {
    for (let r = 0; r < R; r++) {
      const series = Array.from(history.units.subarray((k * R + r) * history.days, (k * R + r) * history.days + trainDays));
      if (isLaunchSku(world, k)) {
        let obs = 0;
        let shape = 0;
        let n = 0;
        for (let d = world.skus[k]!.launchDay; d < trainDays; d++) {
          const w = launchShape(world, k, d) * s.demand.weekly[d % 7]!;
          obs += series[d]!;
          shape += w;
          n++;
        }
        // Planned volume per unit of shape: the plan's units on a plain day after the spike.
        let prior = 0;
        for (let g = 0; g < G; g++) prior += world.baseOrdersPerDay[(k * R + r) * G + g]! * s.segments[g]!.meanOrderQuantity;
        const ratio = shape > 0 ? obs / shape : prior;
        launchLevel[k * R + r] = (n * ratio + SHRINK_DAYS * prior) / (n + SHRINK_DAYS);
      } else {
        models[k * R + r] = fitEts(series, 0, { season });
      }
    }
  }
  const cache = new Map<number, number[]>();
  const seriesForecast = (k: number, r: number, day: number): number => {
    const d = Math.floor(day);
    if (isLaunchSku(world, k)) return launchLevel[k * R + r]! * launchShape(world, k, d) * s.demand.weekly[((d % 7) + 7) % 7]!;
    const h = Math.max(1, d - trainDays + 1);
    let f = cache.get(k * R + r);
    if (!f || f.length < h) cache.set(k * R + r, (f = forecastEts(models[k * R + r]!, Math.max(h, 28))));
    return f[h - 1]!;
  };
  return {
    name: 'ets',
    seriesForecast,
    unitsPerDay(sku, region, segment, day) {
      let total = 0;
      for (let g = 0; g < G; g++) total += plan.unitsPerDay(sku, region, g, day);
      const share = total > 0 ? plan.unitsPerDay(sku, region, segment, day) / total : 1 / G;
      return seriesForecast(sku, region, day) * share;
    },
  };
}

/** Forecast accuracy over a holdout: WAPE = Σ|F − A| / ΣA and bias = Σ(F − A) / ΣA. */
export interface Accuracy {
  wape: number;
  bias: number;
  actualUnits: number;
}

export interface ForecastEvaluation {
  trainDays: number;
  horizonDays: number;
  /** Exponential smoothing with launch handling, per SKU × region × day. */
  ets: Accuracy;
  /** Same, launch SKUs only (null when the scenario has none). */
  etsLaunch: Accuracy | null;
  /** The scenario's demand plan as a forecast, for comparison. */
  plan: Accuracy;
}

function accuracy(pairs: Iterable<[number, number]>): Accuracy {
  let abs = 0;
  let signed = 0;
  let actual = 0;
  for (const [f, a] of pairs) {
    abs += Math.abs(f - a);
    signed += f - a;
    actual += a;
  }
  return { wape: actual > 0 ? abs / actual : 0, bias: actual > 0 ? signed / actual : 0, actualUnits: actual };
}

/**
 * Fits on the first `trainDays` of a realised demand and scores the next
 * `horizonDays` at SKU × region × day level, against the scenario's plan.
 */
export function evaluateForecast(world: World, d: RealisedDemand, trainDays: number, horizonDays: number): ForecastEvaluation {
  if (!(trainDays >= 7) || trainDays + horizonDays > d.days) {
    throw new RangeError(`trainDays(=${trainDays}) must be >= 7 and trainDays + horizonDays(=${horizonDays}) <= days(=${d.days})`);
  }
  const R = world.scenario.regions.length;
  const G = world.scenario.segments.length;
  const hist = dailyHistory(world, d);
  const ets = etsForecast(world, hist, trainDays);
  const plan = planForecast(world);
  const all: [number, number][] = [];
  const launch: [number, number][] = [];
  const planPairs: [number, number][] = [];
  for (let k = 0; k < world.skus.length; k++) {
    for (let r = 0; r < R; r++) {
      for (let day = trainDays; day < trainDays + horizonDays; day++) {
        const a = hist.units[(k * R + r) * hist.days + day]!;
        const f = ets.seriesForecast(k, r, day);
        all.push([f, a]);
        if (isLaunchSku(world, k)) launch.push([f, a]);
        let p = 0;
        for (let g = 0; g < G; g++) p += plan.unitsPerDay(k, r, g, day);
        planPairs.push([p, a]);
      }
    }
  }
  return { trainDays, horizonDays, ets: accuracy(all), etsLaunch: launch.length ? accuracy(launch) : null, plan: accuracy(planPairs) };
}

/**
 * Offers a forecast to any strategy: the policy sees `forecastDailyUnits` from
 * `source` (network totals per segment kind for the current day) instead of the
 * simulator's demand-model rate.
 */
export function withForecast(policy: Policy, world: World, source: ForecastSource): Policy {
  const s = world.scenario;
  const R = s.regions.length;
  const kinds = s.segments.map((g) => g.kind);
  const perKind = (sku: number, day: number): PerSegment => {
    const out: PerSegment = { contract: 0, premium: 0, standard: 0 };
    for (let r = 0; r < R; r++) for (let g = 0; g < kinds.length; g++) out[kinds[g]!] += source.unitsPerDay(sku, r, g, day);
    return out;
  };
  const wrapped: Policy = {
    name: policy.name,
    ...(policy.version ? { version: policy.version } : {}),
    decide(ctx: DecisionContext): Decision {
      const day = ctx.nowHours / 24;
      const lines = ctx.order.lines.map((l) => ({ ...l, forecastDailyUnits: perKind(world.skuIndex.get(l.sku)!, day) }));
      return policy.decide({ ...ctx, order: { ...ctx.order, lines } });
    },
  };
  if (policy.rank) wrapped.rank = policy.rank.bind(policy);
  return wrapped;
}
