import type { Command } from 'commander';
import { action } from './errors.js';
import { listScenarios, loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';

export function register(program: Command): void {
  program
    .command('scenarios')
    .description('list the shipped scenarios')
    .option('--format <format>', 'table or json', 'table')
    .action(
      action((opts: { format: string }) => {
        const rows = listScenarios().map((name) => {
          const { scenario: s } = loadScenario(name);
          const world = buildWorld(s);
          return {
            name,
            warehouses: s.warehouses.length,
            regions: s.regions.length,
            skus: world.skus.length,
            days: s.horizonDays,
            ordersPerDay: s.demand.ordersPerDay,
            description: s.description,
          };
        });
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        for (const r of rows) {
          process.stdout.write(
            `${r.name.padEnd(20)} ${String(r.warehouses).padStart(3)} warehouses ${String(r.skus).padStart(5)} SKUs ${String(r.days).padStart(4)} days  ${r.description}\n`,
          );
        }
      }),
    );
}
