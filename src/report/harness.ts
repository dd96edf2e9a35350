import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Kpis } from '../sim/kpis.js';
import { loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { drawDemand } from '../plan/demand.js';
import { evaluateForecast, type Accuracy } from '../plan/forecast.js';
import { directionOf, interval, pairedDifference, type Interval, type PairedDifference } from './stats.js';
import { ORACLE } from './strategies.js';
import { writeBenchDetail } from './bench-detail.js';
import { loadResolver, runTask, type Resolve, type Task, type TaskConfig, type TaskRecord } from './task.js';

/** Bad benchmark input or unreadable results; the message names the field and value. */
export class ResultsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResultsError';
  }
}

/** Progress of a running benchmark, after each finished task. */
export interface BenchProgress {
  done: number;
  total: number;
  strategy: string;
  seed: number;
  elapsedSeconds: number;
  /** Estimated seconds left, from the mean pace so far. */
  etaSeconds: number;
}

export interface BenchOptions {
  /** Scenario name or YAML path. */
  scenario: string;
  /** Strategy specs: rule names, `lp-rolling`, `rl:models/<name>`, and `oracle` for the hindsight bound. */
  strategies: readonly string[];
  /** Number of seeds (0..n-1), or an explicit list. */
  seeds: number | readonly number[];
  /** Horizon override in days. */
  days?: number;
  /** Worker threads; 0 runs in this thread. Default: one per core. */
  workers?: number;
  /** Output directory; nothing is written when absent. */
  out?: string;
  /** Strategy the paired differences are taken against; default the first non-oracle strategy. */
  baseline?: string;
  /** URL (or path) of a module exporting `resolvePolicy(spec, opts)`; used in this thread and in workers. */
  resolver?: string;
  /** In-thread resolver; forces `workers: 0` unless `resolver` is also given. */
  resolve?: Resolve;
  onProgress?: (p: BenchProgress) => void;
  /**
   * Runs the tasks somewhere else (a job queue) instead of on worker threads;
   * `workers` is then ignored. Records may come back in any order; `onDone` after each.
   */
  execute?: TaskExecutor;
}

/** Runs a benchmark's tasks and returns one record per task. */
export type TaskExecutor = (tasks: readonly Task[], config: TaskConfig, onDone: (t: Task) => void) => Promise<TaskRecord[]>;

/** Everything a benchmark produced, as written to disk. */
export interface BenchResults {
  summary: BenchSummary;
  records: TaskRecord[];
  wallSeconds: number;
  workers: number;
}

export interface BenchSummary {
  scenario: string;
  description: string;
  currency: string;
  days: number;
  seeds: number[];
  strategies: string[];
  baseline: string;
  warehouses: string[];
  segments: { id: string; kind: string }[];
  /** True: every run of a seed saw the same demand (checked by fingerprint). */
  commonRandomNumbers: boolean;
  /** Per strategy, per KPI: mean, sd and 95% interval over seeds. */
  kpis: Record<string, Record<string, Interval>>;
  /** Per strategy (baseline excluded), per KPI: paired difference strategy − baseline. */
  paired: Record<string, Record<string, PairedDifference>>;
  /** Per strategy, per segment: fill rate and on-time rate over seeds. */
  bySegment: Record<string, Record<string, { fillRate: Interval; onTimeRate: Interval }>>;
  oracle?: {
    reward: Interval;
    /** Per strategy: reward as % of the oracle's, seed by seed. */
    pctOfOracle: Record<string, Interval>;
    lpColumns: number;
    lpRows: number;
  };
  /** Learning curves of trained policies that took part: (global step, episodic return). */
  learningCurves: Record<string, { step: number; episodicReturn: number | null; reward: number | null }[]>;
  /**
   * Accuracy of the demand forecast (`src/plan/forecast.ts`) on the first seeds' demand:
   * fitted on the first `trainDays`, scored on the next `horizonDays` per SKU × region × day,
   * with the scenario's own demand plan (the true mean: the noise floor) for comparison.
   * Absent when the horizon is shorter than 14 days.
   */
  forecast?: { trainDays: number; horizonDays: number; seeds: number[]; ets: Accuracy; etsLaunch: Accuracy | null; plan: Accuracy };
}

/** The KPI names, in the simulator's order. */
export const KPI_NAMES: readonly (keyof Kpis)[] = [
  'orders', 'demandedUnits', 'fillRate', 'orderFillRate', 'firstPassFillRate', 'onTimeRate', 'meanDeliveryDays', 'revenue', 'cogs',
  'shippingCost', 'handlingCost', 'holdingCost', 'latePenalty', 'lostSalePenalty', 'contractPenalty', 'penalties', 'grossMargin',
  'grossMarginPct', 'reward', 'inventoryTurnover', 'meanInventoryAgeDays', 'stockoutDays', 'backorderUnits', 'openBackorderUnits',
  'lostSalesUnits', 'contractFillRate', 'contractFillTarget', 'splitShipmentRate', 'warehouseUtilisation', 'manualInterventionRate',
  'inventoryValue',
];

function seedList(seeds: number | readonly number[]): number[] {
  if (typeof seeds === 'number') {
    if (!Number.isInteger(seeds) || seeds < 1) throw new ResultsError(`seeds(=${seeds}) must be a whole number >= 1`);
    return Array.from({ length: seeds }, (_, i) => i);
  }
  for (const s of seeds) if (!Number.isInteger(s)) throw new ResultsError(`seed(=${s}) must be a whole number`);
  return [...seeds];
}

/** How a worker thread is started: compiled JS next to this file, or the TS source through tsx. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // The ESM entry of tsx's API, found through its package.json (its `import` export).
    const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
    const tsx = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./worker.ts', here).href;
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(code, { eval: true });
  }
  return new Worker(new URL('./worker.js', here));
}

/** Runs tasks on a pool of worker threads; records come back in task order. */
async function runPool(tasks: Task[], config: TaskConfig, workers: number, onDone: (t: Task) => void): Promise<TaskRecord[]> {
  const records: TaskRecord[] = new Array(tasks.length);
  let next = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const feed = (w: Worker) => {
        if (next < tasks.length) w.postMessage({ task: tasks[next++]!, config });
      };
      for (let i = 0; i < Math.min(workers, tasks.length); i++) {
        const w = startWorker();
        pool.push(w);
        w.on('message', (msg: { ok: boolean; index: number; record?: TaskRecord; error?: { name: string; message: string } }) => {
          if (failed) return;
          if (!msg.ok) {
            failed = true;
            const t = tasks[msg.index]!;
            const e = new ResultsError(`${t.strategy} on seed ${t.seed}: ${msg.error!.message}`);
            if (msg.error!.name === 'UsageError' || msg.error!.name === 'PolicyConfigError' || msg.error!.name === 'ModelLoadError') e.name = msg.error!.name;
            reject(e);
            return;
          }
          records[msg.index] = msg.record!;
          onDone(tasks[msg.index]!);
          if (++finished === tasks.length) resolve();
          else feed(w);
        });
        w.on('error', (err) => {
          if (!failed) {
            failed = true;
            reject(err);
          }
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return records;
}

/**
 * Runs every strategy on every seed with common random numbers (the oracle as
 * one more "strategy" when listed), in parallel on worker threads, and — when
 * `out` is given — writes `runs.csv`, `segments.csv`, `daily.csv`, `oracle.csv`,
 * `summary.json` (all deterministic) and `timing.json` (wall times).
 */
export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const seeds = seedList(options.seeds);
  const strategies = [...options.strategies];
  if (strategies.length === 0) throw new ResultsError('strategies(=) must name at least one strategy');
  const dup = strategies.find((s, i) => strategies.indexOf(s) !== i);
  if (dup) throw new ResultsError(`strategies: "${dup}" is listed twice`);
  if (options.days !== undefined && (!Number.isInteger(options.days) || options.days < 1)) {
    throw new ResultsError(`days(=${options.days}) must be a whole number >= 1`);
  }
  const loaded = loadScenario(options.scenario);
  const config: TaskConfig = { scenario: options.scenario, days: options.days, resolver: options.resolver ? toUrl(options.resolver) : undefined };
  // Resolve every spec once up front, so a bad name fails fast with one line.
  const resolve = options.resolve ?? (await loadResolver(config.resolver));
  for (const s of strategies) if (s !== ORACLE) await resolve(s, { scenario: options.scenario, days: options.days });

  const tasks: Task[] = [];
  for (const seed of seeds) for (const strategy of strategies) tasks.push({ index: tasks.length, strategy, seed });
  let workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 0) throw new ResultsError(`workers(=${options.workers}) must be a whole number >= 0`);
  if (options.resolve && !options.resolver) workers = 0;
  workers = Math.min(workers, tasks.length);

  const started = performance.now();
  let done = 0;
  const progress = (t: Task) => {
    done++;
    const elapsed = (performance.now() - started) / 1000;
    options.onProgress?.({ done, total: tasks.length, strategy: t.strategy, seed: t.seed, elapsedSeconds: elapsed, etaSeconds: (elapsed / done) * (tasks.length - done) });
  };
  let records: TaskRecord[];
  if (options.execute) {
    workers = 0;
    const byKey = new Map((await options.execute(tasks, config, progress)).map((r) => [`${r.strategy}#${r.seed}`, r]));
    records = tasks.map((t) => {
      const r = byKey.get(`${t.strategy}#${t.seed}`);
      if (!r) throw new ResultsError(`task ${t.strategy} on seed ${t.seed}: no result came back`);
      return r;
    });
  } else if (workers === 0) {
    records = [];
    for (const t of tasks) {
      records.push(await runTask(t, config, resolve));
      progress(t);
    }
  } else {
    records = await runPool(tasks, config, workers, progress);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = summarise(options, loaded.scenario, seeds, strategies, records);
  const results: BenchResults = { summary, records, wallSeconds, workers };
  if (options.out) writeResults(options.out, results);
  return results;
}

function toUrl(p: string): string {
  return /^[a-z]+:/i.test(p) ? p : pathToFileURL(p).href;
}

function summarise(
  options: BenchOptions,
  scenario: ReturnType<typeof loadScenario>['scenario'],
  seeds: number[],
  strategies: string[],
  records: TaskRecord[],
): BenchSummary {
  const sims = strategies.filter((s) => s !== ORACLE);
  const baseline = options.baseline ?? sims[0] ?? ORACLE;
  if (!strategies.includes(baseline) || baseline === ORACLE) throw new ResultsError(`baseline(=${baseline}) must be one of the strategies run`);
  const by = (strategy: string) => seeds.map((seed) => records.find((r) => r.strategy === strategy && r.seed === seed)!);

  // Common random numbers: every run of a seed saw the same demand.
  for (const seed of seeds) {
    const prints = new Set(records.filter((r) => r.seed === seed).map((r) => r.demand));
    if (prints.size > 1) throw new ResultsError(`seed ${seed}: runs saw different demand (${[...prints].join(', ')}); common random numbers are broken`);
  }

  const kpis: BenchSummary['kpis'] = {};
  const paired: BenchSummary['paired'] = {};
  const segments: BenchSummary['bySegment'] = {};
  const base = by(baseline);
  for (const s of sims) {
    const runs = by(s);
    kpis[s] = {};
    for (const k of KPI_NAMES) kpis[s]![k] = interval(runs.map((r) => r.kpis![k]));
    if (s !== baseline) {
      paired[s] = {};
      for (const k of KPI_NAMES) paired[s]![k] = pairedDifference(runs.map((r) => r.kpis![k]), base.map((r) => r.kpis![k]), directionOf(k));
    }
    segments[s] = {};
    scenario.segments.forEach((g, gi) => {
      segments[s]![g.id] = {
        fillRate: interval(runs.map((r) => r.bySegment![gi]!.fillRate)),
        onTimeRate: interval(runs.map((r) => r.bySegment![gi]!.onTimeRate)),
      };
    });
  }
  let oracle: BenchSummary['oracle'];
  if (strategies.includes(ORACLE)) {
    const o = by(ORACLE);
    const pct: Record<string, Interval> = {};
    for (const s of sims) pct[s] = interval(by(s).map((r, i) => (100 * r.kpis!.reward) / o[i]!.oracle!.reward));
    oracle = {
      reward: interval(o.map((r) => r.oracle!.reward)),
      pctOfOracle: pct,
      lpColumns: Math.max(...o.map((r) => r.oracle!.lpColumns)),
      lpRows: Math.max(...o.map((r) => r.oracle!.lpRows)),
    };
  }
  const learningCurves: BenchSummary['learningCurves'] = {};
  for (const s of sims) {
    if (!s.startsWith('rl:')) continue;
    const curve = readLearningCurve(s.slice(3));
    if (curve) learningCurves[s] = curve;
  }
  const forecast = forecastAccuracy(options, seeds.slice(0, 3));
  return {
    scenario: scenario.name,
    description: scenario.description,
    currency: scenario.currency,
    days: options.days ?? scenario.horizonDays,
    seeds,
    strategies,
    baseline,
    warehouses: scenario.warehouses.map((w) => w.id),
    segments: scenario.segments.map((g) => ({ id: g.id, kind: g.kind })),
    commonRandomNumbers: true,
    kpis,
    paired,
    bySegment: segments,
    ...(oracle ? { oracle } : {}),
    learningCurves,
    ...(forecast ? { forecast } : {}),
  };
}

/** Mean forecast accuracy over a few seeds (see `BenchSummary.forecast`). */
function forecastAccuracy(options: BenchOptions, seeds: number[]): BenchSummary['forecast'] {
  const world = buildWorld(loadScenario(options.scenario).scenario);
  const days = options.days ?? world.scenario.horizonDays;
  if (days < 14 || seeds.length === 0) return undefined;
  const trainDays = Math.max(7, Math.floor((days * 2) / 3));
  const horizonDays = Math.min(14, days - trainDays);
  const evals = seeds.map((seed) => evaluateForecast(world, drawDemand(world, seed, days), trainDays, horizonDays));
  const avg = (xs: Accuracy[]): Accuracy => ({
    wape: xs.reduce((a, x) => a + x.wape, 0) / xs.length,
    bias: xs.reduce((a, x) => a + x.bias, 0) / xs.length,
    actualUnits: xs.reduce((a, x) => a + x.actualUnits, 0) / xs.length,
  });
  const launch = evals.map((e) => e.etsLaunch).filter((x): x is Accuracy => x !== null);
  return { trainDays, horizonDays, seeds, ets: avg(evals.map((e) => e.ets)), etsLaunch: launch.length ? avg(launch) : null, plan: avg(evals.map((e) => e.plan)) };
}

/** Reads `learning-curve.jsonl` of a model directory (a version, or the latest version of a name). */
export function readLearningCurve(dir: string): BenchSummary['learningCurves'][string] | undefined {
  let file = join(dir, 'learning-curve.jsonl');
  if (!existsSync(file) && existsSync(dir)) {
    const versions = readdirSync(dir).filter((v) => /^v\d+$/.test(v)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    if (versions.length) file = join(dir, versions[versions.length - 1]!, 'learning-curve.jsonl');
  }
  if (!existsSync(file)) return undefined;
  const rows: BenchSummary['learningCurves'][string] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const step = num(m.global_step) ?? num(m.iteration);
    if (step === null) continue;
    rows.push({ step, episodicReturn: num(m.episodic_return), reward: num(m.kpi_reward) });
  }
  return rows;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** Writes the result files of a benchmark into `dir` (created if missing). */
export function writeResults(dir: string, results: BenchResults): void {
  mkdirSync(dir, { recursive: true });
  const { summary, records } = results;
  const sims = records.filter((r) => r.kpis);
  const oracleBySeed = new Map(records.filter((r) => r.oracle).map((r) => [r.seed, r.oracle!]));
  const hasOracle = oracleBySeed.size > 0;
  writeFileSync(
    join(dir, 'runs.csv'),
    csv(
      ['strategy', 'seed', 'policy', ...KPI_NAMES, ...(hasOracle ? ['oracleReward', 'rewardPctOfOracle'] : [])],
      sims.map((r) => [
        r.strategy,
        r.seed,
        r.policy ? `${r.policy.name}${r.policy.version ? `@${r.policy.version}` : ''}` : '',
        ...KPI_NAMES.map((k) => r.kpis![k]),
        ...(hasOracle ? [oracleBySeed.get(r.seed)!.reward, (100 * r.kpis!.reward) / oracleBySeed.get(r.seed)!.reward] : []),
      ]),
    ),
  );
  if (hasOracle) {
    writeFileSync(
      join(dir, 'oracle.csv'),
      csv(
        ['seed', 'reward', 'margin', 'penalties', 'demandedUnits', 'servedUnits', 'lpSkus', 'lpColumns', 'lpRows'],
        [...oracleBySeed.values()].map((o) => [o.seed, o.reward, o.margin, o.penalties, o.demandedUnits, o.servedUnits, o.lpSkus.join(' '), o.lpColumns, o.lpRows]),
      ),
    );
  }
  writeFileSync(
    join(dir, 'segments.csv'),
    csv(
      ['strategy', 'seed', 'segment', 'kind', 'orders', 'demandedUnits', 'fillRate', 'onTimeRate', 'lostSalesUnits', 'revenue', 'grossMargin', 'penalties', 'contractFillRate'],
      sims.flatMap((r) =>
        r.bySegment!.map((g) => [r.strategy, r.seed, g.segment, g.kind, g.orders, g.demandedUnits, g.fillRate, g.onTimeRate, g.lostSalesUnits, g.revenue, g.grossMargin, g.penalties, g.contractFillRate]),
      ),
    ),
  );
  // Daily series: mean over seeds, per strategy.
  const dailyRows: unknown[][] = [];
  for (const s of summary.strategies) {
    const runs = sims.filter((r) => r.strategy === s);
    if (runs.length === 0) continue;
    const days = runs[0]!.daily!.demandedUnits.length;
    const avg = (pick: (r: TaskRecord) => number[], d: number) => runs.reduce((a, r) => a + pick(r)[d]!, 0) / runs.length;
    for (let d = 0; d < days; d++) {
      dailyRows.push([s, d, 'demandedUnits', avg((r) => r.daily!.demandedUnits, d)]);
      dailyRows.push([s, d, 'allocatedUnits', avg((r) => r.daily!.allocatedUnits, d)]);
      dailyRows.push([s, d, 'lostSalesUnits', avg((r) => r.daily!.lostSalesUnits, d)]);
      dailyRows.push([s, d, 'backlogUnits', avg((r) => r.daily!.backlogUnits, d)]);
      summary.warehouses.forEach((w, wi) => dailyRows.push([s, d, `onHand:${w}`, avg((r) => r.daily!.onHand[wi]!, d)]));
    }
  }
  writeFileSync(join(dir, 'daily.csv'), csv(['strategy', 'day', 'series', 'value'], dailyRows));
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeBenchDetail(dir, summary.strategies, records);
  writeFileSync(
    join(dir, 'timing.json'),
    `${JSON.stringify({ workers: results.workers, wallSeconds: results.wallSeconds, tasks: records.map((r) => ({ strategy: r.strategy, seed: r.seed, wallSeconds: r.wallSeconds })) }, null, 2)}\n`,
  );
}
