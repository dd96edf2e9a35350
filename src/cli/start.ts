import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { action, intOption } from './errors.js';
import { benchWithProgress, summaryTable } from './bench.js';
import { loadScenario } from '../sim/scenario/index.js';
import { RULE_NAMES } from '../sim/policies/rules.js';
import { writeReport, benchSummaryLines } from '../report/report.js';

interface StartOptions {
  scenario: string;
  seeds: number;
  workers?: number;
  out: string;
  model?: string;
  train: boolean;
  progress: boolean;
}

/**
 * The main job, on the built-in default scenario: train a small policy when none
 * is there yet (to show the recipe at work), bench every rule strategy, the
 * rolling LP planner, the policy shipped for the scenario (`policies/<scenario>`,
 * made by the full recipe), the quick policy and the hindsight oracle on common
 * random numbers, print the summary, write the HTML report.
 */
export function register(program: Command): void {
  program
    .command('start')
    .description('the main job: train a quick policy, bench it with every rule strategy and the oracle, print the summary and write the report')
    .option('--scenario <name|path>', 'scenario', 'default')
    .option('--seeds <n>', 'seeds per strategy', intOption('--seeds', 2), 5)
    .option('--workers <n>', 'worker threads (default one per core)', intOption('--workers', 0))
    .option('--out <dir>', 'results directory', 'results/start')
    .option('--model <dir>', 'trained policy to include (default models/<scenario>-quick, trained when missing)')
    .option('--no-train', 'do not train; bench the rules and the oracle only')
    .option('--no-progress', 'never show progress bars')
    .action(action(runStart));
}

async function runStart(opts: StartOptions): Promise<void> {
  const started = performance.now();
  const loaded = loadScenario(opts.scenario);
  const s = loaded.scenario;
  process.stdout.write(`allocsim — ${s.name}: ${s.description}\n\n`);
  const strategies: string[] = [...RULE_NAMES];
  if (opts.train) {
    const model = opts.model ?? join('models', `${s.name}-quick`);
    if (!existsSync(model)) {
      const { trainQuickPolicy } = await import('./quick-train.js');
      process.stdout.write(`Training a small policy on ${s.name} → ${model} (about a minute; later runs reuse it)\n`);
      await trainQuickPolicy(opts.scenario, model, opts.progress);
    } else {
      process.stdout.write(`Using the trained policy in ${model} (delete it to retrain)\n`);
    }
    strategies.push(`rl:${model}`);
  }
  const shipped = join('policies', s.name);
  strategies.push('lp-rolling');
  if (existsSync(shipped)) {
    process.stdout.write(`Including the policy shipped for ${s.name} (${shipped}, trained by \`allocsim train --scenario ${s.name}\`)\n`);
    strategies.push(`rl:${shipped}`);
  }
  strategies.push('oracle');
  process.stdout.write(`Benchmarking ${strategies.join(', ')} on ${opts.seeds} seeds (common random numbers)\n`);
  const res = await benchWithProgress({ scenario: opts.scenario, strategies, seeds: opts.seeds, workers: opts.workers, out: opts.out }, opts.progress);
  process.stdout.write('\n');
  process.stdout.write(summaryTable(res.summary));
  process.stdout.write('\n');
  for (const line of benchSummaryLines(res)) process.stdout.write(`- ${line}\n`);
  const reportFile = join(opts.out, 'report.html');
  await writeReport(opts.out, reportFile);
  process.stdout.write(
    `\n${res.records.length} runs in ${res.wallSeconds.toFixed(1)} s on ${res.workers || 'no'} worker thread${res.workers === 1 ? '' : 's'}; ` +
      `results in ${opts.out}/ (runs.csv, summary.json, daily.csv)\nReport: ${resolve(reportFile)}\n` +
      `Done in ${((performance.now() - started) / 1000).toFixed(0)} s.\n`,
  );
}
