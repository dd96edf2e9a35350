import type { DecidedBy, Decision, DecisionContext, PendingOrderView, Policy } from '../sim/policies/contract.js';
import { OrderStepper, type AgentScope } from './order-stepper.js';
import type { EncodedStep } from './features/encoder.js';
import { logSoftmax, Network } from './network.js';
import { Stream } from '../sim/kernel/random.js';

/**
 * A trained network as an allocation `Policy`. Each line in the agent's scope is
 * decided step by step (a warehouse and shipping mode, or defer; a split by
 * choosing again), greedily by default; lines outside it, and the wave order,
 * come from the base rule the model was trained with. Tensor-free: no tfjs at
 * decision time.
 *
 * Attribution: a decision is the model's (`decidedBy.kind = 'model'`) only when the
 * network made a choice for it; when every line went to the base rule (outside
 * the scope) or had nothing to choose (no stock anywhere), it is the rule's, named
 * with the reason. `lineDecidedBy` says who decided each line.
 */
export class NetworkPolicy implements Policy {
  readonly rank?: (order: PendingOrderView) => number;
  private readonly logitBuf = new Float64Array(64);
  private readonly lpBuf = new Float64Array(64);
  /** Who decided, the same objects for every decision (never mutated). */
  private readonly by: DecidedBy;
  private readonly byRuleScope: DecidedBy;
  private readonly byRuleNothing: DecidedBy;

  constructor(
    readonly name: string,
    readonly version: string | undefined,
    readonly network: Network,
    private readonly scope: AgentScope,
    private readonly base: Policy,
    /**
     * `greedy` takes the most probable option; `sample` draws from the policy with a
     * stream seeded by the order id and the hour, so the same context still gets
     * the same decision (the policy as trained, exploration included).
     */
    private readonly mode: 'greedy' | 'sample' = 'greedy',
  ) {
    if (base.rank) this.rank = base.rank.bind(base);
    this.by = Object.freeze({ kind: 'model' as const, name, ...(version ? { version } : {}) });
    this.byRuleScope = Object.freeze({ kind: 'rules' as const, name: base.name, reason: `outside the scope of model ${name}` });
    this.byRuleNothing = Object.freeze({ kind: 'rules' as const, name: base.name, reason: 'no stock to choose from' });
  }

  /** `firstSteps`: each line's first step already encoded (see `OrderStepper`). */
  decide(ctx: DecisionContext, firstSteps?: readonly (EncodedStep | null)[]): Decision {
    const st = new OrderStepper(ctx, this.scope, this.base, firstSteps, this.network.spec.derived);
    let propensity = 1;
    const scores: number[][] = ctx.order.lines.map((l) => new Array<number>(l.candidates.length).fill(0));
    const seen = ctx.order.lines.map(() => false);
    const rng = this.mode === 'sample' ? new Stream(`decide:${ctx.order.id}:${ctx.nowHours}`, 0) : null;
    while (st.step) {
      const s = st.step;
      const n = s.open.length;
      const buf = n + 1 <= this.logitBuf.length ? this.logitBuf : new Float64Array(n + 1);
      const logits = this.network.logits(n, s.candidates, s.context, buf);
      const lp = logSoftmax(logits, n + 1, n + 1 <= this.lpBuf.length ? this.lpBuf : undefined);
      let best = 0;
      if (rng) {
        let u = rng.uniform();
        best = n;
        for (let k = 0; k <= n; k++) {
          u -= Math.exp(lp[k]!);
          if (u <= 0) {
            best = k;
            break;
          }
        }
      } else {
        for (let k = 1; k <= n; k++) if (logits[k]! > logits[best]!) best = k;
      }
      propensity *= Math.exp(lp[best]!);
      if (!seen[st.line]) {
        // A candidate's score is its best option's (one option per shipping mode).
        seen[st.line] = true;
        const row = scores[st.line]!;
        for (let k = 0; k < n; k++) {
          const j = s.open[k]!;
          if (row[j] === 0 || lp[k]! > row[j]!) row[j] = lp[k]!;
        }
      }
      st.act(best);
    }
    const d = st.decision(scores);
    d.propensity = propensity;
    if (st.anyByModel) {
      d.decidedBy = this.by;
      if (!st.byModel.every((x) => x)) d.lineDecidedBy = st.byModel.map((x) => (x ? 'model' : 'rules'));
    } else {
      d.decidedBy = ctx.order.lines.some((_, i) => !st.inScope(i)) ? this.byRuleScope : this.byRuleNothing;
    }
    return d;
  }

  /**
   * Scores a batch of contexts for the audit trail or a caller that ranks itself:
   * per context, per line, the log-probability of each candidate at the line's
   * first step (−Infinity when not offered or out of scope) and of deferring it.
   */
  scoreBatch(contexts: readonly DecisionContext[]): LineScores[][] {
    return contexts.map((ctx) => {
      const st = new OrderStepper(ctx, this.scope, this.base, undefined, this.network.spec.derived);
      const lines: LineScores[] = ctx.order.lines.map((l) => ({ candidates: new Array<number>(l.candidates.length).fill(-Infinity), defer: -Infinity }));
      while (st.step) {
        const s = st.step;
        const n = s.open.length;
        const lp = logSoftmax(this.network.logits(n, s.candidates, s.context), n + 1);
        const row = lines[st.line]!;
        for (let k = 0; k < n; k++) row.candidates[s.open[k]!] = Math.max(row.candidates[s.open[k]!]!, lp[k]!);
        row.defer = lp[n]!;
        st.act(n); // defer: move on to the next line
      }
      return lines;
    });
  }
}

/** Log-probabilities of one line's first step. */
export interface LineScores {
  candidates: number[];
  defer: number;
}
