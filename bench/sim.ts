/**
 * Simulator throughput: events/s, orders/s and peak memory per scenario.
 * Each scenario runs in its own child process so peak memory is its own.
 *   npm run bench:sim                 # default, the pipeline pair, network-large
 *   npm run bench:sim -- --scenario default --strategy nearest --runs 10
 *   npm run bench:sim -- --scenario pipeline-5d --runs 5
 * Targets (issue 14): >= 1,500,000 events/s on default; a year of network-large in
 * <= 12 s within 1 GB; the pipeline pair (one warehouse, one SKU, Poisson 2,000
 * units a day, continuous-review base-stock, lead time 5 days or 1 hour, 365 days)
 * >= 1,000,000 events/s each, time per order at 5 days <= 1.2 × at 1 hour.
 * Every run computes its KPIs and reconciles; --keep-ledger keeps its entries too.
 */
import { spawnSync } from 'node:child_process';
import { benchArgs } from './args.js';
import { fileURLToPath } from 'node:url';
import { loadScenario, parseScenario } from '../src/sim/scenario/index.js';
import type { Scenario } from '../src/sim/scenario/schema.js';
import { buildWorld } from '../src/sim/model/world.js';
import { Simulation } from '../src/sim/engine.js';
import { createRulePolicy } from '../src/sim/policies/index.js';
import { reconcile } from '../src/sim/reconcile.js';
import { computeKpis } from '../src/sim/kpis.js';

interface Figures {
  scenario: string;
  strategy: string;
  /** 'kept' (every entry in memory) or 'tallied' (KPIs and reconciliation as the run goes). */
  ledger: string;
  runs: number;
  events: number;
  orders: number;
  firstRunSeconds: number;
  medianSeconds: number;
  /** Median process CPU seconds (all threads, GC helpers included) of a run. */
  medianCpuSeconds: number;
  eventsPerSecond: number;
  /** Events per CPU second: steadier than wall time on a shared machine. */
  eventsPerCpuSecond: number;
  ordersPerSecond: number;
  peakRssMB: number;
}

const opts = benchArgs(
  'bench:sim',
  `Usage: npm run bench:sim [-- options]
Simulator events/s, orders/s and peak memory, one child process per row. With no
options: default × nearest, cheapest, reserve (15 runs), pipeline-5d and
pipeline-1h × nearest (5 runs: one warehouse, one SKU, 2,000 units a day,
continuous-review base-stock, lead time 5 days or 1 hour) and network-large ×
cheapest (1 run). With --scenario, --strategy or --runs: that one row. Runs keep
no ledger entries, only the KPIs and the reconciliation, tallied as they go (what
an evaluation needs); --keep-ledger keeps every entry, as simulate --ledger does.`,
  {
    scenario: { type: 'string', help: 'scenario name or file (one row)' },
    strategy: { type: 'string', help: 'rule strategy (one row; default cheapest)' },
    runs: { type: 'string', positive: true, help: 'runs of the row (one row; default 15)' },
    'keep-ledger': { type: 'boolean', help: 'keep every ledger entry in memory, as a run asked for its ledger does (default: KPIs and the reconciliation tallied as the run goes)' },
    child: { type: 'boolean', help: 'internal: run one row in this process and print its figures as JSON' },
  },
);

/**
 * The pipeline benchmark's system: one warehouse, one SKU, unit Poisson demand
 * of 2,000 a day, each order allocated on arrival, continuous-review base-stock
 * with a fixed lead time, backorders. S covers lead-time demand plus three
 * standard deviations. With a 5-day lead time about 10,000 units are in transit
 * at any time, with 1 hour about 83: the cost of an order must not depend on it.
 */
function pipelineScenario(leadHours: number): Scenario {
  const lambda = 2000;
  const mean = (lambda * leadHours) / 24;
  const S = Math.ceil(mean + 3 * Math.sqrt(mean));
  return parseScenario({
    name: `pipeline-${leadHours}h`,
    horizonDays: 365,
    waveIntervalHours: 0,
    regions: [{ id: 'r', lat: 40, lon: -75 }],
    warehouses: [{ id: 'w', lat: 40, lon: -75, pickCapacityPerDay: 1e9, pickHours: 1 }],
    modes: [{ id: 'ground', costPerUnitKm: 0.001, speedKmPerHour: 50, transitCv: 0, lateRisk: 0 }],
    skus: { items: [{ id: 'A', unitCost: 10, price: 15 }] },
    segments: [{ id: 'all', kind: 'standard', demandShare: 1, patienceHours: 1e6, escalationHours: 1e6 }],
    demand: { distribution: 'poisson', ordersPerDay: lambda },
    replenishment: { policy: 'base-stock', review: 'continuous', leadTimeHours: leadHours, leadTimeCv: 0, levels: [{ warehouse: 'w', sku: 'A', orderUpTo: S, initial: S }] },
  });
}

const BENCH_SCENARIOS: Record<string, () => Scenario> = {
  'pipeline-5d': () => pipelineScenario(120),
  'pipeline-1h': () => pipelineScenario(1),
};

function child(): void {
  const scenario = opts.scenario || 'default';
  const strategy = opts.strategy || 'cheapest';
  const runs = Math.round(Number(opts.runs || '1'));
  const world = buildWorld(BENCH_SCENARIOS[scenario]?.() ?? loadScenario(scenario).scenario);
  const times: number[] = [];
  const cpu: number[] = [];
  let events = 0, orders = 0;
  for (let i = 0; i < runs; i++) {
    // Timed as run() times itself: the run, not building the simulation.
    const sim = new Simulation(world, createRulePolicy(strategy), { seed: i + 1, keepLedger: opts['keep-ledger'] });
    const c0 = process.cpuUsage();
    const r = sim.run();
    const c = process.cpuUsage(c0);
    times.push(r.wallSeconds);
    cpu.push((c.user + c.system) / 1e6);
    events = r.events;
    orders = r.orders;
    // What every caller of a run does next (not timed; with a tally it is nearly free).
    reconcile(r);
    computeKpis(r);
    // As the benchmark harness's workers do: the next run writes into this ledger's memory.
    r.ledger.release();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const cpuMedian = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)]!;
  const f: Figures = {
    scenario,
    strategy,
    ledger: opts['keep-ledger'] ? 'kept' : 'tallied',
    runs,
    events,
    orders,
    firstRunSeconds: times[0]!,
    medianSeconds: median,
    medianCpuSeconds: cpuMedian,
    eventsPerSecond: events / median,
    eventsPerCpuSecond: events / cpuMedian,
    ordersPerSecond: orders / median,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(f)}\n`);
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const one = opts.scenario || opts.strategy || opts.runs;
  const plan: [string, string, number][] = one
    ? [[opts.scenario || 'default', opts.strategy || 'cheapest', Math.round(Number(opts.runs || '15'))]]
    : [
        ['default', 'nearest', 15],
        ['default', 'cheapest', 15],
        ['default', 'reserve', 15],
        ['pipeline-5d', 'nearest', 5],
        ['pipeline-1h', 'nearest', 5],
        ['network-large', 'cheapest', 1],
      ];
  console.log(
    `allocsim simulator benchmark (one child process per row; median over runs; events = kernel events; ledger ${opts['keep-ledger'] ? 'kept in memory' : 'tallied (KPIs and reconciliation as the run goes)'})\n`,
  );
  console.log('scenario        strategy   runs      events     orders  first s  median s     events/s    orders/s  peak RSS   CPU s  events/CPU s');
  const done = new Map<string, Figures>();
  for (const [scenario, strategy, runs] of plan) {
    const args = [self, '--child', '--scenario', scenario, '--strategy', strategy, '--runs', String(runs), ...(opts['keep-ledger'] ? ['--keep-ledger'] : [])];
    const r = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) {
      console.log(`${scenario} ${strategy}: failed: ${r.stderr.split('\n')[0]}`);
      continue;
    }
    const f = JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
    done.set(scenario, f);
    console.log(
      `${f.scenario.padEnd(15)} ${f.strategy.padEnd(9)} ${String(f.runs).padStart(5)} ${f.events.toLocaleString('en-US').padStart(11)} ${f.orders.toLocaleString('en-US').padStart(10)} ${f.firstRunSeconds.toFixed(2).padStart(8)} ${f.medianSeconds.toFixed(3).padStart(9)} ${Math.round(f.eventsPerSecond).toLocaleString('en-US').padStart(12)} ${Math.round(f.ordersPerSecond).toLocaleString('en-US').padStart(11)} ${f.peakRssMB.toFixed(0).padStart(6)} MB ${f.medianCpuSeconds.toFixed(3).padStart(7)} ${Math.round(f.eventsPerCpuSecond).toLocaleString('en-US').padStart(13)}`,
    );
  }
  const long = done.get('pipeline-5d');
  const short = done.get('pipeline-1h');
  if (long && short) {
    const perOrder = (f: Figures) => (f.medianSeconds / f.orders) * 1e6;
    console.log(
      `\npipeline: ${perOrder(long).toFixed(3)} µs per order at 5 days, ${perOrder(short).toFixed(3)} µs at 1 hour: ratio ${(perOrder(long) / perOrder(short)).toFixed(3)} (target <= 1.2)`,
    );
  }
}

if (opts.child) child();
else main();
