import type { Command } from 'commander';
import { action, intOption, UsageError } from './errors.js';
import { formatOption, printCsv, printJson, type OutputFormat } from './options.js';
import { checkHorizon, DEFAULT_MAX_MEMORY_MB, maxMemoryOption } from './limits.js';
import { addContractsOption } from './contracts.js';
import { resolvePolicy } from './policy.js';
import { progressBar } from './progress.js';
import { kpiComparison, textTable, formatValue } from './format.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { simulate } from '../sim/index.js';
import { computeKpis } from '../sim/kpis.js';
import { reconcile } from '../sim/reconcile.js';
import { writeLedger } from '../sim/export.js';
import { unwritableReason } from '../sim/atomic-file.js';

interface SimulateOptions {
  scenario: string;
  strategy: string;
  seed: number;
  days?: number;
  format: OutputFormat;
  maxMemory: number;
  ledger?: string;
  weights?: string;
  daily?: boolean;
  progress: boolean;
  contracts?: ContractMode;
}

export function register(program: Command): void {
  const command = addContractsOption(program.command('simulate'))
    .description('simulate a scenario under one strategy and print its KPIs')
    .requiredOption('--scenario <name|path>', 'shipped scenario name or path to a YAML file', 'default')
    .requiredOption('--strategy <name>', 'nearest, cheapest, priority, fair-share, reserve, or rl:models/<name>', 'cheapest')
    .option('--seed <n>', 'random seed (whole number)', intOption('--seed'), 1)
    .option('--days <n>', 'simulate this many days instead of the scenario horizon', intOption('--days', 1))
    .option('--ledger <file>', 'write the ledger (audit trail) to a .jsonl or .csv file (replaced only when the run succeeds)')
    .option('--weights <list>', 'rule weights, e.g. "protectDays=10,premiumAccess=0.5"')
    .option('--daily', 'include the per-day KPI series in JSON output')
    .option('--max-memory <MB>', 'refuse a horizon whose estimated peak memory is above this', maxMemoryOption, DEFAULT_MAX_MEMORY_MB)
    .option('--no-progress', 'never show progress on stderr');
  formatOption(command).action(action(runSimulate));
}

async function runSimulate(opts: SimulateOptions): Promise<void> {
  let ledgerFormat: 'jsonl' | 'csv' | undefined;
  if (opts.ledger) {
    if (opts.ledger.endsWith('.jsonl') || opts.ledger.endsWith('.json')) ledgerFormat = 'jsonl';
    else if (opts.ledger.endsWith('.csv')) ledgerFormat = 'csv';
    else throw new UsageError(`--ledger(=${opts.ledger}) must end in .jsonl or .csv`);
    // Fail before the run, not after it, when the file cannot be written; the file itself is not touched.
    const why = unwritableReason(opts.ledger);
    if (why) throw new UsageError(`--ledger(=${opts.ledger}) cannot be written: ${why}`);
  }
  const loaded = loadScenario(opts.scenario, { contracts: opts.contracts });
  const world = buildWorld(loaded.scenario);
  checkHorizon(world, opts.days ?? loaded.scenario.horizonDays, { maxMemoryMb: opts.maxMemory });
  const policy = await resolvePolicy(opts.strategy, { weights: opts.weights, scenario: opts.scenario });
  const bar = progressBar(`simulate ${loaded.scenario.name} × ${opts.strategy}`, opts.progress, 'days');
  let result;
  try {
    result = simulate(world, policy, { seed: opts.seed, days: opts.days, onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.stop();
  }
  // After a long run the closing steps take seconds too: say what is happening.
  const say = (text: string) => opts.progress && result.wallSeconds >= 5 && process.stderr.write(`simulate: ${text}\n`);
  say(`reconciling and computing KPIs over ${result.ledger.length.toLocaleString('en-US')} ledger entries`);
  const rec = reconcile(result);
  const report = computeKpis(result);
  if (ledgerFormat && opts.ledger) {
    say(`writing the ledger to ${opts.ledger}`);
    writeLedger(result.ledger, world, opts.ledger, ledgerFormat);
  }
  if (opts.format === 'json') {
    const out = {
      scenario: loaded.scenario.name,
      scenarioHash: loaded.hash,
      strategy: opts.strategy,
      seed: opts.seed,
      days: result.days,
      kpis: report.kpis,
      byWarehouse: report.byWarehouse,
      bySegment: report.bySegment,
      ...(opts.daily ? { daily: report.daily } : {}),
      reconciliation: { ok: true, cells: rec.cells, entries: rec.entries },
      run: {
        events: result.events,
        orders: result.orders,
        ledgerEntries: result.ledger.length,
        wallSeconds: result.wallSeconds,
        eventsPerSecond: result.wallSeconds > 0 ? result.events / result.wallSeconds : 0,
      },
    };
    printJson(out);
    return;
  }
  if (opts.format === 'csv') {
    const keys = Object.keys(report.kpis) as (keyof typeof report.kpis)[];
    printCsv(['scenario', 'strategy', 'seed', 'days', ...keys, 'events', 'orders', 'ledgerEntries'], [
      [loaded.scenario.name, opts.strategy, opts.seed, result.days, ...keys.map((k) => report.kpis[k]), result.events, result.orders, result.ledger.length],
    ]);
    return;
  }
  const s = loaded.scenario;
  process.stdout.write(`${s.name} — ${opts.strategy}, seed ${opts.seed}, ${result.days} days (${s.currency})\n\n`);
  process.stdout.write(kpiComparison([{ name: opts.strategy, kpis: report.kpis }]));
  process.stdout.write('\nBy segment\n');
  process.stdout.write(
    textTable(
      ['segment', 'orders', 'fill', 'on time', 'lost units', 'revenue', 'penalties', 'contract fill (committed) / target', 'periods missed'],
      report.bySegment.map((g) => [
        `${g.segment} (${g.kind})`,
        String(g.orders),
        formatValue(g.fillRate, 'pct'),
        formatValue(g.onTimeRate, 'pct'),
        String(g.lostSalesUnits),
        formatValue(g.revenue, 'money'),
        formatValue(g.penalties, 'money'),
        g.contractCommitmentFillRate === null ? '' : `${formatValue(g.contractCommitmentFillRate, 'pct')} / ${formatValue(g.contractFillTarget!, 'pct')}`,
        g.contractPeriodsMissed === null ? '' : String(g.contractPeriodsMissed),
      ]),
    ),
  );
  process.stdout.write('\nBy warehouse\n');
  process.stdout.write(
    textTable(
      ['warehouse', 'shipped', 'utilisation', 'shipping cost', 'holding cost', 'stockout SKU-days', 'closing units'],
      report.byWarehouse.map((w) => [
        w.warehouse,
        String(w.shippedUnits),
        formatValue(w.utilisation, 'pct'),
        formatValue(w.shippingCost, 'money'),
        formatValue(w.holdingCost, 'money'),
        String(w.stockoutDays),
        String(w.closingUnits),
      ]),
    ),
  );
  process.stdout.write(
    `\n${result.events.toLocaleString('en-US')} events, ${result.orders.toLocaleString('en-US')} orders in ${result.wallSeconds.toFixed(2)} s; ledger ${rec.entries.toLocaleString('en-US')} entries, reconciled.\n`,
  );
}
