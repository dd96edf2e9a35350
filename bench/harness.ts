/**
 * Benchmark of the benchmark harness: the five rule strategies × 20 seeds on
 * `default`, on one worker thread and on two, with the speed-up; checks that
 * both write identical result files. `npm run bench:harness`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBenchmark } from '../src/report/harness.js';
import { RULE_NAMES } from '../src/sim/policies/rules.js';
import { benchArgs } from './args.js';

benchArgs('bench:harness', 'Usage: npm run bench:harness\nThe five rules × BENCH_SEEDS seeds (20) on BENCH_SCENARIO (default), on one worker and on two; checks both write identical results.', {});

const seeds = Number(process.env.BENCH_SEEDS ?? 20);
const scenario = process.env.BENCH_SCENARIO ?? 'default';
const strategies = [...RULE_NAMES];
const wall: Record<number, number> = {};
for (const workers of [1, 2]) {
  const out = join('results', `bench-harness-w${workers}`);
  let last = -1;
  const res = await runBenchmark({
    scenario,
    strategies,
    seeds,
    workers,
    out,
    onProgress: (p) => {
      const pct = Math.floor((10 * p.done) / p.total);
      if (pct !== last) {
        last = pct;
        process.stderr.write(`  ${workers} worker${workers > 1 ? 's' : ''}: ${p.done}/${p.total} runs, ETA ${p.etaSeconds.toFixed(0)} s\n`);
      }
    },
  });
  wall[workers] = res.wallSeconds;
  const runs = strategies.length * seeds;
  console.log(`${scenario}: ${strategies.length} strategies × ${seeds} seeds = ${runs} runs on ${workers} worker${workers > 1 ? 's' : ''}: ${res.wallSeconds.toFixed(1)} s (${(runs / res.wallSeconds).toFixed(2)} runs/s)`);
}
const same = ['runs.csv', 'summary.json', 'daily.csv', 'segments.csv'].every(
  (f) => readFileSync(join('results', 'bench-harness-w1', f), 'utf8') === readFileSync(join('results', 'bench-harness-w2', f), 'utf8'),
);
console.log(`speed-up with 2 workers: ${(wall[1]! / wall[2]!).toFixed(2)}× (result files identical: ${same ? 'yes' : 'NO'})`);
if (!same) process.exitCode = 1;
