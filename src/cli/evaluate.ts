import type { Command } from 'commander';
import { action, UsageError } from './errors.js';
import { addContractsOption } from './contracts.js';
import { resolvePolicy } from './policy.js';
import { textTable, formatValue } from './format.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { simulate } from '../sim/engine.js';
import { computeKpis, type Kpis } from '../sim/kpis.js';
import { RULE_NAMES, createRulePolicy } from '../sim/policies/rules.js';
import type { Policy } from '../sim/policies/contract.js';

interface EvaluateOptions {
  scenario: string;
  policy: string;
  seeds: string;
  format: string;
  baseline: string;
  mode?: string;
  contracts?: ContractMode;
}

/** Two-sided 97.5% Student t quantiles for 1..30 degrees of freedom (then normal). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean and 95% confidence interval of a sample (Student t). */
export function meanCi(xs: readonly number[]): { mean: number; lo: number; hi: number; sd: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n > 1 ? (T975[n - 2] ?? 1.96) : 0;
  const half = n > 1 ? (t * sd) / Math.sqrt(n) : 0;
  return { mean, lo: mean - half, hi: mean + half, sd };
}

function parseSeeds(text: string): number[] {
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (!m || Number(m[2]) < Number(m[1]) || Number(m[2]) - Number(m[1]) > 10000) throw new UsageError(`--seeds(=${text}) must look like a..b with a <= b`);
  const out: number[] = [];
  for (let s = Number(m[1]); s <= Number(m[2]); s++) out.push(s);
  return out;
}

export function register(program: Command): void {
  addContractsOption(program.command('evaluate'))
    .description('evaluate a trained policy against the rule strategies on common seeds: KPIs and the paired reward difference with its 95% CI')
    .requiredOption('--scenario <name|path>', 'scenario')
    .requiredOption('--policy <spec>', 'models/<name>[/<version>] (or rl:…, or a rule name)')
    .requiredOption('--seeds <a..b>', 'evaluation seeds, e.g. 9001..9020 (use seeds never used in training)')
    .option('--baseline <rule|best>', 'rule to compare against; best = the rule with the highest mean reward', 'best')
    .option('--mode <mode>', 'trained policies: sample or greedy (default: the model\'s decision mode)')
    .option('--format <format>', 'table or json', 'table')
    .action(action(runEvaluate));
}

async function runEvaluate(opts: EvaluateOptions): Promise<void> {
  if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`--format(=${opts.format}) must be table or json`);
  if (opts.baseline !== 'best' && !RULE_NAMES.includes(opts.baseline)) throw new UsageError(`--baseline(=${opts.baseline}) must be best or one of ${RULE_NAMES.join(', ')}`);
  const seeds = parseSeeds(opts.seeds);
  const loaded = loadScenario(opts.scenario, { contracts: opts.contracts });
  const world = buildWorld(loaded.scenario);
  const spec = RULE_NAMES.includes(opts.policy) || opts.policy.startsWith('rl:') ? opts.policy : `rl:${opts.policy}`;
  if (opts.mode !== undefined && opts.mode !== 'sample' && opts.mode !== 'greedy') throw new UsageError(`--mode(=${opts.mode}) must be sample or greedy`);
  let policy: Policy;
  if (spec.startsWith('rl:')) {
    const { loadModel } = await import('../agent/registry/index.js');
    policy = loadModel(spec.slice(3), { name: opts.policy, ...(opts.mode ? { mode: opts.mode as 'sample' | 'greedy' } : {}) }).policy;
  } else policy = await resolvePolicy(spec, { scenario: opts.scenario, contracts: opts.contracts });
  const run = (p: Policy): Kpis[] =>
    seeds.map((seed) => {
      const r = simulate(world, p, { seed });
      const k = computeKpis(r).kpis;
      r.ledger.release();
      return k;
    });
  const rules = (opts.baseline === 'best' ? RULE_NAMES : [opts.baseline]).map((name) => ({ name, kpis: run(createRulePolicy(name)) }));
  const mean = (ks: Kpis[], key: keyof Kpis) => ks.reduce((a, k) => a + k[key], 0) / ks.length;
  rules.sort((a, b) => mean(b.kpis, 'reward') - mean(a.kpis, 'reward'));
  const best = rules[0]!;
  const mine = { name: opts.policy, kpis: run(policy) };
  const diff = meanCi(mine.kpis.map((k, i) => k.reward - best.kpis[i]!.reward));
  const wins = mine.kpis.filter((k, i) => k.reward > best.kpis[i]!.reward).length;
  const keys: { key: keyof Kpis; label: string; kind: 'pct' | 'money' | 'int' }[] = [
    { key: 'reward', label: 'reward', kind: 'money' },
    { key: 'grossMargin', label: 'gross margin', kind: 'money' },
    { key: 'penalties', label: 'penalties', kind: 'money' },
    { key: 'fillRate', label: 'fill rate', kind: 'pct' },
    { key: 'contractFillRate', label: 'contract fill', kind: 'pct' },
    { key: 'contractCommitmentFillRate', label: 'contract fill (committed)', kind: 'pct' },
    { key: 'contractFillTarget', label: 'contract target', kind: 'pct' },
    { key: 'contractPeriodsMissed', label: 'contract periods missed', kind: 'int' },
    { key: 'onTimeRate', label: 'on-time rate', kind: 'pct' },
  ];
  if (opts.format === 'json') {
    const summary = (ks: Kpis[]) => Object.fromEntries(keys.map((k) => [k.key, mean(ks, k.key)]));
    const out = {
      scenario: loaded.scenario.name,
      scenarioHash: loaded.hash,
      seeds: [seeds[0], seeds[seeds.length - 1]],
      policy: { name: opts.policy, mean: summary(mine.kpis), rewards: mine.kpis.map((k) => k.reward) },
      rules: rules.map((r) => ({ name: r.name, mean: summary(r.kpis), rewards: r.kpis.map((k) => k.reward) })),
      best: best.name,
      pairedRewardDifference: { ...diff, wins, seeds: seeds.length },
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${loaded.scenario.name}: ${opts.policy} vs rules, mean over seeds ${opts.seeds} (${seeds.length} seeds, common random numbers)\n\n`);
  const cols = [mine, ...rules];
  process.stdout.write(textTable(['KPI', ...cols.map((c) => c.name)], keys.map((k) => [k.label, ...cols.map((c) => formatValue(mean(c.kpis, k.key), k.kind))])));
  process.stdout.write(
    `\nreward − ${best.name} (best rule): mean ${formatValue(diff.mean, 'money')}, 95% CI [${formatValue(diff.lo, 'money')}, ${formatValue(diff.hi, 'money')}], better on ${wins}/${seeds.length} seeds${diff.lo > 0 ? ' — significant' : ''}\n`,
  );
}
