import type { Command } from 'commander';
import { action, intOption } from './errors.js';
import { formatOption, printCsv, printJson, type OutputFormat } from './options.js';
import { checkHorizon, DEFAULT_MAX_MEMORY_MB, maxMemoryOption } from './limits.js';
import { addContractsOption } from './contracts.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { solveOracle } from '../plan/oracle.js';

export function register(program: Command): void {
  const command = addContractsOption(program.command('oracle'))
    .description('solve the hindsight LP for one seed: an upper bound on any strategy\'s reward')
    .option('--scenario <name|path>', 'shipped scenario name or YAML path', 'default')
    .option('--seed <n>', 'random seed', intOption('--seed'), 0)
    .option('--days <n>', 'horizon override in days', intOption('--days', 1))
    .option('--max-memory <MB>', 'refuse a horizon whose estimated peak memory is above this', maxMemoryOption, DEFAULT_MAX_MEMORY_MB);
  formatOption(command).action(
    action(async (opts: { scenario: string; seed: number; days?: number; format: OutputFormat; maxMemory: number; contracts?: ContractMode }) => {
      const world = buildWorld(loadScenario(opts.scenario, { contracts: opts.contracts }).scenario);
      // The oracle draws every order of the horizon, as a run does: the same memory estimate holds.
      checkHorizon(world, opts.days ?? world.scenario.horizonDays, { maxMemoryMb: opts.maxMemory });
      const started = performance.now();
      const o = await solveOracle(world, { seed: opts.seed, days: opts.days });
      const seconds = (performance.now() - started) / 1000;
      if (opts.format === 'json') return printJson({ ...o, seconds });
      if (opts.format === 'csv') {
        return printCsv(
          ['scenario', 'seed', 'days', 'contracts', 'reward', 'margin', 'penalties', 'contractCommitmentFillRate', 'contractPeriodsMissed', 'demandedUnits', 'servedUnits', 'lpSkus', 'lpColumns', 'lpRows', 'seconds'],
          [[world.scenario.name, o.seed, o.days, o.contracts, o.reward, o.margin, o.penalties, o.contractCommitmentFillRate, o.contractPeriodsMissed, o.demandedUnits, o.servedUnits, o.lpSkus.join(' '), o.lpColumns, o.lpRows, seconds]],
        );
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
