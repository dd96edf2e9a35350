import type { Command } from 'commander';
import { action, intOption } from './errors.js';
import { addContractsOption } from './contracts.js';
import type { ContractMode } from '../sim/scenario/index.js';
import { loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { solveOracle } from '../plan/oracle.js';

export function register(program: Command): void {
  addContractsOption(program.command('oracle'))
    .description('solve the hindsight LP for one seed: an upper bound on any strategy\'s reward')
    .option('--scenario <name|path>', 'shipped scenario name or YAML path', 'default')
    .option('--seed <n>', 'random seed', intOption('--seed'), 0)
    .option('--days <n>', 'horizon override in days', intOption('--days', 1))
    .option('--format <format>', 'table or json', 'table')
    .action(
      action(async (opts: { scenario: string; seed: number; days?: number; format: string; contracts?: ContractMode }) => {
        if (opts.format !== 'table' && opts.format !== 'json') throw new (await import('./errors.js')).UsageError(`--format(=${opts.format}) must be table or json`);
        const world = buildWorld(loadScenario(opts.scenario, { contracts: opts.contracts }).scenario);
        const started = performance.now();
        const o = await solveOracle(world, { seed: opts.seed, days: opts.days });
        const seconds = (performance.now() - started) / 1000;
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify({ ...o, seconds }, null, 2)}\n`);
          return;
        }
        const c = world.scenario.currency;
        process.stdout.write(
          `${world.scenario.name}, seed ${o.seed}, ${o.days} days: oracle reward ≤ ${o.reward.toFixed(2)} ${c}\n` +
            `  margin ${o.margin.toFixed(2)} ${c}, lost-sale and contract penalties ≥ ${o.penalties.toFixed(2)} ${c}\n` +
            `  contracts ${o.contracts}: committed fill ${(100 * o.contractCommitmentFillRate).toFixed(1)}%, ${o.contractPeriodsMissed} of ${o.contractShortfall.length} periods below target` +
            `${o.contractsFeasible === false ? ` — the commitments cannot all be met on this seed (least shortfall ${o.contractShortfall.reduce((a, p) => a + p.shortUnits, 0).toFixed(0)} units)` : ''}\n` +
            `  serves ${o.servedUnits.toFixed(0)} of ${o.demandedUnits} units; LP over ${o.lpSkus.join(', ') || 'no scheduled-supply SKU'}: ${o.lpColumns} columns, ${o.lpRows} rows; ${seconds.toFixed(1)} s\n`,
        );
      }),
    );
}
