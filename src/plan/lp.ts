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

  /** Solves the maximisation; returns the objective (offset included) and column values. */
  solve(highs: Highs, options: { timeLimitSeconds?: number } = {}): { objective: number; x: Float64Array } {
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
    if (this.columns === 0) return { objective: this.offset, x: new Float64Array(0) };
    return highs.withModel(data, (model) => {
      model.options.set({ output_flag: false, time_limit: options.timeLimitSeconds ?? 300 });
      const run = model.run();
      if (run.modelStatus !== 7) throw new PlanError(`LP not solved to optimality (HiGHS model status ${run.modelStatus})`);
      return { objective: model.getObjectiveValue(), x: Float64Array.from(model.getSolution().colValue) };
    });
  }
}
