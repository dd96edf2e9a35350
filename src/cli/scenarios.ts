import type { Command } from 'commander';
import { action } from './errors.js';
import { formatOption, printCsv, printJson, type OutputFormat } from './options.js';
import { textTable } from './format.js';
import { listScenarios, loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';

export function register(program: Command): void {
  formatOption(program.command('scenarios').description('list the shipped scenarios')).action(
    action((opts: { format: OutputFormat }) => {
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
      if (opts.format === 'json') return printJson(rows);
      const header = ['name', 'warehouses', 'regions', 'skus', 'days', 'ordersPerDay', 'description'] as const;
      if (opts.format === 'csv') return printCsv(header, rows.map((r) => header.map((h) => r[h])));
      process.stdout.write(
        textTable(
          ['name', 'warehouses', 'regions', 'SKUs', 'days', 'orders/day', 'description'],
          rows.map((r) => [r.name, String(r.warehouses), String(r.regions), String(r.skus), String(r.days), String(r.ordersPerDay), r.description]),
        ),
      );
    }),
  );
}
