import type { Command } from 'commander';
import { action, UsageError } from './errors.js';
import { formatOption, printCsv, printJson, type OutputFormat } from './options.js';
import { unwritableReason, writeFileAtomic } from '../sim/atomic-file.js';
import { loadScenario, scenarioJsonSchema } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';

export function register(program: Command): void {
  const command = program
    .command('validate')
    .description('check a scenario file (or shipped name) against the schema; --json-schema writes the schema for editors')
    .argument('[file]', 'scenario YAML file or shipped scenario name')
    .option('--json-schema <out>', 'write the scenario JSON Schema to this file ("-" for stdout)');
  formatOption(command).action(
    action((file: string | undefined, opts: { jsonSchema?: string; format: OutputFormat }) => {
      if (opts.jsonSchema) {
        const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
        if (opts.jsonSchema === '-') process.stdout.write(text);
        else {
          const why = unwritableReason(opts.jsonSchema);
          if (why) throw new UsageError(`--json-schema(=${opts.jsonSchema}) cannot be written: ${why}`);
          writeFileAtomic(opts.jsonSchema, text);
        }
        if (!file) return;
      }
      if (!file) throw new UsageError('validate needs a scenario file or name (or --json-schema <out>)');
      const loaded = loadScenario(file);
      const w = buildWorld(loaded.scenario);
      const result = {
        source: loaded.source,
        ok: true,
        name: loaded.scenario.name,
        warehouses: w.scenario.warehouses.length,
        skus: w.skus.length,
        regions: w.scenario.regions.length,
        days: w.scenario.horizonDays,
        sha256: loaded.hash,
      };
      if (opts.format === 'json') return printJson(result);
      if (opts.format === 'csv') return printCsv(Object.keys(result), [Object.values(result)]);
      process.stdout.write(
        `${loaded.source}: ok — ${loaded.scenario.name}: ${w.scenario.warehouses.length} warehouses, ${w.skus.length} SKUs, ${w.scenario.regions.length} regions, ${w.scenario.horizonDays} days (sha256 ${loaded.hash.slice(0, 12)})\n`,
      );
    }),
  );
}
