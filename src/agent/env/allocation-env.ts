import { Simulation } from '../../sim/engine.js';
import { EntryKind, orderIndexOf } from '../../sim/ledger.js';
import type { SimResult } from '../../sim/index.js';
import type { World } from '../../sim/model/world.js';
import type { DecisionContext, LineDecision, Policy } from '../../sim/policies/contract.js';
import { NC, NX, shadowPrice, type DerivedInputs, type EncodedStep } from '../features/encoder.js';
import { EnvError, OrderStepper, type AgentScope } from '../order-stepper.js';

export { EnvError, OrderStepper, type AgentScope };

/** How reward reaches steps. */
export type CreditMode = 'time' | 'order';

export interface AllocationEnvConfig {
  /** The compiled scenario. */
  world: World;
  /** The rule that decides lines outside the agent's scope and sequences each wave (`rank`). */
  basePolicy: Policy;
  /** Lines the agent decides. */
  scope: AgentScope;
  /**
   * `time` (default): every ledger money entry is credited to the decision in
   * force when it lands, so an episode's return is the scenario's reward.
   * `order`: entries of an order the agent decided are credited to that order's
   * latest step (reported later in `info.credits`); a contract shortfall penalty
   * is shared among the steps whose contract orders were lost in that period (pro
   * rata to units; the step in force if none); entries of rule-decided orders and
   * holding costs are left out (`info.untracked`). A lower-variance training
   * signal; evaluation always uses the KPIs.
   */
  credit?: CreditMode;
  /**
   * `order` credit only: an opportunity cost per unit the agent allocates, charged
   * to the allocating step — a shadow price of scarce stock. Per SKU id, a curve of
   * 101 points: the unit margin at the top 0%, 1%, …, 100% of demand. At each step
   * the price is read at the share of the remaining demand (forecast × days left)
   * that the remaining supply (available + inbound) can serve; 0 once supply
   * covers it. So it falls to 0 as the horizon nears and unsold stock is worthless.
   */
  stockCharge?: Readonly<Record<string, readonly number[]>>;
  /** What the model derived from the scenario, as its encoder sees it (reward weights, opportunity-cost curves). */
  derived?: DerivedInputs;
  /** Horizon override, days. */
  days?: number;
  /** Multiplies every reward (money) before it is returned. */
  rewardScale?: number;
}

/**
 * One observation: the open candidates' features (count × NC, row-major) and the
 * order/global context (NX). Actions are 0..count-1 (ship the remainder, or all
 * the candidate has, from that candidate) or `count` (defer the remainder).
 */
export interface Observation {
  count: number;
  candidates: Float32Array;
  context: Float32Array;
}

export interface StepInfo {
  /** Episode-local index of the step this observation asks for (−1 when done). */
  stepIndex: number;
  /** Late credits for earlier steps of this episode, `credit: 'order'` only: [stepIndex, amount]. */
  credits: [number, number][];
  /** Money left out of the reward in `order` mode (already scaled). */
  untracked: number;
  /** Set on the last step: the finished run. */
  result?: SimResult;
}

export interface StepResult {
  obs: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

const EMPTY_OBS: Observation = { count: 0, candidates: new Float32Array(0), context: new Float32Array(NX) };

/** Reward sign of every money entry kind: +1 margin in, −1 margin out, −2 penalty. */
const MONEY_SIGN = new Int8Array(32);
MONEY_SIGN[EntryKind.REVENUE] = 1;
MONEY_SIGN[EntryKind.COGS] = -1;
MONEY_SIGN[EntryKind.SHIPPING_COST] = -1;
MONEY_SIGN[EntryKind.HANDLING_COST] = -1;
MONEY_SIGN[EntryKind.HOLDING_COST] = -1;
MONEY_SIGN[EntryKind.PENALTY_LATE] = -2;
MONEY_SIGN[EntryKind.PENALTY_LOST_SALE] = -2;
MONEY_SIGN[EntryKind.PENALTY_CONTRACT] = -2;

/**
 * The allocation environment, with Gymnasium semantics as objects:
 * `reset({ seed }) → { obs, info }`, `step(action) → { obs, reward, terminated,
 * truncated, info }`. One step is one allocation choice for one order line: a
 * candidate warehouse (shipped by the rule's mode for the order) or defer; a line
 * is split by choosing again for its remainder. The scenario's horizon end is
 * `truncated` (the world would go on); nothing terminates early.
 */
export class AllocationEnv {
  private sim: Simulation | null = null;
  private stepper: OrderStepper | null = null;
  private cursor = 0;
  private steps = 0;
  /** Reward that landed before the first step: carried into it so a return is the whole run's. */
  private carry = 0;
  private readonly lastStepOfOrder = new Map<number, number>();
  /** Per contract segment: [step, units] of agent-decided contract orders lost this period. */
  private readonly lostContract = new Map<number, [number, number][]>();
  private readonly marginWeight: number;
  private readonly penaltyWeight: number;
  private readonly scale: number;
  private readonly credit: CreditMode;
  private readonly rankOnly: Policy;

  constructor(readonly config: AllocationEnvConfig) {
    const r = config.world.scenario.reward;
    this.marginWeight = r.marginWeight;
    this.penaltyWeight = r.penaltyWeight;
    this.scale = config.rewardScale ?? 1;
    this.credit = config.credit ?? 'time';
    const base = config.basePolicy;
    // The simulator only asks this policy for `rank`: decisions come from step().
    this.rankOnly = {
      name: 'agent',
      ...(base.rank ? { rank: base.rank.bind(base) } : {}),
      decide() {
        throw new EnvError('external decisions come from step()');
      },
    };
  }

  /** Starts an episode on `seed`: the first observation, or a done episode if nothing needs a decision. */
  reset(options: { seed: number }): { obs: Observation; info: StepInfo } {
    if (!Number.isInteger(options.seed)) throw new EnvError(`seed(=${options.seed}) must be an integer`);
    this.sim = new Simulation(this.config.world, this.rankOnly, { seed: options.seed, days: this.config.days, external: true });
    this.cursor = 0;
    this.steps = 0;
    this.lastStepOfOrder.clear();
    this.lostContract.clear();
    this.stepper = null;
    this.carry = 0;
    const r = this.advance();
    this.carry = r.reward;
    return { obs: r.obs, info: r.info };
  }

  /** True once the episode has ended (or before the first reset). */
  get done(): boolean {
    return this.stepper === null;
  }

  /** The pending step's context (for teachers and diagnostics). */
  get pending(): { ctx: DecisionContext; line: number; open: readonly number[]; modes: readonly number[]; step: EncodedStep } | null {
    const s = this.stepper;
    return s && s.step ? { ctx: s.ctx, line: s.line, open: s.step.open, modes: s.step.modes, step: s.step } : null;
  }

  step(action: number): StepResult {
    const s = this.stepper;
    if (!s) throw new EnvError('step() after the episode ended: call reset()');
    // Only order credit reads which step last touched an order.
    if (this.credit === 'order') this.lastStepOfOrder.set(orderIndexOf(s.ctx.order.id), this.steps);
    this.steps++;
    const line = s.line;
    const charging = this.credit === 'order' && !!this.config.stockCharge;
    const before = charging ? placedUnits(s.lines[line]!) : 0;
    s.act(action);
    let charge = 0;
    if (charging) {
      const l = s.ctx.order.lines[line]!;
      const placed = placedUnits(s.lines[line]!) - before;
      const curve = this.config.stockCharge![l.sku];
      if (curve && placed > 0) charge = placed * shadowPrice(curve, l, s.ctx.hoursLeft) * this.scale;
    }
    this.carry -= charge;
    if (s.step === null) {
      this.sim!.submit(s.decision());
      this.stepper = null;
    }
    return this.advance();
  }

  /** Runs the simulation to the next step the agent must take, collecting reward on the way. */
  private advance(): StepResult {
    const sim = this.sim!;
    while (!this.stepper) {
      const ctx = sim.nextDecision();
      if (!ctx) break;
      const st = new OrderStepper(ctx, this.config.scope, this.config.basePolicy, undefined, this.config.derived);
      if (st.step) this.stepper = st;
      else sim.submit(st.decision());
    }
    const info: StepInfo = { stepIndex: this.stepper ? this.steps : -1, credits: [], untracked: 0 };
    const reward = this.collect(info) + this.carry;
    this.carry = 0;
    if (!this.stepper) {
      info.result = sim.finish();
      return { obs: EMPTY_OBS, reward, terminated: false, truncated: true, info };
    }
    const e = this.stepper.step!;
    return { obs: { count: e.open.length, candidates: e.candidates, context: e.context }, reward, terminated: false, truncated: false, info };
  }

  private contractSegment(g: number): boolean {
    return this.config.world.scenario.segments[g]?.contract !== undefined;
  }

  /** Reads the ledger entries appended since the last step and turns money into reward. */
  private collect(info: StepInfo): number {
    const L = this.sim!.ledger;
    const n = L.length;
    let reward = 0;
    const byOrder = this.credit === 'order';
    for (let i = this.cursor; i < n; i++) {
      const sign = MONEY_SIGN[L.kind[i]!]!;
      if (sign === 0) continue;
      const v = (sign > 0 ? this.marginWeight : sign === -1 ? -this.marginWeight : -this.penaltyWeight) * L.amount[i]! * this.scale;
      if (!byOrder) {
        reward += v;
        continue;
      }
      const o = L.order[i]!;
      const step = o >= 0 ? this.lastStepOfOrder.get(o) : undefined;
      if (step !== undefined) {
        info.credits.push([step, v]);
        if (L.kind[i] === EntryKind.PENALTY_LOST_SALE && this.contractSegment(L.segment[i]!)) {
          const list = this.lostContract.get(L.segment[i]!) ?? [];
          list.push([step, L.qty[i]!]);
          this.lostContract.set(L.segment[i]!, list);
        }
      } else if (L.kind[i] === EntryKind.PENALTY_CONTRACT) {
        const list = this.lostContract.get(L.segment[i]!) ?? [];
        const units = list.reduce((a, x) => a + x[1], 0);
        if (units > 0) for (const [st, q] of list) info.credits.push([st, (v * q) / units]);
        else reward += v;
        this.lostContract.set(L.segment[i]!, []);
      } else info.untracked += v;
    }
    this.cursor = n;
    return reward;
  }
}

function placedUnits(d: LineDecision): number {
  let q = 0;
  for (const a of d.allocations) q += a.quantity;
  return q;
}

export { NC, NX, shadowPrice };
