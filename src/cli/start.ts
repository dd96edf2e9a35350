import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { action, intOption } from './errors.js';
import { benchWithProgress, checkBench, printSummary } from './bench.js';
import { addSeedsOption, formatOption, type OutputFormat } from './options.js';
import { DEFAULT_MAX_MEMORY_MB, maxMemoryOption } from './limits.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { addContractsOption } from './contracts.js';
import { RULE_NAMES } from '../sim/policies/rules.js';
import { writeReport, benchSummaryLines } from '../report/report.js';

interface StartOptions {
  scenario: string;
  seeds: number[];
  workers?: number;
  format: OutputFormat;
  maxMemory: number;
  out: string;
  model?: string;
  train: boolean;
  progress: boolean;
  contracts?: ContractMode;
}

/**
 * The main job, on the built-in default scenario: train a small policy when none
 * is there yet (to show the recipe at work), bench every rule strategy, the
 * rolling LP planner, the policy shipped for the scenario (`policies/<scenario>`,
 * made by the full recipe), the quick policy and the hindsight oracle on common
 * random numbers, print the summary, write the HTML report.
 */
export function register(program: Command): void {
  const command = addContractsOption(program.command('start'))
    .description('the main job: train a quick policy, bench it with every rule strategy and the oracle, print the summary and write the report')
    .option('--scenario <name|path>', 'scenario', 'default')
    .option('--workers <n>', 'worker threads (default one per core)', intOption('--workers', 0))
    .option('--out <dir>', 'results directory', 'results/start')
    .option('--model <dir>', 'trained policy to include (default models/<scenario>-quick, trained when missing)')
    .option('--no-train', 'do not train; bench the rules and the oracle only')
    .option('--max-memory <MB>', 'refuse work whose estimated peak memory is above this', maxMemoryOption, DEFAULT_MAX_MEMORY_MB)
    .option('--no-progress', 'never show progress on stderr');
  addSeedsOption(command, { defaultText: '5', minCount: 2 });
  formatOption(command).action(action(runStart));
}

async function runStart(opts: StartOptions): Promise<void> {
  const started = performance.now();
  const loaded = loadScenario(opts.scenario, { contracts: opts.contracts });
  const s = loaded.scenario;
  // The narrative goes to stdout with the table; with --format json or csv, stdout carries only the data.
  const say = (text: string) => (opts.format === 'table' ? process.stdout : process.stderr).write(text);
  say(`allocsim — ${s.name}: ${s.description}\n\n`);
  // Every rule, the trained policy and the oracle: checked before training, so a bad --out fails at once.
  checkBench({ scenario: opts.scenario, strategies: RULE_NAMES.length + (opts.train ? 2 : 1), seeds: opts.seeds.length, workers: opts.workers, out: opts.out, maxMemoryMb: opts.maxMemory });
  const strategies: string[] = [...RULE_NAMES];
  if (opts.train) {
    const model = opts.model ?? join('models', `${s.name}-quick`);
    if (!existsSync(model)) {
      const { trainQuickPolicy } = await import('./quick-train.js');
      say(`Training a small policy on ${s.name} → ${model} (about a minute; later runs reuse it)\n`);
      await trainQuickPolicy(opts.scenario, model, opts.progress, opts.contracts);
    } else {
      say(`Using the trained policy in ${model} (delete it to retrain)\n`);
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
  say(`Benchmarking ${strategies.join(', ')} on ${opts.seeds.length} seeds (common random numbers)\n`);
  // Paired differences are taken against the learned policy (the shipped one when there is one), so each
  // line says whether a rule or lp-rolling does better or worse than it.
  const learned = strategies.filter((x) => x.startsWith('rl:'));
  const baseline = learned.at(-1);
  const res = await benchWithProgress(
    { scenario: opts.scenario, strategies, seeds: opts.seeds, workers: opts.workers, out: opts.out, contracts: opts.contracts, ...(baseline ? { baseline } : {}) },
    opts.progress,
  );
  say('\n');
  printSummary(res.summary, opts.format);
  say('\n');
  for (const line of benchSummaryLines(res)) say(`- ${line}\n`);
  const reportFile = join(opts.out, 'report.html');
  await writeReport(opts.out, reportFile);
  say(
    `\n${res.records.length} runs in ${res.wallSeconds.toFixed(1)} s on ${res.workers || 'no'} worker thread${res.workers === 1 ? '' : 's'}; ` +
      `results in ${opts.out}/ (runs.csv, summary.json, daily.csv)\nReport: ${resolve(reportFile)}\n` +
      `Done in ${((performance.now() - started) / 1000).toFixed(0)} s.\n`,
  );
}
