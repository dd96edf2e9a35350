import type { Highs } from 'highs';

/** A linear programme that failed to solve to optimality; names the status. */
export class PlanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlanError';
  }
}

let loading: Promise<Highs> | undefined;

/** Loads the HiGHS WebAssembly solver once per thread. */
export function loadHighs(): Promise<Highs> {
  loading ??= import('highs').then((m) => (m.default as unknown as (o?: object) => Promise<Highs>)());
  return loading;
}

/**
 * A small builder for maximisation LPs: columns with an objective coefficient and
 * bounds, rows as sparse sums with bounds. Built in JavaScript arrays and handed
 * to HiGHS as one CSR model, which is far cheaper than writing LP text.
 */
export class LinearProgram {
  readonly cost: number[] = [];
  readonly lower: number[] = [];
  readonly upper: number[] = [];
  private readonly rowStarts: number[] = [0];
  private readonly rowIndex: number[] = [];
  private readonly rowValue: number[] = [];
  private readonly rowLo: number[] = [];
  private readonly rowHi: number[] = [];
  /** Constant added to the objective. */
  offset = 0;

  get columns(): number {
    return this.cost.length;
  }

  get rows(): number {
    return this.rowLo.length;
  }

  /** Adds a column (variable) and returns its index. */
  addColumn(cost: number, lower = 0, upper = Infinity): number {
    if (!Number.isFinite(cost)) throw new PlanError(`column cost(=${cost}) must be finite`);
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    return this.cost.length - 1;
  }

  /** Adds lower ≤ Σ coef·x ≤ upper. Duplicate indexes are merged. */
  addRow(index: readonly number[], coef: readonly number[], lower: number, upper: number): number {
    const merged = new Map<number, number>();
    for (let i = 0; i < index.length; i++) merged.set(index[i]!, (merged.get(index[i]!) ?? 0) + coef[i]!);
    for (const [j, v] of merged) {
      if (v === 0) continue;
      this.rowIndex.push(j);
      this.rowValue.push(v);
    }
    this.rowStarts.push(this.rowIndex.length);
    this.rowLo.push(lower);
    this.rowHi.push(upper);
    return this.rowLo.length - 1;
  }

  /**
   * Solves the maximisation. Returns the objective (offset included), the column values and
   * the row duals: `rowDual[i]` is the change in the objective per unit the row's binding bound
   * moves up (so ≥ 0 on a binding `≤` row that limits the objective, ≤ 0 on a binding `≥` row).
   *
   * `hardSlack` makes a lexicographic solve: those columns (slack of constraints that must hold
   * whenever they can, e.g. contract shortfall) are first fixed at 0; if that is infeasible, a
   * first phase minimises their sum and a second maximises the objective with the sum held at that
   * minimum. `slack` is the minimal sum (0 when the constraints hold).
   */
  solve(highs: Highs, options: { timeLimitSeconds?: number; hardSlack?: readonly number[] } = {}): LpSolution {
    const inf = highs.infinity;
    const fix = (a: number[]) => Float64Array.from(a, (v) => (v === Infinity ? inf : v === -Infinity ? -inf : v));
    const data = {
      numCols: this.columns,
      numRows: this.rows,
      sense: highs.constants.objectiveSense.maximize,
      offset: this.offset,
      colCost: Float64Array.from(this.cost),
      colLower: fix(this.lower),
      colUpper: fix(this.upper),
      rowLower: fix(this.rowLo),
      rowUpper: fix(this.rowHi),
      matrix: {
        format: 'csr' as const,
        numRows: this.rows,
        numCols: this.columns,
        starts: Int32Array.from(this.rowStarts),
        indices: Int32Array.from(this.rowIndex),
        values: Float64Array.from(this.rowValue),
      },
    };
    if (this.columns === 0) return { objective: this.offset, x: new Float64Array(0), rowDual: new Float64Array(this.rows), slack: 0 };
    const status = highs.constants.modelStatus;
    const slackCols = [...new Set(options.hardSlack ?? [])].sort((a, b) => a - b);
    return highs.withModel(data, (model) => {
      model.options.set({ output_flag: false, time_limit: options.timeLimitSeconds ?? 300 });
      const optimal = (what: string) => {
        const run = model.run();
        if (run.modelStatus !== status.optimal) throw new PlanError(`LP${what} not solved to optimality (HiGHS model status ${run.modelStatus})`);
      };
      let slack = 0;
      if (slackCols.length > 0) {
        const set = { kind: 'set' as const, indices: Int32Array.from(slackCols) };
        const upper = Float64Array.from(slackCols, (j) => (this.upper[j] === Infinity ? inf : this.upper[j]!));
        model.changeColsBounds(set, new Float64Array(slackCols.length), new Float64Array(slackCols.length));
        const first = model.run().modelStatus;
        if (first !== status.optimal) {
          model.changeColsBounds(set, new Float64Array(slackCols.length), upper);
          if (first !== status.infeasible && first !== status.unboundedOrInfeasible) {
            throw new PlanError(`LP not solved to optimality (HiGHS model status ${first})`);
          }
          // Phase 1: the least total slack the constraints allow.
          const all = { kind: 'range' as const, from: 0, to: this.columns - 1 };
          const phase1 = new Float64Array(this.columns);
          for (const j of slackCols) phase1[j] = -1;
          model.changeColsCost(all, phase1);
          optimal(' (phase 1: least slack)');
          slack = Math.max(0, -(model.getObjectiveValue() - this.offset));
          // Phase 2: the objective, with the slack held at its minimum (a hair above, for round-off).
          // A bound that tight can leave the solver undecided (status unknown): the hair widens,
          // from a startless solve each time, before phase 2 is given up.
          model.changeColsCost(all, Float64Array.from(this.cost));
          model.addRow(-inf, slack + 1e-7 * Math.max(1, slack), { indices: Int32Array.from(slackCols), values: new Float64Array(slackCols.length).fill(1) });
          const slackRow = this.rows;
          let solved = model.run().modelStatus === status.optimal;
          for (const hair of [1e-5, 1e-3]) {
            if (solved) break;
            model.clearSolver();
            model.changeRowBounds(slackRow, -inf, slack + hair * Math.max(1, slack));
            solved = model.run().modelStatus === status.optimal;
          }
          if (!solved) optimal(' (phase 2)');
        }
      } else optimal('');
      const sol = model.getSolution();
      return { objective: model.getObjectiveValue(), x: Float64Array.from(sol.colValue), rowDual: Float64Array.from(sol.rowDual.subarray(0, this.rows)), slack };
    });
  }
}

/** An optimal solution of a `LinearProgram`. */
export interface LpSolution {
  /** Objective value, offset included. */
  objective: number;
  /** Column values. */
  x: Float64Array;
  /** Row duals: objective change per unit the row's bound moves up (see `LinearProgram.solve`). */
  rowDual: Float64Array;
  /** Least total of the `hardSlack` columns (0 when those constraints hold or none were given). */
  slack: number;
}
