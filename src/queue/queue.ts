import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { QueueError, redactUrl, scrub } from './url.js';

/** The pg-boss queue every allocsim task goes through; workers take any kind. */
export const TASK_QUEUE = 'allocsim-tasks';
/** NOTIFY channels: new tasks (wakes idle workers) and new results (wakes the submitter). */
export const TASKS_CHANNEL = 'allocsim_tasks';
export const RESULTS_CHANNEL = 'allocsim_results';

/** A scenario as a task carries it: a shipped name, or the YAML text of a file (workers may not have the file). */
export interface ScenarioRef {
  name?: string;
  yaml?: string;
  /** File name of `yaml`, for messages. */
  source?: string;
  /** Hash of the validated scenario on the submitting side; a worker refuses a scenario that loads differently. */
  hash: string;
}

/** What a job carries, by kind. `run` and `key` identify the task; the result row is keyed by both. */
export type TaskData =
  | { kind: 'bench'; run: string; key: string; scenario: ScenarioRef; days?: number; strategy: string; seed: number }
  | { kind: 'train'; run: string; key: string; scenario: ScenarioRef; args: string[]; name: string }
  | { kind: 'noop'; run: string; key: string };

/** A task before it is bound to a run. */
export type TaskSpec = DistributiveOmit<TaskData, 'run'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A task bound to a run. */
export function inRun(spec: TaskSpec, run: string): TaskData {
  return { ...spec, run } as TaskData;
}

/** One row of `allocsim.result`. */
export interface ResultRow {
  key: string;
  ok: boolean;
  payload: string | null;
  error: string | null;
  worker: string;
  seconds: number;
  seq: number;
}

const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS allocsim;
CREATE TABLE IF NOT EXISTS allocsim.run (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  fingerprint text NOT NULL,
  total int NOT NULL,
  created_on timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS run_fingerprint ON allocsim.run (fingerprint, created_on);
CREATE TABLE IF NOT EXISTS allocsim.result (
  run_id uuid NOT NULL,
  task_key text NOT NULL,
  ok boolean NOT NULL,
  payload text,
  error text,
  worker text NOT NULL,
  seconds double precision NOT NULL,
  seq bigserial,
  finished_on timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, task_key)
);`;

/** A pg-boss job id derived from run and task key: sending a task twice finds the first job. */
export function jobId(run: string, key: string): string {
  const h = createHash('sha256').update(`${run}\0${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * One connection to the broker: pg-boss for the jobs, a small pg pool for the
 * results table and notifications. Errors and logs never show the URL's credentials.
 */
export class Broker {
  private constructor(
    readonly boss: PgBoss,
    readonly pool: pg.Pool,
    private readonly url: string,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Connects, installs pg-boss's schema and allocsim's tables if missing.
   * `maintenanceSeconds`: how often this instance fails expired jobs (so they
   * are retried); every instance supervises, one at a time.
   */
  static async open(url: string, options: { log: (line: string) => void; maintenanceSeconds?: number }): Promise<Broker> {
    const log = (line: string) => options.log(scrub(line, url));
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on('error', (err) => log(`queue connection error: ${err.message}`));
    const boss = new PgBoss({
      connectionString: url,
      max: 4,
      application_name: 'allocsim',
      maintenanceIntervalSeconds: options.maintenanceSeconds ?? 60,
      schedule: false,
    });
    boss.on('error', (err: Error) => log(`queue error: ${err.message}`));
    try {
      await boss.start();
      await boss.createQueue(TASK_QUEUE);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Many processes may start at once on a fresh database: one creates the tables.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('allocsim.schema'))");
        await client.query(SCHEMA_SQL);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    } catch (err) {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      await pool.end().catch(() => {});
      const msg = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
      throw new QueueError(`cannot use the queue at ${redactUrl(url)}: ${scrub(msg, url)}`, { cause: err });
    }
    return new Broker(boss, pool, url, log);
  }

  /** Logs a line with the credentials removed. */
  say(line: string): void {
    this.log(line);
  }

  /** Text safe to print: the URL and its credentials removed. */
  clean(text: string): string {
    return scrub(text, this.url);
  }

  /** The latest run with this fingerprint, or a new one. */
  async run(kind: string, fingerprint: string, total: number, resume: boolean): Promise<{ id: string; resumed: boolean }> {
    if (resume) {
      const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM allocsim.run WHERE fingerprint = $1 ORDER BY created_on DESC LIMIT 1', [fingerprint]);
      if (rows[0]) return { id: rows[0].id, resumed: true };
    }
    const id = randomUUID();
    await this.pool.query('INSERT INTO allocsim.run (id, kind, fingerprint, total) VALUES ($1, $2, $3, $4)', [id, kind, fingerprint, total]);
    return { id, resumed: false };
  }

  /** Stores a task's outcome; a second outcome for the same task (a re-run) changes nothing. */
  async putResult(run: string, key: string, r: { ok: boolean; payload?: string; error?: string; worker: string; seconds: number }): Promise<boolean> {
    const res = await this.pool.query(
      'INSERT INTO allocsim.result (run_id, task_key, ok, payload, error, worker, seconds) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING',
      [run, key, r.ok, r.payload ?? null, r.error ?? null, r.worker, r.seconds],
    );
    await this.pool.query('SELECT pg_notify($1, $2)', [RESULTS_CHANNEL, run]);
    return (res.rowCount ?? 0) > 0;
  }

  /** Results of a run stored after `afterSeq`, in the order they were stored. */
  async results(run: string, afterSeq: number): Promise<ResultRow[]> {
    const { rows } = await this.pool.query<{ task_key: string; ok: boolean; payload: string | null; error: string | null; worker: string; seconds: number; seq: string }>(
      'SELECT task_key, ok, payload, error, worker, seconds, seq FROM allocsim.result WHERE run_id = $1 AND seq > $2 ORDER BY seq',
      [run, afterSeq],
    );
    return rows.map((r) => ({ key: r.task_key, ok: r.ok, payload: r.payload, error: r.error, worker: r.worker, seconds: r.seconds, seq: Number(r.seq) }));
  }

  /** Forgets a run's failed outcomes (before a resume runs those tasks again). */
  async dropFailures(run: string): Promise<void> {
    await this.pool.query('DELETE FROM allocsim.result WHERE run_id = $1 AND NOT ok', [run]);
  }

  /**
   * Enqueues a task unless its job is already waiting or running (a resumed
   * run); a finished or failed job of the same task is replaced.
   */
  async enqueue(data: TaskData, options: { timeoutSeconds: number; retryLimit: number }): Promise<void> {
    const id = jobId(data.run, data.key);
    const send = () => this.boss.send(TASK_QUEUE, data, { id, expireInSeconds: options.timeoutSeconds, retryLimit: options.retryLimit, retryDelay: 1 });
    if ((await send()) !== null) return;
    const job = await this.boss.getJobById(TASK_QUEUE, id);
    if (job && (job.state === 'created' || job.state === 'retry' || job.state === 'active')) return;
    if (job) await this.boss.deleteJob(TASK_QUEUE, id);
    if ((await send()) === null) throw new Error(`task ${data.key}: could not enqueue`);
  }

  /** Wakes idle workers after tasks were enqueued. */
  async wakeWorkers(): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [TASKS_CHANNEL, 'new']);
  }

  /**
   * States of a run's jobs by id: how many are running, and which have failed
   * for good (their worker died or timed out on every attempt). Reads
   * pg-boss's job table, which pg-boss documents as its storage.
   */
  async jobStates(ids: readonly string[]): Promise<{ active: number; failed: { id: string; message: string }[] }> {
    if (ids.length === 0) return { active: 0, failed: [] };
    const { rows } = await this.pool.query<{ id: string; state: string; output: { message?: string; value?: { message?: string } } | null }>(
      "SELECT id, state, output FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state IN ('active', 'failed')",
      [TASK_QUEUE, ids],
    );
    const failed = rows
      .filter((r) => r.state === 'failed')
      .map((r) => ({ id: r.id, message: r.output?.value?.message ?? r.output?.message ?? 'failed' }));
    return { active: rows.filter((r) => r.state === 'active').length, failed };
  }

  /** A dedicated connection that calls `onNotify` for each NOTIFY on `channel`. */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (err) => this.log(`queue listen error: ${err.message}`));
    await client.connect();
    client.on('notification', (n) => onNotify(n.payload ?? ''));
    await client.query(`LISTEN ${channel}`);
    return async () => {
      await client.end().catch(() => {});
    };
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
