import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, UsageError } from './errors.js';
import { loadScenario, scenarioJsonSchema } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file (or shipped name) against the schema; --json-schema writes the schema for editors')
    .argument('[file]', 'scenario YAML file or shipped scenario name')
    .option('--json-schema <out>', 'write the scenario JSON Schema to this file ("-" for stdout)')
    .action(
      action((file: string | undefined, opts: { jsonSchema?: string }) => {
        if (opts.jsonSchema) {
          const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
          if (opts.jsonSchema === '-') process.stdout.write(text);
          else writeFileSync(opts.jsonSchema, text);
          if (!file) return;
        }
        if (!file) throw new UsageError('validate needs a scenario file or name (or --json-schema <out>)');
        const loaded = loadScenario(file);
        const w = buildWorld(loaded.scenario);
        process.stdout.write(
          `${loaded.source}: ok — ${loaded.scenario.name}: ${w.scenario.warehouses.length} warehouses, ${w.skus.length} SKUs, ${w.scenario.regions.length} regions, ${w.scenario.horizonDays} days (sha256 ${loaded.hash.slice(0, 12)})\n`,
        );
      }),
    );
}
