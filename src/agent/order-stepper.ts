import type { Allocation, Decision, DecisionContext, LineDecision, Policy } from '../sim/policies/contract.js';
import { TakenStock } from '../sim/policies/helpers.js';
import { encodeStep, NO_DERIVED, type DerivedInputs, type EncodedStep } from './features/encoder.js';

/**
 * Which lines the agent decides. Lines outside the scope are decided by the base
 * rule without a step, so the agent spends its steps where stock is contested.
 */
export interface AgentScope {
  /** Lines whose unit margin (price − cost) is below this go to the base rule; 0 (the default of trained models) = the agent decides every line. */
  minUnitMargin: number;
}

/** Raised for a bad action or a call out of turn; names the value. */
export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** The line-stepping state of one order: shared by the environment and the network policy. */
export class OrderStepper {
  readonly lines: LineDecision[] = [];
  /** Per line: true when the network chose it (false: the base rule, or nothing to choose). */
  readonly byModel: boolean[] = [];
  private lineIndex = -1;
  private taken: number[] = [];
  private remaining = 0;
  private baseDecision: Decision | null = null;
  /** Units earlier lines of this order took: a repeated SKU sees what is left. */
  private readonly takenBySku = new TakenStock();
  /** The pending line has taken nothing yet. */
  private fresh = false;
  step: EncodedStep | null = null;

  /**
   * `firstSteps`, when given, holds each line's first step already encoded (as
   * `encodeStep(ctx, i, [], quantity, derived)`, null to encode here); a line's
   * first step depends only on the context, so the service reuses the encoding of
   * its input-range check instead of encoding twice. It is ignored for a line
   * whose SKU an earlier line of the order already drew on.
   */
  constructor(
    readonly ctx: DecisionContext,
    private readonly scope: AgentScope,
    private readonly basePolicy: Policy,
    private readonly firstSteps?: readonly (EncodedStep | null)[],
    private readonly derived: DerivedInputs = NO_DERIVED,
  ) {
    this.advance();
  }

  /** True when the line is the agent's to decide. */
  inScope(i: number): boolean {
    const l = this.ctx.order.lines[i]!;
    return l.unitPrice - l.unitCost >= this.scope.minUnitMargin;
  }

  /** Index of the line the pending step belongs to. */
  get line(): number {
    return this.lineIndex;
  }

  /** True when the network made at least one choice for this order. */
  get anyByModel(): boolean {
    return this.byModel.some((x) => x);
  }

  /** Applies an action to the pending step, then moves to the next step (or the end). */
  act(action: number): void {
    const s = this.step;
    if (!s) throw new EnvError('no pending step');
    if (!Number.isInteger(action) || action < 0 || action > s.open.length) {
      throw new EnvError(`action(=${action}) must be a whole number in 0..${s.open.length}`);
    }
    this.byModel[this.lineIndex] = true;
    const decision = this.lines[this.lineIndex]!;
    if (action === s.open.length) {
      this.remaining = 0;
    } else {
      const j = s.open[action]!;
      const line = this.ctx.order.lines[this.lineIndex]!;
      const c = line.candidates[j]!;
      const mode = c.modes[s.modes[action]!]!.mode;
      const q = Math.min(this.remaining, c.available - (this.taken[j] ?? 0));
      this.taken[j] = (this.taken[j] ?? 0) + q;
      this.remaining -= q;
      this.takenBySku.take(line.sku, c.warehouse, q);
      const existing = decision.allocations.find((a) => a.warehouse === c.warehouse && a.mode === mode);
      if (existing) existing.quantity += q;
      else decision.allocations.push({ warehouse: c.warehouse, quantity: q, mode });
    }
    this.advance();
  }

  /** The decision, once no step is pending. */
  decision(scores?: number[][]): Decision {
    const lines = this.lines.map((d, i) => {
      let placed = 0;
      for (const a of d.allocations) placed += a.quantity;
      return { allocations: d.allocations, backordered: this.ctx.order.lines[i]!.quantity - placed };
    });
    return scores ? { lines, scores } : { lines };
  }

  private advance(): void {
    const lines = this.ctx.order.lines;
    for (;;) {
      if (this.lineIndex >= 0 && this.remaining > 0) {
        const first = this.fresh ? this.firstSteps?.[this.lineIndex] : undefined;
        this.fresh = false;
        const s = first ?? encodeStep(this.ctx, this.lineIndex, this.taken, this.remaining, this.derived);
        if (s.open.length > 0) {
          this.step = s;
          return;
        }
      }
      this.lineIndex++;
      if (this.lineIndex >= lines.length) {
        this.step = null;
        return;
      }
      const line = lines[this.lineIndex]!;
      this.byModel.push(false);
      if (this.inScope(this.lineIndex)) {
        this.lines.push({ allocations: [], backordered: 0 });
        let drawn = false;
        this.taken = line.candidates.map((c) => {
          const t = this.takenBySku.at(line.sku, c.warehouse);
          if (t > 0) drawn = true;
          return t;
        });
        this.remaining = line.quantity;
        this.fresh = !drawn;
      } else {
        this.baseDecision ??= this.basePolicy.decide(this.ctx);
        const d = this.baseDecision.lines[this.lineIndex]!;
        this.lines.push({ allocations: d.allocations.map((a: Allocation) => ({ ...a })), backordered: d.backordered });
        this.takenBySku.takeLine(line.sku, d);
        this.remaining = 0;
      }
    }
  }
}
