import type { Command } from 'commander';
import { action, UsageError } from './errors.js';
import { addSeedsOption, describeSeeds, formatOption, printCsv, printJson, type OutputFormat } from './options.js';
import { interval } from '../report/stats.js';
import { addContractsOption } from './contracts.js';
import { resolvePolicy } from './policy.js';
import { textTable, formatValue } from './format.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { simulate } from '../sim/index.js';
import { computeKpis, type Kpis } from '../sim/kpis.js';
import { RULE_NAMES, createRulePolicy } from '../sim/policies/rules.js';
import type { Policy } from '../sim/policies/contract.js';

interface EvaluateOptions {
  scenario: string;
  policy: string;
  seeds: number[];
  format: OutputFormat;
  baseline: string;
  mode?: string;
  contracts?: ContractMode;
}

export function register(program: Command): void {
  const command = addContractsOption(program.command('evaluate'))
    .description('evaluate a trained policy against the rule strategies on common seeds: KPIs and the paired reward difference with its 95% CI')
    .requiredOption('--scenario <name|path>', 'scenario')
    .requiredOption('--policy <spec>', 'models/<name>[/<version>] (or rl:…, or a rule name)')
    .option('--baseline <rule|best>', 'rule to compare against; best = the rule with the highest mean reward', 'best')
    .option('--mode <mode>', 'trained policies: sample or greedy (default: the model\'s decision mode)')
  addSeedsOption(command, { minCount: 2, help: 'evaluation seeds, e.g. 9001..9020 (use seeds never used in training)' });
  formatOption(command).action(action(runEvaluate));
}

async function runEvaluate(opts: EvaluateOptions): Promise<void> {
  if (opts.baseline !== 'best' && !RULE_NAMES.includes(opts.baseline)) throw new UsageError(`--baseline(=${opts.baseline}) must be best or one of ${RULE_NAMES.join(', ')}`);
  const seeds = opts.seeds;
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
  const diff = interval(mine.kpis.map((k, i) => k.reward - best.kpis[i]!.reward));
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
      seeds,
      policy: { name: opts.policy, mean: summary(mine.kpis), rewards: mine.kpis.map((k) => k.reward) },
      rules: rules.map((r) => ({ name: r.name, mean: summary(r.kpis), rewards: r.kpis.map((k) => k.reward) })),
      best: best.name,
      pairedRewardDifference: { mean: diff.mean, lo: diff.lo, hi: diff.hi, sd: diff.sd, wins, seeds: seeds.length },
    };
    printJson(out);
    return;
  }
  if (opts.format === 'csv') {
    // One row per policy; the paired difference against the best rule is on the evaluated policy's row.
    printCsv(
      ['name', 'role', 'seeds', ...keys.map((k) => k.key), `rewardMinus_${best.name}_mean`, 'lo95', 'hi95', 'wins'],
      [mine, ...rules].map((c, i) => [
        c.name,
        i === 0 ? 'policy' : c === best ? 'best rule' : 'rule',
        seeds.length,
        ...keys.map((k) => mean(c.kpis, k.key)),
        ...(i === 0 ? [diff.mean, diff.lo, diff.hi, wins] : ['', '', '', '']),
      ]),
    );
    return;
  }
  process.stdout.write(`${loaded.scenario.name}: ${opts.policy} vs rules, mean over seeds ${describeSeeds(seeds)} (${seeds.length} seeds, common random numbers)\n\n`);
  const cols = [mine, ...rules];
  process.stdout.write(textTable(['KPI', ...cols.map((c) => c.name)], keys.map((k) => [k.label, ...cols.map((c) => formatValue(mean(c.kpis, k.key), k.kind))])));
  process.stdout.write(
    `\nreward − ${best.name} (best rule): mean ${formatValue(diff.mean, 'money')}, 95% CI [${formatValue(diff.lo, 'money')}, ${formatValue(diff.hi, 'money')}], better on ${wins}/${seeds.length} seeds${diff.lo > 0 ? ' — significant' : ''}\n`,
  );
}
