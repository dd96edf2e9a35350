import { Broker, inRun, jobId, type TaskSpec } from './queue.js';

/** Progress of a run on the submitting side. */
export interface QueueProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  /** Tasks finished by an earlier submission of this run (`--resume`). */
  reused: number;
  elapsedSeconds: number;
  /** Seconds left at this submission's pace; null before the first result. */
  etaSeconds: number | null;
}

export interface SubmitOptions {
  url: string;
  /** What the tasks are, for the run table (`bench`, `train`, `noop`). */
  kind: string;
  /** Same fingerprint = same run: `resume` continues the latest run with it. */
  fingerprint: string;
  resume: boolean;
  tasks: readonly TaskSpec[];
  /** A job running longer than this is taken for lost (its worker died) and run again. */
  timeoutSeconds: number;
  /** Further attempts after a lost job. */
  retryLimit?: number;
  /** How often this side fails expired jobs; default from the timeout. */
  maintenanceSeconds?: number;
  log: (line: string) => void;
  onProgress?: (p: QueueProgress) => void;
  /** Called once per task result, as it arrives (finished earlier ones first). */
  onResult?: (key: string, payload: string) => void;
}

export interface SubmitOutcome {
  run: string;
  /** Result payloads by task key (successful tasks only). */
  results: Map<string, string>;
  /** Error message by task key. */
  failed: Map<string, string>;
  reused: number;
  seconds: number;
}

/**
 * Enqueues tasks as one run and waits until each has a result or has failed.
 * Each failure is logged once, with its task key. Killing this process loses
 * nothing: workers go on, and `resume` collects what they finished.
 */
export async function submit(options: SubmitOptions): Promise<SubmitOutcome> {
  const keys = options.tasks.map((t) => t.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new Error(`task key ${dup} is used twice`);
  const maintenanceSeconds = options.maintenanceSeconds ?? Math.max(1, Math.min(60, Math.floor(options.timeoutSeconds / 4)));
  const broker = await Broker.open(options.url, { log: options.log, maintenanceSeconds });
  let stopListening: (() => Promise<void>) | undefined;
  try {
    const { id: run, resumed } = await broker.run(options.kind, options.fingerprint, options.tasks.length, options.resume);
    if (options.resume && !resumed) broker.say('queue: no earlier run of these tasks to resume; starting a new run');
    const results = new Map<string, string>();
    const failed = new Map<string, string>();
    const known = new Set(keys);
    let seq = 0;
    const take = async (): Promise<number> => {
      let n = 0;
      for (const r of await broker.results(run, seq)) {
        seq = Math.max(seq, r.seq);
        if (!known.has(r.key) || results.has(r.key) || failed.has(r.key)) continue;
        n++;
        if (r.ok) {
          results.set(r.key, r.payload ?? '');
          options.onResult?.(r.key, r.payload ?? '');
        } else {
          failed.set(r.key, r.error ?? 'failed');
          broker.say(`task ${r.key} failed: ${r.error ?? 'failed'}`);
        }
      }
      return n;
    };
    if (resumed) {
      await broker.dropFailures(run);
      await take();
      broker.say(`queue: resuming run ${run}: ${results.size} of ${keys.length} tasks already finished`);
    }
    const reused = results.size;
    const started = performance.now();
    // Results may arrive while tasks are still being enqueued: listen first.
    let wake: (() => void) | undefined;
    stopListening = await broker.listen('allocsim_results', (payload) => {
      if (payload === run) wake?.();
    });
    const pending = options.tasks.filter((t) => !results.has(t.key));
    for (const t of pending) await broker.enqueue(inRun(t, run), { timeoutSeconds: options.timeoutSeconds, retryLimit: options.retryLimit ?? 2 });
    await broker.wakeWorkers();

    const idOf = new Map(pending.map((t) => [jobId(run, t.key), t.key]));
    let running = 0;
    let lastStates = 0;
    const report = () => {
      const elapsed = (performance.now() - started) / 1000;
      const doneHere = results.size + failed.size - reused;
      const left = keys.length - results.size - failed.size;
      options.onProgress?.({
        total: keys.length,
        done: results.size,
        running,
        failed: failed.size,
        reused,
        elapsedSeconds: elapsed,
        etaSeconds: doneHere > 0 ? (elapsed / doneHere) * left : null,
      });
    };
    report();
    while (results.size + failed.size < keys.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      const got = await take();
      if (performance.now() - lastStates > 1000 || got > 0) {
        lastStates = performance.now();
        const open = [...idOf].filter(([, k]) => !results.has(k) && !failed.has(k)).map(([id]) => id);
        const states = await broker.jobStates(open);
        running = states.active;
        // A job that failed for good without a result: its worker died or it timed out on every attempt.
        for (const f of states.failed) {
          await take();
          const key = idOf.get(f.id)!;
          if (results.has(key) || failed.has(key)) continue;
          const msg = /timeout/.test(f.message) ? `no result after ${1 + (options.retryLimit ?? 2)} attempts of ${options.timeoutSeconds} s (worker lost or task too slow)` : broker.clean(f.message);
          failed.set(key, msg);
          broker.say(`task ${key} failed: ${msg}`);
        }
      }
      report();
    }
    return { run, results, failed, reused, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    // A database error may quote the connection string: the user sees it without credentials.
    if (err instanceof Error) err.message = broker.clean(err.message);
    throw err;
  } finally {
    await stopListening?.();
    await broker.close();
  }
}

/** One progress line: `queue: 12/40 done, 2 running, 0 failed, ETA 31 s`. */
export function progressLine(p: QueueProgress): string {
  const eta = p.etaSeconds === null ? '' : `, ETA ${p.etaSeconds < 90 ? `${Math.ceil(p.etaSeconds)} s` : `${(p.etaSeconds / 60).toFixed(1)} min`}`;
  return `queue: ${p.done}/${p.total} done${p.reused ? ` (${p.reused} before resume)` : ''}, ${p.running} running, ${p.failed} failed${eta}`;
}

/**
 * Progress lines on stderr: rewritten in place on a terminal; otherwise one
 * line when the counts change, at most every `everySeconds`, and the last one.
 * `log` prints a message line without breaking the progress line.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr, everySeconds = 2): { update(p: QueueProgress): void; log(line: string): void; end(): void } {
  let shown = '';
  let lastAt = -Infinity;
  let pending: string | undefined;
  const tty = stream.isTTY === true;
  return {
    update(p) {
      const line = progressLine(p);
      if (line === shown) return;
      const now = performance.now();
      if (!tty && now - lastAt < everySeconds * 1000 && p.done + p.failed < p.total) {
        pending = line;
        return;
      }
      pending = undefined;
      shown = line;
      lastAt = now;
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    log(line) {
      stream.write(tty && shown ? `\r\x1b[2K${line}\n${shown}` : `${line}\n`);
    },
    end() {
      if (pending) stream.write(tty ? `\r\x1b[2K${pending}` : `${pending}\n`);
      if (tty && (shown || pending)) stream.write('\n');
      pending = undefined;
      shown = '';
    },
  };
}
