import type { Command } from 'commander';
import { action, intOption, UsageError } from './errors.js';
import { progressBar } from './progress.js';
import { textTable } from './format.js';
import { runBenchmark, type BenchOptions, type BenchResults, type BenchSummary } from '../report/harness.js';
import { benchSummaryLines } from '../report/report.js';

interface BenchCliOptions {
  scenario: string;
  strategies: string;
  seeds: number;
  workers?: number;
  days?: number;
  baseline?: string;
  out: string;
  progress: boolean;
  queue?: string;
  resume: boolean;
  taskTimeout: number;
}

/** The summary table the bench and `npm start` print: reward, fill rates and % of oracle per strategy. */
export function summaryTable(s: BenchSummary): string {
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const money = (v: number) => Math.round(v).toLocaleString('en-US');
  const rows = sims.map((x) => {
    const k = s.kpis[x]!;
    const p = s.paired[x];
    return [
      x,
      `${money(k.reward!.mean)} ± ${money((k.reward!.hi - k.reward!.lo) / 2)}`,
      `${(100 * k.fillRate!.mean).toFixed(1)}%`,
      `${(100 * k.contractFillRate!.mean).toFixed(1)}%`,
      `${(100 * k.onTimeRate!.mean).toFixed(1)}%`,
      s.oracle ? `${s.oracle.pctOfOracle[x]!.mean.toFixed(1)}%` : '',
      p ? p.reward!.verdict : '(baseline)',
    ];
  });
  if (s.oracle) rows.push(['oracle (bound)', `${money(s.oracle.reward.mean)} ± ${money((s.oracle.reward.hi - s.oracle.reward.lo) / 2)}`, '', '', '', '100.0%', '']);
  return textTable(['strategy', `reward (${s.currency}, 95% CI)`, 'fill', 'contract fill', 'on time', '% of oracle', `vs ${s.baseline}`], rows);
}

/**
 * Runs a benchmark from the CLI: strategy specs resolved by the CLI's resolver
 * (so `rl:` works, in workers too), with a progress bar and ETA on stderr.
 */
export async function benchWithProgress(options: Omit<BenchOptions, 'resolver' | 'resolve' | 'onProgress'>, progress: boolean): Promise<BenchResults> {
  const bar = progressBar('bench', progress);
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
  program
    .command('bench')
    .description('run strategies × seeds with common random numbers on worker threads; write runs.csv, summary.json and daily series')
    .requiredOption('--scenario <name|path>', 'shipped scenario name or YAML path', 'default')
    .requiredOption('--strategies <list>', 'comma-separated: rule names, lp-rolling, rl:models/<name>, oracle', 'nearest,cheapest,priority,fair-share,reserve,oracle')
    .option('--seeds <n>', 'number of seeds (0..n-1)', intOption('--seeds', 1), 10)
    .option('--workers <n>', 'worker threads (0 = this thread; default one per core)', intOption('--workers', 0))
    .option('--days <n>', 'horizon override in days', intOption('--days', 1))
    .option('--baseline <strategy>', 'strategy the paired differences are taken against (default: the first)')
    .requiredOption('--out <dir>', 'results directory, e.g. results/<name>')
    .option('--no-progress', 'never show a progress bar')
    .option('--queue <url>', 'run the tasks on `allocsim worker` processes through this queue: postgres://user:password@host/db or env:NAME')
    .option('--resume', 'with --queue: continue the last run of this benchmark, keeping its finished tasks', false)
    .option('--task-timeout <s>', 'with --queue: a task running longer is taken for lost and run again', intOption('--task-timeout', 1), 900)
    .action(
      action(async (opts: BenchCliOptions) => {
        const strategies = splitStrategies(opts.strategies);
        if (opts.resume && !opts.queue) throw new UsageError('--resume needs --queue (a local bench keeps no state between runs)');
        const queue = opts.queue ? (await import('../queue/bench.js')).cliQueueExecutor((await import('../queue/url.js')).queueUrl(opts.queue), opts.resume, opts.taskTimeout) : undefined;
        let res: BenchResults;
        try {
          res = await benchWithProgress(
            { scenario: opts.scenario, strategies, seeds: opts.seeds, workers: opts.workers, days: opts.days, baseline: opts.baseline, out: opts.out, execute: queue?.execute },
            opts.progress && !queue,
          );
        } finally {
          queue?.end();
        }
        const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
        process.stdout.write(`${res.summary.scenario}: ${n(strategies.length, 'strategy', 'strategies')} × ${n(res.summary.seeds.length, 'seed', 'seeds')} × ${n(res.summary.days, 'day', 'days')}\n\n`);
        process.stdout.write(summaryTable(res.summary));
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
