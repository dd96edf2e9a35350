import { createHash } from 'node:crypto';
import { ResultsError, type TaskExecutor } from '../report/harness.js';
import type { TaskRecord } from '../report/task.js';
import { decode } from './codec.js';
import type { TaskSpec } from './queue.js';
import { scenarioRef } from './scenario.js';
import { progressPrinter, submit, type QueueProgress } from './submit.js';

export interface QueueBenchOptions {
  url: string;
  resume: boolean;
  /** Seconds after which a running task is taken for lost and run again elsewhere. */
  timeoutSeconds: number;
  log: (line: string) => void;
  onProgress?: (p: QueueProgress) => void;
}

/** The task key of a bench task: `<strategy>#<seed>`. */
export function benchKey(strategy: string, seed: number): string {
  return `${strategy}#${seed}`;
}

/**
 * A `TaskExecutor` for `runBenchmark` that runs the tasks on `allocsim worker`
 * processes through the queue. The run is identified by scenario, days,
 * strategies and seeds, so `resume` finds it again after this process died.
 */
export function queueExecutor(options: QueueBenchOptions): TaskExecutor {
  return async (tasks, config, onDone) => {
    const scenario = scenarioRef(config.scenario);
    const specs: TaskSpec[] = tasks.map((t) => ({ kind: 'bench', key: benchKey(t.strategy, t.seed), scenario, ...(config.days !== undefined ? { days: config.days } : {}), strategy: t.strategy, seed: t.seed }));
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ kind: 'bench', scenario: scenario.hash, days: config.days ?? null, tasks: specs.map((s) => s.key) }))
      .digest('hex');
    const byKey = new Map(tasks.map((t) => [benchKey(t.strategy, t.seed), t]));
    const records: TaskRecord[] = [];
    const out = await submit({
      url: options.url,
      kind: 'bench',
      fingerprint,
      resume: options.resume,
      tasks: specs,
      timeoutSeconds: options.timeoutSeconds,
      log: options.log,
      onProgress: options.onProgress,
      onResult: (key, payload) => {
        const t = byKey.get(key)!;
        const r = decode<TaskRecord>(payload);
        if (r.strategy !== t.strategy || r.seed !== t.seed) throw new ResultsError(`task ${key}: the result is for ${benchKey(r.strategy, r.seed)}`);
        records.push(r);
        onDone(t);
      },
    });
    if (out.failed.size > 0) {
      throw new ResultsError(`${out.failed.size} of ${tasks.length} tasks failed (reported above); finished tasks are kept: fix the cause and rerun with --resume`);
    }
    return records;
  };
}

/** Progress on stderr and the executor, as `allocsim bench --queue` uses them. */
export function cliQueueExecutor(url: string, resume: boolean, timeoutSeconds: number): { execute: TaskExecutor; end(): void } {
  const printer = progressPrinter(process.stderr);
  return { execute: queueExecutor({ url, resume, timeoutSeconds, log: (line) => printer.log(line), onProgress: (p) => printer.update(p) }), end: () => printer.end() };
}
