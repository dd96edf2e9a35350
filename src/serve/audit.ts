import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ServiceUnavailableError } from './errors.js';

/** One decision as the audit log keeps it. JSON columns are stored as text. */
export interface AuditRecord {
  id: string;
  tsMs: number;
  method: string;
  orderId: string;
  decidedBy: string;
  policyName: string;
  policyVersion: string;
  fallbackReason: string;
  fallbackDetail: string;
  mode: string;
  explored: boolean;
  propensity: number;
  latencyUs: number;
  /** Key of the snapshot row this decision was made against. */
  snapshotId: string;
  /** JSON: the order as received. */
  request: string;
  /** The model's encoded features, packed by `packFeatures` (null when no model ran). */
  features: Buffer | null;
  /** JSON: per-line, per-candidate scores. */
  scores: string | null;
  /** JSON: the decision's lines. */
  decision: string;
  /** JSON: the model's decision or reason in shadow mode. */
  shadow: string | null;
}

/** A snapshot (stock, warehouses, clock) shared by the decisions of one request. */
export interface AuditSnapshot {
  id: string;
  json: string;
}

export type AuditSync = 'normal' | 'full';

export interface AuditOptions {
  /** SQLite file (created with its folder); ':memory:' for tests. */
  path: string;
  /**
   * 'normal' (default): WAL with synchronous=NORMAL: a committed decision survives
   * a crash of the process (kill -9) but the last commits may be lost if the
   * machine loses power. 'full': fsync at every group commit; survives power loss.
   */
  sync?: AuditSync;
  /** Metadata stored once (scenario name and hash, server start). */
  meta?: Record<string, string>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  id TEXT PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  method TEXT NOT NULL,
  order_id TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  fallback_reason TEXT NOT NULL,
  fallback_detail TEXT NOT NULL,
  mode TEXT NOT NULL,
  explored INTEGER NOT NULL,
  propensity REAL NOT NULL,
  latency_us INTEGER NOT NULL,
  snapshot_id TEXT NOT NULL,
  request TEXT NOT NULL,
  features BLOB,
  scores TEXT,
  decision TEXT NOT NULL,
  shadow TEXT
);
`;
// No index on ts_ms: it more than doubled the cost of an insert (measured), and
// exports (the only reader by time) scan in insertion order anyway.

interface Pending {
  snapshot: AuditSnapshot;
  records: AuditRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The decision audit log: SQLite in WAL mode with group commit. `append` queues
 * a request's decisions and resolves once they are committed; all requests that
 * arrive within one turn of the event loop share one transaction, so the
 * response can wait for durability without one commit per decision.
 */
export class AuditLog {
  private readonly db: Database.Database;
  private readonly insertDecision: Database.Statement;
  private readonly insertSnapshot: Database.Statement;
  private readonly commit: (batch: Pending[]) => void;
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  /** Decisions committed, and group commits done (for metrics). */
  committed = 0;
  commits = 0;
  onCommit: (decisions: number, ms: number) => void = () => {};

  constructor(options: AuditOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const meta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    for (const [k, v] of Object.entries(options.meta ?? {})) meta.run(k, v);
    this.insertSnapshot = this.db.prepare('INSERT OR IGNORE INTO snapshots (id, json) VALUES (?, ?)');
    this.insertDecision = this.db.prepare(
      `INSERT INTO decisions (id, ts_ms, method, order_id, decided_by, policy_name, policy_version, fallback_reason,
        fallback_detail, mode, explored, propensity, latency_us, snapshot_id, request, features, scores, decision, shadow)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.commit = this.db.transaction((batch: Pending[]) => {
      for (const p of batch) {
        this.insertSnapshot.run(p.snapshot.id, p.snapshot.json);
        for (const r of p.records) {
          // Positional binding: measurably cheaper than named parameters on the hot path.
          this.insertDecision.run(
            r.id, r.tsMs, r.method, r.orderId, r.decidedBy, r.policyName, r.policyVersion, r.fallbackReason, r.fallbackDetail,
            r.mode, r.explored ? 1 : 0, r.propensity, r.latencyUs, r.snapshotId, r.request, r.features, r.scores, r.decision, r.shadow,
          );
        }
      }
    });
  }

  /** Queues one request's decisions; resolves when they are durable. */
  append(snapshot: AuditSnapshot, records: AuditRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new ServiceUnavailableError('the decision audit log is closed (server shutting down)'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ snapshot, records, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued in one transaction and settles the waiting requests. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const t0 = performance.now();
    try {
      this.commit(batch);
    } catch (err) {
      const e = new ServiceUnavailableError(`decision audit log write failed: ${(err as Error).message}`, { cause: err });
      for (const p of batch) p.reject(e);
      return;
    }
    let n = 0;
    for (const p of batch) {
      n += p.records.length;
      p.resolve();
    }
    this.committed += n;
    this.commits++;
    this.onCommit(n, performance.now() - t0);
  }

  /** Flushes what is queued and closes the database (a checkpoint folds the WAL in). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}

/**
 * Packs per-line feature rows as little-endian float32: row count, then per row
 * its length and values. A fraction of the size and cost of JSON for the
 * model's observations, which are float32 to begin with.
 */
export function packFeatures(rows: readonly ArrayLike<number>[]): Buffer {
  let n = 1 + rows.length;
  for (const r of rows) n += r.length;
  const out = new Float32Array(n);
  let k = 0;
  out[k++] = rows.length;
  for (const r of rows) {
    out[k++] = r.length;
    for (let i = 0; i < r.length; i++) out[k++] = r[i]!;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Inverse of `packFeatures`. */
export function unpackFeatures(buf: Uint8Array): number[][] {
  const f = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const rows: number[][] = [];
  let k = 1;
  for (let r = 0; r < f[0]!; r++) {
    const len = f[k++]!;
    rows.push(Array.from(f.subarray(k, k + len)));
    k += len;
  }
  return rows;
}

/** One exported decision. */
export type ExportRow = Record<string, string | number | Buffer | null>;

/**
 * Reads decisions made at or after `sinceMs`, in the order they were logged, calling `each` per
 * row (JSON columns left as text). Safe beside a live server (WAL readers do
 * not block the writer).
 */
export function readDecisions(path: string, sinceMs: number, each: (row: ExportRow) => void): number {
  const db = new Database(path, { fileMustExist: true });
  try {
    const stmt = db.prepare(
      `SELECT d.*, s.json AS snapshot FROM decisions d LEFT JOIN snapshots s ON s.id = d.snapshot_id
       WHERE d.ts_ms >= ? ORDER BY d.rowid`,
    );
    let n = 0;
    for (const row of stmt.iterate(sinceMs)) {
      each(row as ExportRow);
      n++;
    }
    return n;
  } finally {
    db.close();
  }
}

/** Runs SQLite's integrity check; returns 'ok' or the problems found. */
export function integrityCheck(path: string): string {
  const db = new Database(path, { fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** Ids of every decision in the log (tests, reconciliation). */
export function decisionIds(path: string): Set<string> {
  const db = new Database(path, { fileMustExist: true });
  try {
    return new Set((db.prepare('SELECT id FROM decisions').pluck().all() as string[]));
  } finally {
    db.close();
  }
}
