import * as tf from '../tf.js';
import { Stream } from '../../sim/kernel/random.js';
import { computeKpis } from '../../sim/kpis.js';
import { EntryKind } from '../../sim/ledger.js';
import { simulate, type SimResult } from '../../sim/index.js';
import type { World } from '../../sim/model/world.js';
import { createRulePolicy } from '../../sim/policies/rules.js';
import { AllocationEnv, type Observation } from '../env/allocation-env.js';
import { NC, NX, type DerivedInputs, type FeatureSpec } from '../features/encoder.js';
import { initParams, Network, type NetworkParams } from '../network.js';
import { NetworkPolicy } from '../network-policy.js';
import { TfNetwork } from '../network-tf.js';
import { Adam, buildBatch, clipByGlobalNorm, fitFeatureSpec, shuffle } from '../train-kit.js';
import { HindsightPrices, hindsightValues } from './labels.js';
import { argmaxOf, HindsightPlan, planStake, planStep, planValues, unitsBefore, withHistory, type HindsightPlanData, type HindsightPlanner, type PlanStart, type PlanStep } from './plan.js';
import { deriveCharges, type ScarceSku } from '../charges.js';

/** Settings of hindsight imitation; each is derived or generic, none tuned to a scenario. */
export interface HindsightConfig {
  /** Training episodes use seed + i; derivation runs seed + 1,000,000 + e; validation seed + 2,000,000 + v. */
  seed: number;
  /** Rounds of data aggregation after the first (DAgger): the network plays, hindsight labels what it saw. */
  rounds: number;
  /** Episodes played per round. */
  episodesPerRound: number;
  /** Passes over the round's training sample after each round. */
  epochs: number;
  /** Size of that sample: drawn uniformly from all data aggregated so far (all of it when smaller). */
  fitSamplesPerRound: number;
  /** Hidden units per layer of the scorer and value MLPs. */
  hidden: number;
  learningRate: number;
  minibatch: number;
  /** Steps kept per episode, of non-scarce and of scarce SKUs each (a random subsample beyond it). */
  ordinaryStepsPerEpisode: number;
  scarceStepsPerEpisode: number;
  /** Soft-target temperature, as a share of the line's unit price. */
  temperature: number;
  /** Validation seeds the checkpoint is chosen on. */
  validationSeeds: number;
  /** The rule that sequences waves and is the paired baseline of validation. */
  baseRule: string;
  /** Contracts as constraints (the scenario's `contracts` mode) or as prices. */
  hardContracts: boolean;
  /**
   * How scarce-SKU steps are labelled: `plan` by the hindsight plan of the seed
   * (the oracle's, per order; needs a planner), `prices` by the single-resource
   * hindsight bid price (`HindsightPrices`).
   */
  labels: 'plan' | 'prices';
  /**
   * Plan labels weighted by their stake (`planStake`: the regret of the other choice by the plan's
   * own bid and contract prices) rather than counted alike.
   */
  stakes: boolean;
  /** Contract orders are labelled serve while the episode is behind the plan's contract allocations (`planValues`). */
  catchUp: boolean;
  /** Steps off the plan's path (stock sold ahead of or behind the plan) take the state-aware hindsight values where they disagree. */
  offPath: boolean;
  /**
   * Plans per episode: the seed's plan from its start, and `replans − 1` more solved again from the
   * states the episode reached at evenly spaced days; each step is labelled by the latest plan
   * that starts at or before it. 1: the plan from the start labels every step.
   */
  replans: number;
  /** Horizon override in days (null: the scenario's). */
  days: number | null;
  /** Wall-clock budget: no new round starts after this many seconds (null: none). */
  maxSeconds: number | null;
}

export const HINDSIGHT_DEFAULTS: Omit<HindsightConfig, 'hardContracts'> = {
  seed: 1,
  rounds: 6,
  episodesPerRound: 2,
  epochs: 2,
  fitSamplesPerRound: 80_000,
  hidden: 64,
  learningRate: 1e-3,
  minibatch: 512,
  ordinaryStepsPerEpisode: 15_000,
  scarceStepsPerEpisode: 30_000,
  temperature: 0.01,
  validationSeeds: 12,
  baseRule: 'fair-share',
  labels: 'plan',
  stakes: true,
  catchUp: true,
  offPath: true,
  replans: 8,
  days: null,
  maxSeconds: null,
};

/** What the recipe derived from the scenario, for the log and the model's metadata. */
export interface DerivedReport {
  scarceSkus: ScarceSku[];
  marginWeight: number;
  penaltyWeight: number;
  hardContracts: boolean;
  labels: 'plan' | 'prices';
  /** Plan labels: weighted by stake, state-aware off the plan's path, contract catch-up (see `HindsightConfig`). */
  stakes: boolean;
  offPath: boolean;
  catchUp: boolean;
  /** Plans per episode (see `HindsightConfig.replans`; 0 without plan labels). */
  replans: number;
  ordinaryKeepRate: number;
  scarceKeepRate: number;
  /** Reward of the hindsight expert (which sees the future) and of the base rule on the first training seed. */
  expertReward: number;
  baseReward: number;
}

export interface RoundMetrics {
  round: number;
  /** Labelled steps gathered this round, and in the aggregate. */
  samples: number;
  aggregate: number;
  /** Soft cross-entropy and agreement with the hindsight-best option on the aggregate, last epoch. */
  loss: number;
  accuracy: number;
  /** Validation: mean KPI reward of the network (greedy) and its paired difference to the base rule. */
  val_reward: number;
  val_reward_vs_base: number;
  val_contract_fill: number;
  /** Contract periods below target in validation, network and base rule. */
  val_contract_misses: number;
  base_contract_misses: number;
  /** Largest contract buffer of the plans this round's labels came from (share of the target; plan labels only). */
  contract_buffer: number;
  seconds: number;
}

export interface HindsightResult {
  params: NetworkParams;
  spec: FeatureSpec;
  config: HindsightConfig;
  derived: DerivedReport;
  metrics: RoundMetrics[];
  /** Round whose checkpoint was kept (best validation reward). */
  bestRound: number;
}

/** Raised when a scenario gives the recipe nothing to learn from. */
export class NothingToLearnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToLearnError';
  }
}

/** One labelled step: its observation and the soft target over its options (defer last). */
interface Sample {
  obs: Observation;
  target: Float32Array;
  best: number;
  /** The line's SKU is scarce. */
  scarce: boolean;
  /** Soft-target temperature (money per unit). */
  tau: number;
  /** Labelled by a plan: what it takes to label the step again (a plan with another contract buffer). */
  plan?: PlanStep;
  /** Weight in the loss before normalisation: a plan label's stake (money), 1 otherwise. */
  weight: number;
}

/** What a step needs to be labelled once its episode's order stream is known. */
interface PendingLabel {
  obs: Observation;
  /** The step's state-aware hindsight values (`hindsightValues`): its label, or beside a plan's label off the plan's path. */
  q: (prices: Pick<HindsightPrices, 'price'>) => Float64Array;
  price: number;
  scarce: boolean;
  plan: PlanStep | null;
}

/** What an episode did, as far as plans from its states need it: its allocations in time order and its contract period closes. */
export interface EpisodeRecord {
  /** Units ordered per order index (the seed's demand). */
  ordered: ArrayLike<number>;
  alloc: { order: Int32Array; warehouse: Int32Array; sku: Int32Array; segment: Int32Array; hour: Float64Array; units: Float64Array; count: number };
  /** Per segment: the hours its contract periods closed, ascending. */
  closes: number[][];
}

/**
 * Hindsight imitation (after Sinclair et al., "Hindsight learning for MDPs with
 * exogenous inputs", ICML 2023). Demand is exogenous, so after an episode its
 * whole order stream is known; every step it visited is labelled with the option
 * that is best in hindsight — an option's reward per unit (margin, shipping,
 * handling, expected lateness) less, for a scarce SKU, the hindsight bid price of
 * a unit (`HindsightPrices`), against leaving it unserved (lost-sale penalty; with
 * hard contracts a contract still short of its target must be served). The
 * network is fitted to soft targets (a softmax of those values), first on
 * episodes played by the hindsight expert itself, then for `rounds` rounds on
 * episodes the network plays (data aggregation, DAgger), so it learns what to do
 * in the states it reaches. After each round it is validated on held-out seeds
 * against the base rule; the best checkpoint is kept.
 *
 * Everything scenario-specific is derived: which SKUs are scarce and their
 * opportunity-cost curves (from base-rule runs), the reward weights, the
 * normalisation. No threshold depends on the scenario.
 */
export async function trainHindsight(
  world: World,
  partial: Partial<HindsightConfig> & { hardContracts: boolean },
  hooks: {
    onDerived?: (d: DerivedReport) => void;
    onRound?: (m: RoundMetrics) => void;
    /** The hindsight plan of a seed: when given, scarce-SKU steps are labelled by it (see `planValues`). */
    planner?: HindsightPlanner;
  } = {},
): Promise<HindsightResult> {
  const cfg: HindsightConfig = { ...HINDSIGHT_DEFAULTS, ...partial };
  const planner = cfg.labels === 'plan' ? hooks.planner : undefined;
  if (cfg.labels === 'plan' && !planner) throw new Error('hindsight: plan labels need a planner (the oracle\'s plans)');
  const started = performance.now();
  const days = cfg.days ?? undefined;
  const base = createRulePolicy(cfg.baseRule);
  const mw = world.scenario.reward.marginWeight;
  const pw = world.scenario.reward.penaltyWeight;

  // ---- derive: scarce SKUs and their opportunity-cost curves from base-rule runs
  const derivationRuns = [0, 1].map((e) => simulate(world, base, { seed: cfg.seed + 1_000_000 + e, ...(days ? { days } : {}) }));
  const { charges, report: scarceReport } = deriveCharges(derivationRuns, cfg.hardContracts);
  const scarce = new Set(scarceReport.map((r) => world.skuIndex.get(r.sku)!));
  const derived: DerivedInputs = { marginWeight: mw, penaltyWeight: pw, charges };
  const envConfig = { world, basePolicy: base, scope: { minUnitMargin: 0 }, derived, ...(days ? { days } : {}) };
  const rngKeep = new Stream('hindsight-subsample', cfg.seed);
  // Per segment: the share by which plans raise its contract target (adapted on validation shortfalls).
  const contractBuffer = world.scenario.segments.map(() => 0);
  const horizonDays = days ?? world.scenario.horizonDays;
  /** Per seed played (plan labels only): what its episode did, to solve plans from its states again. */
  const records = new Map<number, EpisodeRecord>();
  /** The seed's plan from the state its episode reached at `hour`, with the episode's allocations before it. */
  const planFrom = async (record: EpisodeRecord, seed: number, hour: number): Promise<HindsightPlanData> => {
    const { start, past } = startAt(world, record, hour, horizonDays);
    const a = record.alloc;
    const fromState = await planner!(seed, days, contractBuffer, start);
    return withHistory(fromState, { order: a.order, warehouse: a.warehouse, hour: a.hour, units: a.units, count: past });
  };

  // ---- play an episode and label every kept step in hindsight
  /** `baseReward`: the base rule's reward on the seed, when the expert played (it needed that run for its prices). */
  const play = async (seed: number, actor: 'expert' | Network, keep: { ordinary: number; scarce: number }): Promise<{ labelled: Sample[]; steps: number; ordinary: number; reward: number; baseReward: number }> => {
    const env = new AllocationEnv(envConfig);
    let expertPrices: Pick<HindsightPrices, 'price'> | null = null;
    let baseReward = NaN;
    const planData = planner ? await planner(seed, days, contractBuffer) : null;
    const plan = planData ? new HindsightPlan(planData) : null;
    if (actor === 'expert') {
      // The base rule plays the seed first (same orders, common random numbers): the price expert reads the
      // future off its run; with a plan, the plan decides scarce SKUs and the others carry no opportunity cost.
      const run = simulate(world, base, { seed, ...(days ? { days } : {}) });
      expertPrices = plan ? { price: () => 0 } : new HindsightPrices(world, run, scarce, cfg.hardContracts);
      baseReward = computeKpis(run).kpis.reward;
      run.ledger.release();
    }
    let { obs } = env.reset({ seed });
    const pending: PendingLabel[] = [];
    let result: SimResult | undefined;
    let steps = 0;
    let ordinary = 0;
    const buf = new Float64Array(256);
    while (!env.done) {
      const p = env.pending!;
      const line = p.ctx.order.lines[p.line]!;
      const k = world.skuIndex.get(line.sku)!;
      const isScarce = scarce.has(k);
      const step = p.step;
      const ctx = p.ctx;
      const li = p.line;
      const ps0 = plan && isScarce ? planStep(seed, step, ctx, li, world, pw) : null;
      const ps = ps0 && !(cfg.catchUp && cfg.hardContracts) ? { ...ps0, contract: undefined } : ps0;
      const byValue = (prices: Pick<HindsightPrices, 'price'>) => hindsightValues(step, ctx, li, k, prices, mw, pw, cfg.hardContracts);
      if (!isScarce) ordinary++;
      if (rngKeep.uniform() < (isScarce ? keep.scarce : keep.ordinary)) pending.push({ obs, q: byValue, price: Math.max(0.01, line.unitPrice), scarce: isScarce, plan: ps });
      let a: number;
      if (expertPrices) a = argmaxOf(ps ? planValues(ps, plan!) : byValue(expertPrices));
      else {
        const n = obs.count;
        const logits = (actor as Network).logits(n, obs.candidates, obs.context, n + 1 <= buf.length ? buf : new Float64Array(n + 1));
        a = 0;
        for (let j = 1; j <= n; j++) if (logits[j]! > logits[a]!) a = j;
      }
      const r = env.step(a);
      steps++;
      if (r.info.result) result = r.info.result;
      obs = r.obs;
    }
    if (!result) return { labelled: [], steps, ordinary, reward: 0, baseReward };
    const prices = new HindsightPrices(world, result, scarce, cfg.hardContracts);
    const reward = computeKpis(result).kpis.reward;
    if (plan && cfg.offPath) {
      const sold = allocationsBySku(result, scarce);
      for (const x of pending) {
        if (!x.plan) continue;
        x.plan.episodeAllocated = sold(x.plan.sku, x.plan.hour);
        x.plan.stateValues = x.q(prices);
      }
    }
    // The plans that label this episode: from its start, and again from the states it reached.
    const plans = new Map<number, HindsightPlan>();
    if (plan) {
      plans.set(0, plan);
      const record = episodeRecord(world, result, planData!.ordered);
      records.set(seed, record);
      const hours = replanHours(horizonDays, cfg.replans);
      for (const h of hours) if (h > 0) plans.set(h, new HindsightPlan(await planFrom(record, seed, h)));
      for (const x of pending) if (x.plan) x.plan.from = latestAtOrBefore(hours, x.plan.hour);
    }
    result.ledger.release();
    const labelled = pending.map((x) => {
      const p = x.plan ? plans.get(x.plan.from)! : null;
      const q = x.plan ? planValues(x.plan, p!) : x.q(prices);
      return toSample(x.obs, q, cfg.temperature * mw * x.price, x.scarce, x.plan, x.plan && cfg.stakes ? planStake(x.plan, p!, q) : 1);
    });
    return { labelled, steps, ordinary, reward, baseReward };
  };

  // ---- round 0: the hindsight expert plays
  const data: Sample[] = [];
  const first = await play(cfg.seed, 'expert', { ordinary: 1, scarce: 1 });
  if (first.steps === 0) throw new NothingToLearnError(`${world.scenario.name}: an episode offers no decision to learn from`);
  const scarceSteps = first.steps - first.ordinary;
  const keep = {
    ordinary: first.ordinary > 0 ? Math.min(1, cfg.ordinaryStepsPerEpisode / first.ordinary) : 1,
    scarce: scarceSteps > 0 ? Math.min(1, cfg.scarceStepsPerEpisode / scarceSteps) : 1,
  };
  // The first episode's steps are thinned at the same rates as the rest.
  const rngThin = new Stream('hindsight-thin', cfg.seed);
  for (const smp of first.labelled) if (rngThin.uniform() < (smp.scarce ? keep.scarce : keep.ordinary)) data.push(smp);
  for (let e = 1; e < cfg.episodesPerRound; e++) append(data, (await play(cfg.seed + e, 'expert', keep)).labelled);
  const report: DerivedReport = {
    scarceSkus: scarceReport, marginWeight: mw, penaltyWeight: pw, hardContracts: cfg.hardContracts, labels: cfg.labels,
    stakes: cfg.stakes, offPath: cfg.offPath, catchUp: cfg.catchUp && cfg.hardContracts, replans: planner ? cfg.replans : 0,
    ordinaryKeepRate: keep.ordinary, scarceKeepRate: keep.scarce, expertReward: first.reward, baseReward: first.baseReward,
  };
  hooks.onDerived?.(report);

  const spec = fitFeatureSpec(data.map((d) => d.obs));
  spec.derived = derived;
  const net = new TfNetwork(initParams(cfg.hidden, cfg.seed));
  // Only the scorer is fitted: the value MLP is for PPO fine-tuning, which starts from these weights.
  const vars = (Object.keys(net.vars) as (keyof typeof net.vars)[]).filter((k) => k.startsWith('p')).map((k) => net.vars[k]);
  const adam = new Adam(vars);
  const rngShuffle = new Stream('hindsight-minibatches', cfg.seed);

  // ---- validation baseline: the base rule on the validation seeds
  const valSeeds = Array.from({ length: cfg.validationSeeds }, (_, v) => cfg.seed + 2_000_000 + v);
  const baseVal = valSeeds.map((seed) => {
    const run = simulate(world, base, { seed, ...(days ? { days } : {}) });
    const k = computeKpis(run);
    run.ledger.release();
    return { reward: k.kpis.reward, misses: k.kpis.contractPeriodsMissed };
  });

  const metrics: RoundMetrics[] = [];
  let best: { params: NetworkParams; reward: number; misses: number; round: number } | null = null;
  let nextSeed = cfg.seed + cfg.episodesPerRound;
  for (let round = 0; round <= cfg.rounds; round++) {
    const before = round === 0 ? 0 : data.length;
    if (round > 0) {
      if (cfg.maxSeconds !== null && (performance.now() - started) / 1000 > cfg.maxSeconds) break;
      const actor = new Network(net.toParams(), spec);
      for (let e = 0; e < cfg.episodesPerRound; e++) append(data, (await play(nextSeed++, actor, keep)).labelled);
    }
    const fit = fitEpochs(net, adam, vars, drawSample(data, cfg.fitSamplesPerRound, rngShuffle), spec, cfg, rngShuffle);
    if (!Number.isFinite(fit.loss)) throw new NothingToLearnError(`${world.scenario.name}: training loss is ${fit.loss} in round ${round}`);
    // ---- validate: the network decides greedily on held-out seeds
    const params = net.toParams();
    const policy = new NetworkPolicy('candidate', `round-${round}`, new Network(params, spec), { minUnitMargin: 0 }, base, 'greedy');
    const val = valSeeds.map((seed) => {
      const run = simulate(world, policy, { seed, ...(days ? { days } : {}) });
      const k = computeKpis(run);
      const misses = k.kpis.contractPeriodsMissed;
      const short = shortfallShares(world, run);
      run.ledger.release();
      return { reward: k.kpis.reward, cfill: k.kpis.contractFillRate, misses, short };
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const m: RoundMetrics = {
      round,
      samples: data.length - before,
      aggregate: data.length,
      loss: fit.loss,
      accuracy: fit.accuracy,
      val_reward: mean(val.map((v) => v.reward)),
      val_reward_vs_base: mean(val.map((v, i) => v.reward - baseVal[i]!.reward)),
      val_contract_fill: mean(val.map((v) => v.cfill)),
      val_contract_misses: val.reduce((a, v) => a + v.misses, 0),
      base_contract_misses: baseVal.reduce((a, v) => a + v.misses, 0),
      contract_buffer: Math.max(0, ...contractBuffer),
      seconds: (performance.now() - started) / 1000,
    };
    metrics.push(m);
    hooks.onRound?.(m);
    // With hard contracts a checkpoint that breaks fewer commitments comes first; then reward.
    const misses = cfg.hardContracts ? m.val_contract_misses : 0;
    if (!best || misses < best.misses || (misses === best.misses && m.val_reward > best.reward)) best = { params, reward: m.val_reward, misses, round };
    // Commitments as constraints, learned: a contract the network left short in validation gets a larger
    // margin in the plans it imitates (by the worst period's shortfall share), and every plan label is redone.
    // The margin measures the imitation's errors in the states it reaches itself, so round 0 (fitted to the
    // expert's states only, never to its own) does not set it.
    if (planner && cfg.hardContracts && round > 0 && round < cfg.rounds) {
      let raised = false;
      world.scenario.segments.forEach((g, gi) => {
        const worst = Math.max(0, ...val.map((v) => v.short[gi]!));
        if (!g.contract || worst <= 0) return;
        const next = Math.min(1 - g.contract.fillRateTarget, contractBuffer[gi]! + worst);
        if (next > contractBuffer[gi]!) raised = true;
        contractBuffer[gi] = next;
      });
      if (raised) await relabel(data, (seed, from) => (from === 0 ? planner(seed, days, contractBuffer) : planFrom(records.get(seed)!, seed, from)), cfg.stakes);
    }
  }
  net.dispose();
  adam.dispose();
  return { params: best!.params, spec, config: cfg, derived: report, metrics, bestRound: best!.round };
}

/** Units of each scarce SKU the run had allocated before an hour (from its ledger's allocations). */
function allocationsBySku(run: SimResult, scarce: ReadonlySet<number>): (k: number, hour: number) => number {
  const L = run.ledger;
  const by = new Map<number, { t: number[]; cum: number[] }>();
  for (let i = 0; i < L.length; i++) {
    if (L.kind[i] !== EntryKind.ALLOCATE || !scarce.has(L.sku[i]!)) continue;
    let c = by.get(L.sku[i]!);
    if (!c) by.set(L.sku[i]!, (c = { t: [], cum: [] }));
    c.t.push(L.time[i]!);
    c.cum.push((c.cum.length ? c.cum[c.cum.length - 1]! : 0) + L.qty[i]!);
  }
  return (k, hour) => {
    const c = by.get(k);
    return c ? unitsBefore(c.t, c.cum, hour - 1e-6) : 0;
  };
}

/** The hours plans start from: 0 and the starts of `replans − 1` more evenly spaced days (distinct, ascending). */
export function replanHours(days: number, replans: number): number[] {
  const hours = new Set<number>([0]);
  for (let j = 1; j < replans; j++) hours.add(24 * Math.floor((j * days) / replans));
  return [...hours].sort((a, b) => a - b);
}

/** The largest of ascending `hours` at or before `hour` (the first when none is). */
function latestAtOrBefore(hours: readonly number[], hour: number): number {
  let h = hours[0]!;
  for (const x of hours) if (x <= hour + 1e-6) h = x;
  return h;
}

/** An episode's allocations (time order) and contract period closes, from its ledger. */
export function episodeRecord(world: World, run: SimResult, ordered: ArrayLike<number>): EpisodeRecord {
  const L = run.ledger;
  const idx: number[] = [];
  const closes = world.scenario.segments.map((): number[] => []);
  for (let i = 0; i < L.length; i++) {
    if (L.kind[i] === EntryKind.ALLOCATE) idx.push(i);
    else if (L.kind[i] === EntryKind.CONTRACT_PERIOD) closes[L.segment[i]!]!.push(L.time[i]!);
  }
  const pick = <T extends Int32Array | Float64Array>(out: T, col: ArrayLike<number>): T => {
    idx.forEach((i, n) => (out[n] = col[i]!));
    return out;
  };
  const n = idx.length;
  return {
    ordered,
    alloc: {
      order: pick(new Int32Array(n), L.order),
      warehouse: pick(new Int32Array(n), L.warehouse),
      sku: pick(new Int32Array(n), L.sku),
      segment: pick(new Int32Array(n), L.segment),
      hour: pick(new Float64Array(n), L.time),
      units: pick(new Float64Array(n), L.qty),
      count: n,
    },
    closes,
  };
}

/**
 * The state an episode had reached at `hour` (before its allocations at `hour`): what is left of
 * every order, the stock of SKUs without replenishment on hand and unallocated (opening stock and
 * scheduled inbound landed before `hour`, less allocations), and each segment's credit in its
 * open contract period; and how many of its allocations came before.
 */
export function startAt(world: World, record: EpisodeRecord, hour: number, horizonDays: number): { start: PlanStart; past: number } {
  const S = world.skus.length;
  const remaining = Float64Array.from(record.ordered);
  const onHand = Float64Array.from(world.initialStock);
  for (const b of world.scenario.inbound) {
    if (b.day * 24 >= Math.min(hour, horizonDays * 24)) continue;
    onHand[world.warehouseIndex.get(b.warehouse)! * S + world.skuIndex.get(b.sku)!]! += b.quantity;
  }
  const opened = record.closes.map((c) => {
    let last = -Infinity;
    for (const t of c) if (t < hour - 1e-6) last = t;
    return last;
  });
  const credited = new Float64Array(record.closes.length);
  const a = record.alloc;
  let n = 0;
  for (; n < a.count && a.hour[n]! < hour - 1e-6; n++) {
    const u = a.units[n]!;
    remaining[a.order[n]!]! -= u;
    onHand[a.warehouse[n]! * S + a.sku[n]!]! -= u;
    if (a.hour[n]! > opened[a.segment[n]!]! + 1e-6) credited[a.segment[n]!]! += u;
  }
  return { start: { hour, remaining, onHand, credited }, past: n };
}

/** Appends in place (a spread of 100,000 arguments overflows the stack). */
function append<T>(to: T[], from: readonly T[]): void {
  for (const x of from) to.push(x);
}

/** Up to n samples drawn uniformly without replacement (all of them when there are fewer). */
function drawSample<T>(data: readonly T[], n: number, rng: Stream): readonly T[] {
  if (data.length <= n) return data;
  const idx = Array.from({ length: data.length }, (_, i) => i);
  shuffle(idx, rng);
  return idx.slice(0, n).map((i) => data[i]!);
}

/** The soft target of a step: a softmax of its hindsight values at temperature `tau` (money per unit). */
function toSample(obs: Observation, q: Float64Array, tau: number, scarce: boolean, plan: PlanStep | null, weight: number): Sample {
  const n = q.length;
  let mx = -Infinity;
  let best = 0;
  for (let k = 0; k < n; k++) {
    if (q[k]! > mx) {
      mx = q[k]!;
      best = k;
    }
  }
  const t = new Float32Array(n);
  let z = 0;
  for (let k = 0; k < n; k++) z += t[k] = q[k] === -Infinity ? 0 : Math.exp((q[k]! - mx) / Math.max(1e-6, tau));
  for (let k = 0; k < n; k++) t[k] = t[k]! / z;
  return plan ? { obs, target: t, best, scarce, tau, plan, weight } : { obs, target: t, best, scarce, tau, weight };
}


/** Labels every plan-labelled sample again from its seed's new plan (from the same state). */
async function relabel(data: Sample[], planner: (seed: number, from: number) => Promise<HindsightPlanData>, stakes: boolean): Promise<void> {
  const byPlan = new Map<string, number[]>();
  data.forEach((d, i) => {
    if (!d.plan) return;
    const key = `${d.plan.seed} ${d.plan.from}`;
    const list = byPlan.get(key);
    if (list) list.push(i);
    else byPlan.set(key, [i]);
  });
  for (const idx of byPlan.values()) {
    const first = data[idx[0]!]!.plan!;
    const plan = new HindsightPlan(await planner(first.seed, first.from));
    for (const i of idx) {
      const d = data[i]!;
      const q = planValues(d.plan!, plan);
      data[i] = toSample(d.obs, q, d.tau, d.scarce, d.plan!, stakes ? planStake(d.plan!, plan, q) : 1);
    }
  }
}

/** Per segment: the largest shortfall of a contract period as a share of the units it required (0 without a contract). */
function shortfallShares(world: World, run: SimResult): number[] {
  const segs = world.scenario.segments;
  const out = segs.map(() => 0);
  const L = run.ledger;
  // A period's close (CONTRACT_PERIOD: units ordered) is followed by its shortfall penalty, if any (units short).
  const required = segs.map(() => 0);
  for (let i = 0; i < L.length; i++) {
    const g = L.segment[i]!;
    if (L.kind[i] === EntryKind.CONTRACT_PERIOD) {
      const ct = segs[g]!.contract!;
      required[g] = ct.fillRateTarget * Math.min(L.qty[i]!, ct.committedUnitsPerPeriod);
    } else if (L.kind[i] === EntryKind.PENALTY_CONTRACT && required[g]! > 0) out[g] = Math.max(out[g]!, L.qty[i]! / required[g]!);
  }
  return out;
}

/** Epochs of (weighted) soft cross-entropy over shuffled minibatches; returns the last epoch's mean loss and accuracy. */
function fitEpochs(
  net: TfNetwork,
  adam: Adam,
  vars: tf.Variable[],
  data: readonly Sample[],
  spec: FeatureSpec,
  cfg: HindsightConfig,
  rng: Stream,
): { loss: number; accuracy: number } {
  const N = data.length;
  const order = Array.from({ length: N }, (_, i) => i);
  const obs = data.map((d) => d.obs);
  // Plan labels count by their stake, scaled so that they weigh as much on average as the other labels.
  let stakeSum = 0;
  let staked = 0;
  for (const d of data) if (d.plan) (stakeSum += d.weight), staked++;
  const stakeScale = stakeSum > 0 ? staked / stakeSum : 1;
  const weightOf = (d: Sample) => (d.plan ? (stakeSum > 0 ? d.weight * stakeScale : 1) : 1);
  let loss = NaN;
  let accuracy = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    shuffle(order, rng);
    let ls = 0;
    let as = 0;
    let batches = 0;
    for (let s = 0; s < N; s += cfg.minibatch) {
      const idx = order.slice(s, s + cfg.minibatch);
      const b = buildBatch(idx, obs, spec);
      // Targets padded like the logits: options 0..count-1, zeros, defer in the last column.
      const tgt = new Float32Array(b.n * (b.K + 1));
      const bestIx = new Int32Array(b.n);
      const wt = new Float32Array(b.n);
      idx.forEach((i, r) => {
        const d = data[i]!;
        wt[r] = weightOf(d);
        const c = d.obs.count;
        for (let k = 0; k < c; k++) tgt[r * (b.K + 1) + k] = d.target[k]!;
        tgt[r * (b.K + 1) + b.K] = d.target[c]!;
        bestIx[r] = d.best === c ? b.K : d.best;
      });
      const [l, a] = tf.tidy(() => {
        const cand = tf.tensor3d(b.cand, [b.n, b.K, NC]);
        const ctx = tf.tensor2d(b.ctx, [b.n, NX]);
        const mask = tf.tensor2d(b.mask, [b.n, b.K + 1]);
        const target = tf.tensor2d(tgt, [b.n, b.K + 1]);
        const bestT = tf.tensor1d(bestIx, 'int32');
        const weights = tf.tensor1d(wt);
        let accT: tf.Tensor | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const lp = net.logProbs(cand, ctx, mask, b.n, b.K);
          accT = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(lp, 1), bestT), 'float32')));
          // Masked options have log-probability −inf and target 0: multiply only where the mask is set.
          return tf.neg(tf.mean(tf.mul(tf.sum(tf.mul(tf.mul(tf.where(tf.greater(mask, 0), lp, tf.zerosLike(lp)), target), mask), 1), weights))) as tf.Scalar;
        }, vars);
        const clipped = clipByGlobalNorm(vars.map((v) => grads[v.name]!), 5);
        adam.apply(clipped, cfg.learningRate);
        const out = [value.dataSync()[0]!, (accT as unknown as tf.Tensor).dataSync()[0]!];
        (accT as unknown as tf.Tensor).dispose();
        return out;
      });
      ls += l!;
      as += a!;
      batches++;
    }
    loss = ls / Math.max(1, batches);
    accuracy = as / Math.max(1, batches);
  }
  return { loss, accuracy };
}
