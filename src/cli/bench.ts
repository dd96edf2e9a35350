import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { action, intOption, UsageError } from './errors.js';
import { addContractsOption } from './contracts.js';
import type { ContractMode } from '../sim/scenario/index.js';
import { progressBar } from './progress.js';
import { textTable } from './format.js';
import { formatOption, printCsv, printJson, addSeedsOption, type OutputFormat } from './options.js';
import { checkHorizon, DEFAULT_MAX_MEMORY_MB, maxMemoryOption } from './limits.js';
import { loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { checkResultsDir, runBenchmark, type BenchOptions, type BenchResults, type BenchSummary } from '../report/harness.js';
import { benchSummaryLines } from '../report/report.js';

interface BenchCliOptions {
  scenario: string;
  strategies: string;
  seeds: number[];
  workers?: number;
  days?: number;
  baseline?: string;
  out: string;
  format: OutputFormat;
  maxMemory: number;
  progress: boolean;
  queue?: string;
  resume: boolean;
  taskTimeout: number;
  contracts?: ContractMode;
}

/**
 * The summary table the bench and `npm start` print: reward, fill rates and % of oracle per
 * strategy, and contract fill against its target: units filled up to the commitment / units it
 * covers (the rate the target applies to), and the contract periods missed, summed over seeds.
 */
export function summaryTable(s: BenchSummary): string {
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const money = (v: number) => Math.round(v).toLocaleString('en-US');
  const hasContracts = s.kpis[sims[0]!]?.contractPeriods !== undefined && s.kpis[sims[0]!]!.contractPeriods!.mean > 0;
  const target = hasContracts ? ` / ${(100 * s.kpis[sims[0]!]!.contractFillTarget!.mean).toFixed(0)}%` : '';
  const missed = (k: Record<string, { mean: number; n: number }>) =>
    hasContracts ? `${Math.round(k.contractPeriodsMissed!.mean * k.contractPeriodsMissed!.n)}/${Math.round(k.contractPeriods!.mean * k.contractPeriods!.n)}` : '';
  const rows = sims.map((x) => {
    const k = s.kpis[x]!;
    const p = s.paired[x];
    return [
      x,
      `${money(k.reward!.mean)} ± ${money((k.reward!.hi - k.reward!.lo) / 2)}`,
      `${(100 * k.fillRate!.mean).toFixed(1)}%`,
      hasContracts ? `${(100 * k.contractCommitmentFillRate!.mean).toFixed(1)}%${target}` : '',
      missed(k),
      `${(100 * k.onTimeRate!.mean).toFixed(1)}%`,
      s.oracle ? `${s.oracle.pctOfOracle[x]!.mean.toFixed(1)}%` : '',
      p ? p.reward!.verdict : '(baseline)',
    ];
  });
  if (s.oracle) {
    const o = s.oracle;
    const ct = hasContracts && o.contractCommitmentFillRate ? `${(100 * o.contractCommitmentFillRate.mean).toFixed(1)}%${target}` : '';
    const om = hasContracts && o.contractCommitmentFillRate ? `${o.contractPeriodsMissed}/${Math.round(s.kpis[sims[0]!]!.contractPeriods!.mean * s.seeds.length)}` : '';
    rows.push([`oracle (bound, contracts ${s.contracts ?? 'soft'})`, `${money(o.reward.mean)} ± ${money((o.reward.hi - o.reward.lo) / 2)}`, '', ct, om, '', '100.0%', '']);
  }
  return textTable(['strategy', `reward (${s.currency}, 95% CI)`, 'fill', 'contract fill / target', 'periods missed', 'on time', '% of oracle', `vs ${s.baseline}`], rows);
}

/** Prints a benchmark's summary as a table, as JSON (summary.json's content) or as CSV (one row per strategy). */
export function printSummary(s: BenchSummary, format: OutputFormat): void {
  if (format === 'json') return printJson(s);
  if (format === 'table') {
    process.stdout.write(summaryTable(s));
    return;
  }
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const iv = (i: { mean: number; lo: number; hi: number } | undefined) => (i ? [i.mean, i.lo, i.hi] : ['', '', '']);
  const rows = sims.map((x) => {
    const k = s.kpis[x]!;
    return [x, ...iv(k.reward), ...iv(k.fillRate), ...iv(k.contractFillRate), ...iv(k.onTimeRate), ...iv(s.oracle?.pctOfOracle[x]), s.paired[x]?.reward?.verdict ?? 'baseline'];
  });
  if (s.oracle) rows.push(['oracle', ...iv(s.oracle.reward), '', '', '', '', '', '', '', '', '', 100, 100, 100, '']);
  const cols = (name: string) => [`${name}_mean`, `${name}_lo95`, `${name}_hi95`];
  printCsv(['strategy', ...cols('reward'), ...cols('fillRate'), ...cols('contractFillRate'), ...cols('onTimeRate'), ...cols('pctOfOracle'), `rewardVs_${s.baseline}`], rows);
}

/**
 * Checks, before a benchmark starts, that its results folder can be written and
 * that its horizon fits in memory: `workers` runs at once, and the per-day series
 * of every run kept until the end (≈ 8 bytes × (4 + warehouses) a day a run, and
 * about 150 bytes a row of daily.csv).
 */
export function checkBench(o: { scenario: string; days?: number; strategies: number; seeds: number; workers?: number; out: string; maxMemoryMb: number }): void {
  checkResultsDir(o.out);
  const world = buildWorld(loadScenario(o.scenario).scenario);
  const tasks = o.strategies * o.seeds;
  const workers = Math.min(o.workers ?? availableParallelism(), tasks);
  const series = 4 + world.scenario.warehouses.length;
  checkHorizon(world, o.days ?? world.scenario.horizonDays, {
    maxMemoryMb: o.maxMemoryMb,
    runs: Math.max(1, workers),
    workers,
    extraBytesPerDay: tasks * series * 8 + o.strategies * series * 150,
    what: `for ${tasks} runs on ${Math.max(1, workers)} thread${workers > 1 ? 's' : ''}`,
  });
}

/**
 * Runs a benchmark from the CLI: strategy specs resolved by the CLI's resolver
 * (so `rl:` works, in workers too), with a progress bar and ETA on stderr.
 */
export async function benchWithProgress(options: Omit<BenchOptions, 'resolver' | 'resolve' | 'onProgress'>, progress: boolean): Promise<BenchResults> {
  const bar = progressBar('bench', progress, 'runs');
  bar.update(0, options.strategies.length * (typeof options.seeds === 'number' ? options.seeds : options.seeds.length), 'starting');
  try {
    return await runBenchmark({
      ...options,
      resolver: new URL('./policy.js', import.meta.url).href,
      onProgress: (p) => bar.update(p.done, p.total, `${p.strategy} seed ${p.seed}`),
    });
  } finally {
    bar.stop();
  }
}

export function register(program: Command): void {
  const command = addContractsOption(program.command('bench'))
    .description('run strategies × seeds with common random numbers on worker threads; write runs.csv, summary.json and daily series')
    .requiredOption('--scenario <name|path>', 'shipped scenario name or YAML path', 'default')
    .requiredOption('--strategies <list>', 'comma-separated: rule names, lp-rolling, rl:models/<name>, oracle', 'nearest,cheapest,priority,fair-share,reserve,oracle')
    .option('--workers <n>', 'worker threads (0 = this thread; default one per core)', intOption('--workers', 0))
    .option('--days <n>', 'horizon override in days', intOption('--days', 1))
    .option('--baseline <strategy>', 'strategy the paired differences are taken against (default: the first)')
    .requiredOption('--out <dir>', 'results directory, e.g. results/<name> (its files are replaced only when the benchmark succeeds)')
    .option('--max-memory <MB>', 'refuse a horizon whose estimated peak memory is above this', maxMemoryOption, DEFAULT_MAX_MEMORY_MB)
    .option('--no-progress', 'never show progress on stderr')
    .option('--queue <url>', 'run the tasks on `allocsim worker` processes through this queue: postgres://user:password@host/db or env:NAME')
    .option('--resume', 'with --queue: continue the last run of this benchmark, keeping its finished tasks', false)
    .option('--task-timeout <s>', 'with --queue: a task running longer is taken for lost and run again', intOption('--task-timeout', 1), 900);
  addSeedsOption(command, { defaultText: '10' });
  formatOption(command).action(
    action(async (opts: BenchCliOptions) => {
      const strategies = splitStrategies(opts.strategies);
      if (opts.resume && !opts.queue) throw new UsageError('--resume needs --queue (a local bench keeps no state between runs)');
      checkBench({ scenario: opts.scenario, days: opts.days, strategies: strategies.length, seeds: opts.seeds.length, workers: opts.workers, out: opts.out, maxMemoryMb: opts.maxMemory });
      const queue = opts.queue ? (await import('../queue/bench.js')).cliQueueExecutor((await import('../queue/url.js')).queueUrl(opts.queue), opts.resume, opts.taskTimeout) : undefined;
      let res: BenchResults;
      try {
        res = await benchWithProgress(
          { scenario: opts.scenario, strategies, seeds: opts.seeds, workers: opts.workers, days: opts.days, baseline: opts.baseline, out: opts.out, execute: queue?.execute, contracts: opts.contracts },
          opts.progress && !queue,
        );
      } finally {
        queue?.end();
      }
      if (opts.format !== 'table') return printSummary(res.summary, opts.format);
      const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
      process.stdout.write(`${res.summary.scenario}: ${n(strategies.length, 'strategy', 'strategies')} × ${n(res.summary.seeds.length, 'seed', 'seeds')} × ${n(res.summary.days, 'day', 'days')}\n\n`);
      printSummary(res.summary, 'table');
      process.stdout.write(`\n${benchSummaryLines(res).map((l) => `- ${l}\n`).join('')}`);
      const where = queue ? 'through the queue' : `on ${res.workers || 'no'} worker thread${res.workers === 1 ? '' : 's'}`;
      process.stdout.write(`\n${res.records.length} tasks in ${res.wallSeconds.toFixed(1)} s ${where}; results in ${opts.out}/\n`);
    }),
  );
}

/** Splits a strategy list on commas, keeping `name:k=v,k=v` parameter lists together. */
export function splitStrategies(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((x) => x.trim())) {
    if (!part) throw new UsageError(`--strategies(=${text}) has an empty entry`);
    // "k=v" without a name continues the previous spec's parameters.
    if (/^[A-Za-z][\w-]*=/.test(part) && out.length && out[out.length - 1]!.includes(':')) out[out.length - 1] += `,${part}`;
    else out.push(part);
  }
  return out;
}
