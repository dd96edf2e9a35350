import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTask } from '../report/task.js';
import { encode } from './codec.js';
import { Broker, TASK_QUEUE, TASKS_CHANNEL, type TaskData } from './queue.js';
import { materialiseScenario } from './scenario.js';

/** What a training task sends back: the model version's files and the training log. */
export interface TrainPayload {
  name: string;
  /** File name → base64 content, of the saved version directory. */
  files: Record<string, string>;
  /** `training.jsonl` of the run. */
  log: string;
  seconds: number;
}

export interface WorkerOptions {
  url: string;
  /** URL of the module whose `resolvePolicy` turns strategy specs into policies (the CLI's). */
  resolver: string;
  /** Command line that runs `allocsim` (e.g. node, its flags and the CLI entry); training tasks run `allocsim train` with it. */
  cli: string[];
  log: (line: string) => void;
  /** Stops taking tasks when aborted; the task in hand is finished first. */
  signal: AbortSignal;
  /** Seconds between polls when idle (a notification wakes the worker sooner). */
  pollSeconds?: number;
}

/** Runs one task and returns its result payload (JSON text). Throws the task's error. */
export async function runTaskData(data: TaskData, options: Pick<WorkerOptions, 'resolver' | 'cli' | 'log'>): Promise<string> {
  switch (data.kind) {
    case 'noop':
      return '{}';
    case 'bench': {
      const scenario = materialiseScenario(data.scenario);
      const record = await runTask({ index: 0, strategy: data.strategy, seed: data.seed }, { scenario, days: data.days, resolver: options.resolver });
      return encode(record);
    }
    case 'train':
      return encode(await train(data, options));
  }
}

/** Runs `allocsim train` into a temp dir and packs the saved version. */
async function train(data: Extract<TaskData, { kind: 'train' }>, options: Pick<WorkerOptions, 'cli' | 'log'>): Promise<TrainPayload> {
  const started = performance.now();
  const scenario = materialiseScenario(data.scenario);
  const dir = mkdtempSync(join(tmpdir(), 'allocsim-train-'));
  try {
    const out = join(dir, data.name);
    const [cmd, ...pre] = options.cli;
    const args = [...pre, 'train', '--scenario', scenario, ...data.args, '--out', out, '--no-progress'];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let last = '';
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          last = line;
          options.log(`  ${data.key}: ${line}`);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(last.replace(/^allocsim: (internal )?error: /, '') || `allocsim train exited with code ${code}`))));
    });
    const versions = readdirSync(out).filter((v) => /^v\d+$/.test(v) && statSync(join(out, v)).isDirectory());
    if (versions.length !== 1) throw new Error(`training wrote ${versions.length} model versions, expected 1`);
    const vdir = join(out, versions[0]!);
    const files: Record<string, string> = {};
    for (const f of readdirSync(vdir).sort()) files[f] = readFileSync(join(vdir, f)).toString('base64');
    return { name: data.name, files, log: readFileSync(join(out, 'training.jsonl'), 'utf8'), seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.trim() || (err instanceof Error ? err.name : 'failed');
}

/**
 * Takes tasks from the queue one at a time until `signal` aborts: runs each,
 * stores its result (idempotent: a re-run of a task stores nothing new) and
 * only then completes the job, so a job is never complete without its result.
 * A task that throws is stored as failed with its one-line message; a worker
 * that dies leaves its job active until it expires and pg-boss retries it.
 */
export async function runWorker(options: WorkerOptions): Promise<{ ran: number }> {
  const me = `${hostname()}:${process.pid}`;
  const broker = await Broker.open(options.url, { log: options.log });
  const pollMs = (options.pollSeconds ?? 2) * 1000;
  let wake: (() => void) | undefined;
  const stopListening = await broker.listen(TASKS_CHANNEL, () => wake?.());
  const onAbort = () => wake?.();
  options.signal.addEventListener('abort', onAbort);
  let ran = 0;
  let backoff = 1000;
  try {
    while (!options.signal.aborted) {
      let job: { id: string; data: TaskData } | undefined;
      try {
        [job] = await broker.boss.fetch<TaskData>(TASK_QUEUE, { batchSize: 1 });
        backoff = 1000;
      } catch (err) {
        broker.say(`worker ${me}: cannot fetch tasks: ${oneLine(err)}; retrying in ${backoff / 1000} s`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        continue;
      }
      const data = job.data;
      const t0 = performance.now();
      broker.say(`worker ${me}: start ${data.key}`);
      let payload: string | undefined;
      let error: string | undefined;
      try {
        payload = await runTaskData(data, { ...options, log: (l) => broker.say(l) });
      } catch (err) {
        error = broker.clean(oneLine(err));
      }
      const seconds = (performance.now() - t0) / 1000;
      let stored: boolean;
      try {
        stored = await broker.putResult(data.run, data.key, { ok: error === undefined, payload, error, worker: me, seconds });
        await broker.boss.complete(TASK_QUEUE, job.id);
      } catch (err) {
        // The job stays active: it expires and is retried, here or elsewhere.
        broker.say(`worker ${me}: could not store the result of ${data.key} (${oneLine(err)}); it runs again after its timeout`);
        continue;
      }
      ran++;
      broker.say(`worker ${me}: ${error === undefined ? 'done' : 'failed'} ${data.key} in ${seconds.toFixed(2)} s${stored ? '' : ' (already done elsewhere: result kept)'}`);
    }
  } catch (err) {
    if (err instanceof Error) err.message = broker.clean(err.message);
    throw err;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await stopListening();
    await broker.close();
  }
  return { ran };
}
