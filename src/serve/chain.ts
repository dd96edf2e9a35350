import type { Stream } from '../sim/kernel/random.js';
import { chooseMode, greedyFill, TakenStock } from '../sim/policies/helpers.js';
import { validateDecision, type DecidedBy, type Decision, type DecisionContext, type LineDecision, type Policy } from '../sim/policies/contract.js';
import { nonFinite, type ModelSlot } from './model-slot.js';
import { unavailable, UnavailableError, type FallbackReason, type LoadedModel, type ModelAnswer } from './model.js';
import type { FeatureRow } from './audit.js';

/** How the chain treats the model. */
export interface ChainConfig {
  /** Longest the model may take on one request, ms (the request's deadline may cut it shorter). */
  modelBudgetMs: number;
  /** Time kept back from the caller's deadline for rules, audit and the network, ms (on top of 20% of what is left). */
  reserveMs: number;
  /** Low confidence: the model steps aside when, on some line, its top two softmax probabilities differ by less than this. 0 disables. */
  minMargin: number;
  /** Shadow mode: rules decide, the model's choice is only logged. */
  shadow: boolean;
  /** ε-exploration: probability of a uniformly random first-choice warehouse per line. 0 disables. */
  epsilon: number;
}

export const DEFAULT_CHAIN_CONFIG: ChainConfig = { modelBudgetMs: 50, reserveMs: 5, minMargin: 0.02, shadow: false, epsilon: 0 };

/** What the model would have done, in shadow mode. */
export interface ShadowResult {
  decision?: Decision;
  reason: FallbackReason;
  detail: string;
}

/** The chain's answer for one context. */
export interface Outcome {
  decision: Decision;
  reason: FallbackReason;
  detail: string;
  features?: readonly FeatureRow[];
  shadow?: ShadowResult;
  /** True when ε-exploration replaced the policy's choice. */
  explored: boolean;
}

/** Per-request inputs of the chain. */
export interface DecideOptions {
  /** Caller's deadline, ms since the epoch (Infinity when none). */
  deadline: number;
  /** Rules by request. */
  forceRules: boolean;
  /**
   * The model version to use (null: none), for a request that yields between its
   * decisions and keeps the version it started with (leased); default: the one
   * taking traffic now.
   */
  model?: LoadedModel | null;
}

/** A successful model-stage answer. */
interface StageAnswer {
  decision: Decision;
  features?: readonly FeatureRow[];
}

/**
 * The fallback chain: the model, then the rule strategy. The model stage turns
 * every model problem (absent, throws, non-finite or impossible answer, inputs
 * outside its training ranges, unsure, too slow for the deadline) into an
 * `UnavailableError` with its reason; the chain moves on only for that error and
 * lets anything else through, so a bug in the service is never hidden as a
 * fallback. Shadow mode and ε-exploration wrap the chain.
 */
export class DecisionChain {
  private by: { model: LoadedModel; value: DecidedBy } | null = null;

  constructor(
    private readonly slot: ModelSlot,
    /** The rule strategy the chain falls back to (read per request: ActivatePolicy may change it). */
    private readonly rules: () => Policy,
    /** True when the operator made a rule strategy the active policy. */
    private readonly rulesActive: () => boolean,
    readonly config: ChainConfig,
    private readonly explore: Stream,
  ) {}

  /**
   * Decides one context. Synchronous whenever every stage that runs answers
   * synchronously (rules, the tensor-free model); a promise only when the model
   * answers asynchronously — so a batch of a thousand orders does not pay a
   * thousand promise turns.
   */
  decide(ctx: DecisionContext, opts: DecideOptions): Outcome | Promise<Outcome> {
    const forced = opts.forceRules || this.rulesActive() || this.config.shadow;
    if (!forced) {
      const out = this.chain(ctx, opts.deadline, opts.model === undefined ? this.slot.current : opts.model);
      if (this.config.epsilon <= 0) return out;
      return isPromise(out) ? out.then((o) => this.explored(ctx, o)) : this.explored(ctx, out);
    }
    const out: Outcome = { decision: this.rulesDecide(ctx), reason: 'forced', detail: this.forcedWhy(opts), explored: false };
    if (!this.config.shadow || opts.forceRules || this.rulesActive()) return this.explored(ctx, out);
    return this.shadowed(ctx, out, opts.deadline, opts.model === undefined ? this.slot.current : opts.model);
  }

  /** Shadow mode: runs the model beside the rules' decision and logs what it would have done. */
  private async shadowed(ctx: DecisionContext, out: Outcome, deadline: number, model: LoadedModel | null): Promise<Outcome> {
    try {
      const a = await this.modelStage(ctx, deadline, model);
      out.shadow = { decision: a.decision, reason: 'none', detail: '' };
      out.features = a.features;
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      out.shadow = { reason: err.reason, detail: err.message };
    }
    return this.explored(ctx, out);
  }

  private explored(ctx: DecisionContext, out: Outcome): Outcome {
    if (this.config.epsilon > 0) this.maybeExplore(ctx, out);
    return out;
  }

  private forcedWhy(opts: DecideOptions): string {
    if (opts.forceRules) return 'force_rules in request';
    if (this.rulesActive()) return `active policy is rule strategy ${this.rules().name}`;
    return 'shadow mode';
  }

  /** Model, then rules. A missing model is the common case of a rules-only service: no error object is made for it. */
  private chain(ctx: DecisionContext, deadline: number, model: LoadedModel | null): Outcome | Promise<Outcome> {
    if (!model) {
      const detail = this.slot.hasProvider ? 'no model version is loaded' : 'no model configured';
      return { decision: this.rulesDecide(ctx), reason: 'no_model', detail, explored: false };
    }
    let a: StageAnswer | Promise<StageAnswer>;
    try {
      a = this.modelStage(ctx, deadline, model);
    } catch (err) {
      return this.fallBack(ctx, err);
    }
    if (!isPromise(a)) return { decision: a.decision, features: a.features, reason: 'none', detail: '', explored: false };
    return a.then(
      (r): Outcome => ({ decision: r.decision, features: r.features, reason: 'none', detail: '', explored: false }),
      (err: unknown) => this.fallBack(ctx, err),
    );
  }

  /** The rules stage after the model stepped aside; anything but `UnavailableError` is a bug and propagates. */
  private fallBack(ctx: DecisionContext, err: unknown): Outcome {
    if (!(err instanceof UnavailableError)) throw err;
    return { decision: this.rulesDecide(ctx), reason: err.reason, detail: err.message, explored: false };
  }

  private rulesDecide(ctx: DecisionContext): Decision {
    const d = this.rules().decide(ctx);
    validateDecision(ctx, d);
    return d;
  }

  /**
   * Runs the model within the budget, or raises `UnavailableError` with the
   * reason. Synchronous for a synchronous model; a promise only when the model
   * answers asynchronously (then raced against the budget).
   */
  private modelStage(ctx: DecisionContext, deadline: number, model: LoadedModel | null): StageAnswer | Promise<StageAnswer> {
    // A synchronous answer needs no lease: a swap can only retire the version between
    // turns of the event loop, after this call. An asynchronous one leases the version
    // it started with until it settles (see ModelSlot).
    if (!model) throw unavailable('no_model', this.slot.hasProvider ? 'no model version is loaded' : 'no model configured');
    let ood: string | null;
    try {
      ood = model.checkInputs(ctx);
    } catch (err) {
      throw unavailable('model_error', `input check failed: ${message(err)}`, { cause: err });
    }
    if (ood) throw unavailable('out_of_distribution', ood);
    // The model gets at most 80% of what is left of the caller's deadline, less the
    // reserve: the rules, the audit commit and the trip back need the rest.
    const remaining = deadline === Infinity ? Infinity : 0.8 * (deadline - Date.now()) - this.config.reserveMs;
    const budget = Math.min(this.config.modelBudgetMs, remaining);
    if (budget <= 0 || this.slot.latencyMs > budget) {
      // Decay the estimate so a model that was slow once gets tried again.
      this.slot.latencyMs *= 0.99;
      throw unavailable('deadline', `budget ${budget.toFixed(1)} ms < expected model latency ${this.slot.latencyMs.toFixed(2)} ms`);
    }
    const t0 = performance.now();
    let r: ModelAnswer | Promise<ModelAnswer>;
    try {
      r = model.decide(ctx);
    } catch (err) {
      throw unavailable('model_error', message(err), { cause: err });
    }
    if (!isPromise(r)) return this.checkAnswer(ctx, r, t0, budget, model, deadline);
    // Asynchronous model: the lease lasts until it settles, even if we stop waiting.
    const lease = this.slot.lease(model);
    const done = r.finally(() => lease.release());
    done.catch(() => undefined);
    return withTimeout(done, budget).then(
      (ans) => this.checkAnswer(ctx, ans, t0, budget, model, deadline),
      (err: unknown) => {
        if (err instanceof TimeoutError) {
          this.slot.observe(performance.now() - t0);
          throw unavailable('deadline', `model took longer than its budget of ${budget.toFixed(1)} ms`);
        }
        throw unavailable('model_error', message(err), { cause: err });
      },
    );
  }

  /**
   * Checks a model answer: on time, finite, possible, confident. Raises
   * `UnavailableError` otherwise. On time: within `--model-budget-ms`, and before
   * the caller's deadline. An answer in hand that took longer than its share of
   * the caller's budget is still used while the deadline has not passed: the
   * rules would only add their own time to it.
   */
  private checkAnswer(ctx: DecisionContext, ans: ModelAnswer, t0: number, budget: number, model: LoadedModel, deadline: number): StageAnswer {
    const ms = performance.now() - t0;
    this.slot.observe(ms);
    if (ms > this.config.modelBudgetMs || (ms > budget && Date.now() >= deadline)) {
      throw unavailable('deadline', `model answered in ${ms.toFixed(1)} ms, budget ${budget.toFixed(1)} ms`);
    }
    const d = ans?.decision;
    if (!d || !Array.isArray(d.lines)) throw unavailable('model_error', 'model answered no decision');
    const bad = nonFinite(d);
    if (bad) throw unavailable('model_error', bad);
    try {
      validateDecision(ctx, d);
    } catch (err) {
      throw unavailable('model_error', `impossible decision: ${message(err)}`, { cause: err });
    }
    const unsure = this.config.minMargin > 0 ? lowConfidence(ctx, d, this.config.minMargin, ans.scored) : null;
    if (unsure) throw unavailable('low_confidence', unsure);
    // The model says it chose nothing (its base rule decided every line, for the reason given): the rules stage answers, and says why.
    if (d.decidedBy?.kind === 'rules' && d.decidedBy.reason) throw unavailable('out_of_scope', d.decidedBy.reason);
    d.decidedBy = this.decidedBy(model);
    if (d.propensity === undefined) d.propensity = 1;
    return { decision: d, features: ans.features };
  }

  /** Who decided, for a model version: one frozen object per version, not one per decision. */
  private decidedBy(model: LoadedModel): DecidedBy {
    const c = this.by;
    if (c && c.model === model) return c.value;
    const value: DecidedBy = Object.freeze({ kind: 'model', name: model.name, version: model.version });
    this.by = { model, value };
    return value;
  }

  /**
   * ε-exploration. With probability ε, every line's first-choice warehouse is
   * drawn uniformly from its candidates (the rest of the line filled by the
   * policy's scores). The logged propensity is the behaviour policy's
   * probability of the action taken, the action being the tuple of first-choice
   * warehouses: (1−ε)·p·[action = policy's] + ε·Π 1/|candidates|.
   */
  private maybeExplore(ctx: DecisionContext, out: Outcome): void {
    const eps = this.config.epsilon;
    const base = out.decision;
    const p = base.propensity ?? 1;
    let uniformP = 1;
    for (const l of ctx.order.lines) if (l.candidates.length > 0) uniformP /= l.candidates.length;
    const firstChoice = (d: Decision) => d.lines.map((l) => l.allocations[0]?.warehouse ?? '');
    const greedy = firstChoice(base);
    const reachable = ctx.order.lines.every((l, i) => l.candidates.length === 0 || l.candidates.some((c) => c.warehouse === greedy[i]));
    if (this.explore.uniform() >= eps) {
      base.propensity = (1 - eps) * p + (reachable ? eps * uniformP : 0);
      return;
    }
    // Lines of one SKU share its stock: each line takes only what earlier lines left.
    const taken = new TakenStock();
    const lines: LineDecision[] = ctx.order.lines.map((l, i) => {
      if (l.candidates.length === 0) return base.lines[i]!;
      const k = Math.min(l.candidates.length - 1, Math.floor(this.explore.uniform() * l.candidates.length));
      const c = l.candidates[k]!;
      const q = Math.min(l.quantity, taken.left(l, c));
      const rest = l.candidates.filter((_, j) => j !== k);
      const scores = base.scores?.[i];
      const costs = rest.map((x) => -(scores?.[l.candidates.indexOf(x)] ?? 0));
      const tail = greedyFill(ctx.order, { ...l, quantity: l.quantity - q, candidates: rest }, costs, l.quantity - q, true, taken);
      const first = q > 0 ? [{ warehouse: c.warehouse, quantity: q, mode: chooseMode(ctx.order, c).mode }] : [];
      const d: LineDecision = { allocations: [...first, ...tail.allocations], backordered: tail.backordered };
      taken.takeLine(l.sku, d);
      return d;
    });
    const explored: Decision = { lines, scores: base.scores, decidedBy: base.decidedBy };
    validateDecision(ctx, explored);
    const same = firstChoice(explored).every((w, i) => w === greedy[i]);
    explored.propensity = (same ? (1 - eps) * p : 0) + eps * uniformP;
    out.decision = explored;
    out.explored = true;
  }
}

/** Describes the first line where the model's top two choices are too close, or null. */
export function lowConfidence(ctx: DecisionContext, d: Decision, minMargin: number, scored?: readonly boolean[]): string | null {
  const scores = d.scores;
  if (!scores) return null;
  for (let i = 0; i < ctx.order.lines.length; i++) {
    if (scored && scored[i] === false) continue;
    const row = scores[i];
    const cands = ctx.order.lines[i]!.candidates;
    if (!row || row.length < 2 || cands.length < 2) continue;
    let max = -Infinity;
    for (const x of row) if (x > max) max = x;
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    let a = 0;
    let b = -1;
    for (let j = 1; j < row.length; j++) {
      if (row[j]! > row[a]!) {
        b = a;
        a = j;
      } else if (b < 0 || row[j]! > row[b]!) b = j;
    }
    const pa = Math.exp(row[a]! - max) / sum;
    const pb = Math.exp(row[b]! - max) / sum;
    if (pa - pb < minMargin) {
      return `line ${i}: top choices ${cands[a]?.warehouse ?? a}(p=${pa.toFixed(3)}) and ${cands[b]?.warehouse ?? b}(p=${pb.toFixed(3)}) differ by less than ${minMargin}`;
    }
  }
  return null;
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  if (ms === Infinity) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new TimeoutError()), Math.max(0, ms));
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown })?.then === 'function';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
