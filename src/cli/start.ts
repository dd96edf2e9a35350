import type { Command } from 'commander';
import { action, intOption } from './errors.js';
import { kpiComparison } from './format.js';
import { loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { simulate } from '../sim/engine.js';
import { computeKpis, type Kpis } from '../sim/kpis.js';
import { reconcile } from '../sim/reconcile.js';
import { RULE_NAMES, createRulePolicy } from '../sim/policies/rules.js';

/** Mean of every KPI over runs. */
function meanKpis(list: Kpis[]): Kpis {
  const out = { ...list[0]! };
  for (const key of Object.keys(out) as (keyof Kpis)[]) {
    out[key] = list.reduce((a, k) => a + k[key], 0) / list.length;
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('the main job: simulate the default scenario under every rule strategy on a few seeds and compare KPIs')
    .option('--scenario <name|path>', 'scenario', 'default')
    .option('--seeds <n>', 'number of seeds (1..n)', intOption('--seeds', 1), 3)
    .action(
      action(async (opts: { scenario: string; seeds: number }) => {
        const loaded = loadScenario(opts.scenario);
        const world = buildWorld(loaded.scenario);
        const columns: { name: string; kpis: Kpis }[] = [];
        const started = performance.now();
        for (const name of RULE_NAMES) {
          const runs: Kpis[] = [];
          for (let seed = 1; seed <= opts.seeds; seed++) {
            const r = simulate(world, createRulePolicy(name), { seed });
            reconcile(r);
            runs.push(computeKpis(r).kpis);
          }
          columns.push({ name, kpis: meanKpis(runs) });
        }
        process.stdout.write(
          `${loaded.scenario.name}: ${loaded.scenario.description}\nMean KPIs over seeds 1..${opts.seeds} (common random numbers: every strategy sees the same demand)\n\n`,
        );
        process.stdout.write(kpiComparison(columns));
        process.stdout.write(`\n${RULE_NAMES.length * opts.seeds} runs in ${((performance.now() - started) / 1000).toFixed(1)} s, every one reconciled.\n`);
      }),
    );
}
