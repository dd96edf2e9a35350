import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ServiceUnavailableError } from './errors.js';
import { ByteWriter } from './bytes.js';
import type { LineDecision } from '../sim/policies/contract.js';

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
  /**
   * The order as received: its wire bytes (allocation.v1.Order) when the request
   * came over gRPC — no JSON made on the serving thread — or JSON text.
   * `readDecisions` (audit-read.ts) gives JSON either way.
   */
  request: string | Uint8Array;
  /**
   * The model's encoded features per line (null when no model ran): the rows
   * themselves, which `AuditPack` writes straight into its buffer, or bytes
   * already packed by `packFeatures`. Stored packed either way.
   */
  features: readonly FeatureRow[] | Uint8Array | null;
  /**
   * Per-line, per-candidate scores: JSON text, or the rows themselves — then they
   * travel packed as float64 and the writer thread writes the same JSON
   * (`JSON.stringify(rows)`), off the serving thread.
   */
  scores: string | readonly (readonly number[])[] | null;
  /**
   * The decision's lines: JSON text, or the lines themselves — then they travel
   * packed and the writer thread writes their JSON (`[{"allocations":
   * [{"warehouse","quantity","mode"}],"backordered"}]`), off the serving thread.
   */
  decision: string | readonly LineDecision[];
  /** JSON: the model's decision or reason in shadow mode. */
  shadow: string | null;
}

/** A snapshot (stock, warehouses, clock) shared by the decisions of one request. */
export interface AuditSnapshot {
  id: string;
  /** JSON text, or the wire bytes of the allocation.v1.Snapshot received (exported as JSON). */
  json: string | Uint8Array;
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
  /**
   * Fold the WAL into the database inside commits when it passes 1,000 pages
   * (SQLite's default; true unless a checkpointer thread does it instead).
   */
  autoCheckpoint?: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (id TEXT PRIMARY KEY, json TEXT NOT NULL);
-- snapshots.json and decisions.request hold JSON text or, for requests received over
-- gRPC, the message's wire bytes as a BLOB (a TEXT column keeps a BLOB as it is);
-- audit-read.ts turns both into JSON.
CREATE TABLE IF NOT EXISTS decisions (
  id TEXT NOT NULL,
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
// No index on ts_ms, and none on id: each more than doubled the cost of an insert
// (measured: 1,000 decisions committed in 5.3 ms on average without, 10.2 ms with
// the id key), and exports scan in insertion (rowid) order anyway. Ids are unique
// by construction (ids.ts); for lookups by id on a copy, CREATE INDEX afterwards.

/** Records packed by `AuditPack`: one buffer that moves to the writer thread without a copy. */
export interface PackedRecords {
  buffer: ArrayBuffer;
  length: number;
  count: number;
}

/**
 * The largest group the serving thread commits itself, when no commit is in flight
 * on the writer thread. A small group commits in less time than the round trip to
 * the writer thread it saves (figures in docs/performance.md); a batch's commit is
 * long enough to stay off the event loop.
 */
const INLINE_DECISIONS = 32;

/** The thread a group commit was made on. */
export type CommitThread = 'serving' | 'writer';

/** A group commit: the snapshots of its requests and all their decisions, in packs committed in order. */
export interface AuditGroup {
  snapshots: AuditSnapshot[];
  records: PackedRecords[];
}

const NULL_STRING = 0xffffffff;
/** In place of a length: the same text as the previous record's in this column. */
const SAME_STRING = 0xfffffffe;
/** Text columns whose value is usually the same for every decision of a request (see `AuditPack.same`). */
const SAME_COLUMNS = 8;

/**
 * Audit records packed into one buffer on the serving thread, in the order of
 * the decisions table's columns: strings as byte length + UTF-8 (any may be
 * null; a column that mostly repeats, as a marker when it equals the previous
 * record's), numbers as float64, `explored` as a byte, features as length + bytes.
 * A batch's records then cost the serving thread one write each and reach the
 * writer thread as a transferred buffer — no structured clone of a thousand
 * objects, and nothing of them left on the serving thread's heap for the young
 * generation's collector to copy while the batch waits for its commit.
 */
export class AuditPack extends ByteWriter {
  private count = 0;
  private readonly latencyAt: number[] = [];
  private scratch = new Float32Array(256);
  /** The previous record's value of each repeating column, and a copy to roll back to. */
  private prev: (string | null | undefined)[] = new Array(SAME_COLUMNS).fill(undefined);
  private kept: (string | null | undefined)[] = new Array(SAME_COLUMNS).fill(undefined);

  constructor(bytes = 16 * 1024) {
    // Not from Buffer's shared pool: the buffer is transferred to the writer thread.
    super(bytes, (n) => Buffer.allocUnsafeSlow(n));
  }

  private str(v: string | null): void {
    if (v === null) {
      this.ensure(4);
      this.pos = this.buf.writeUInt32LE(NULL_STRING, this.pos);
      return;
    }
    const len = v.length;
    if (len <= 32) {
      // A four-byte length, then the text if it is short ASCII.
      this.ensure(4 + len);
      const end = this.shortAscii(v, this.pos + 4);
      if (end >= 0) {
        this.buf.writeUInt32LE(len, this.pos);
        this.pos = end;
        return;
      }
    }
    const n = Buffer.byteLength(v, 'utf8');
    this.ensure(4 + n);
    this.pos = this.buf.writeUInt32LE(n, this.pos);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
  }

  /**
   * Text of repeating column `k`: a marker when it is the previous record's (the
   * method, policy, fallback reason, mode and snapshot of a batch's decisions
   * mostly are), so neither thread encodes or decodes it again.
   */
  private same(v: string | null, k: number): void {
    if (v === this.prev[k]) {
      this.ensure(4);
      this.pos = this.buf.writeUInt32LE(SAME_STRING, this.pos);
      return;
    }
    this.prev[k] = v;
    this.str(v);
  }

  /** Bytes as length + bytes (null as a null length). */
  private blob(v: Uint8Array | null): void {
    if (v !== null && !(v instanceof Uint8Array)) throw new TypeError(`audit record: expected bytes, got ${typeof v}`);
    this.ensure(4 + (v?.length ?? 0));
    this.pos = this.buf.writeUInt32LE(v ? v.length : NULL_STRING, this.pos);
    if (v) {
      this.buf.set(v, this.pos);
      this.pos += v.length;
    }
  }

  /** Feature rows as a blob in `packFeatures`' format, assembled in a reused float32 scratch. */
  private featureRows(rows: readonly FeatureRow[]): void {
    const n = packedLength(rows);
    if (this.scratch.length < n) this.scratch = new Float32Array(Math.max(n, 2 * this.scratch.length));
    fillPacked(rows, this.scratch);
    this.ensure(4 + 4 * n);
    this.pos = this.buf.writeUInt32LE(4 * n, this.pos);
    this.buf.set(new Uint8Array(this.scratch.buffer, 0, 4 * n), this.pos);
    this.pos += 4 * n;
  }

  /** One byte: a flag, or which form a column travels in. */
  private byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  private num(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  /** Appends one record; a record that cannot be written leaves the pack as it was. */
  add(r: AuditRecord): this {
    const pos = this.pos;
    // A buffer grown during the failed record is dropped: the one before holds everything up to `pos`.
    const buf = this.buf;
    const latencies = this.latencyAt.length;
    for (let k = 0; k < SAME_COLUMNS; k++) this.kept[k] = this.prev[k];
    try {
      this.write(r);
    } catch (err) {
      this.pos = pos;
      this.buf = buf;
      this.latencyAt.length = latencies;
      [this.prev, this.kept] = [this.kept, this.prev];
      throw err;
    }
    this.count++;
    return this;
  }

  private write(r: AuditRecord): void {
    this.str(r.id);
    this.num(r.tsMs);
    this.same(r.method, 0);
    this.str(r.orderId);
    this.same(r.decidedBy, 1);
    this.same(r.policyName, 2);
    this.same(r.policyVersion, 3);
    this.same(r.fallbackReason, 4);
    this.same(r.fallbackDetail, 5);
    this.same(r.mode, 6);
    this.byte(r.explored ? 1 : 0);
    this.num(r.propensity);
    this.latencyAt.push(this.pos);
    this.num(r.latencyUs);
    this.same(r.snapshotId, 7);
    const q = r.request;
    if (typeof q === 'string') {
      this.byte(0);
      this.str(q);
    } else {
      this.byte(1);
      this.blob(q);
    }
    const f = r.features;
    if (f === null || f instanceof Uint8Array) this.blob(f);
    else this.featureRows(f);
    const sc = r.scores;
    if (sc === null || typeof sc === 'string') {
      this.byte(0);
      this.str(sc);
    } else {
      let n = 0;
      for (const row of sc) n += row.length;
      this.byte(1);
      this.ensure(4 + 4 * sc.length + 8 * n);
      this.pos = this.buf.writeUInt32LE(sc.length, this.pos);
      for (const row of sc) {
        this.pos = this.buf.writeUInt32LE(row.length, this.pos);
        for (let j = 0; j < row.length; j++) this.pos = this.buf.writeDoubleLE(row[j]!, this.pos);
      }
    }
    const d = r.decision;
    if (typeof d === 'string') {
      this.byte(0);
      this.str(d);
    } else {
      this.byte(1);
      this.ensure(4);
      this.pos = this.buf.writeUInt32LE(d.length, this.pos);
      for (const line of d) {
        this.ensure(12);
        this.pos = this.buf.writeUInt32LE(line.allocations.length, this.pos);
        this.pos = this.buf.writeDoubleLE(line.backordered, this.pos);
        for (const a of line.allocations) {
          this.str(a.warehouse);
          this.num(a.quantity);
          this.str(a.mode);
        }
      }
    }
    this.str(r.shadow);
  }

  /** Records added so far. */
  get size(): number {
    return this.count;
  }

  /** Sets every record's latency (a batch's decisions share the batch's). */
  setLatency(us: number): void {
    for (const at of this.latencyAt) this.buf.writeDoubleLE(us, at);
  }

  finish(): PackedRecords {
    return { buffer: this.buf.buffer as ArrayBuffer, length: this.pos, count: this.count };
  }
}

/** Reads packed records back, calling `each` with the decisions table's column values in order. */
export function unpackRecords(p: PackedRecords, each: (values: (string | number | Buffer | null)[]) => void): void {
  const buf = Buffer.from(p.buffer, 0, p.length);
  let pos = 0;
  const str = (): string | null => {
    const n = buf.readUInt32LE(pos);
    pos += 4;
    if (n === NULL_STRING) return null;
    const v = buf.toString('utf8', pos, pos + n);
    pos += n;
    return v;
  };
  const num = (): number => {
    const v = buf.readDoubleLE(pos);
    pos += 8;
    return v;
  };
  const prev: (string | null)[] = new Array(SAME_COLUMNS).fill(null);
  const same = (k: number): string | null => {
    if (buf.readUInt32LE(pos) === SAME_STRING) {
      pos += 4;
      return prev[k]!;
    }
    return (prev[k] = str());
  };
  const blob = (): Buffer | null => {
    const n = buf.readUInt32LE(pos);
    pos += 4;
    if (n === NULL_STRING) return null;
    // A view: SQLite copies a blob when it is bound.
    const v = buf.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  for (let i = 0; i < p.count; i++) {
    const id = str();
    const tsMs = num();
    const method = same(0);
    const orderId = str();
    const decidedBy = same(1);
    const policyName = same(2);
    const policyVersion = same(3);
    const fallbackReason = same(4);
    const fallbackDetail = same(5);
    const mode = same(6);
    const explored = buf[pos++]!;
    const propensity = num();
    const latencyUs = num();
    const snapshotId = same(7);
    const request = buf[pos++] === 0 ? str() : blob();
    const features = blob();
    // Scores and decision lines as the JSON text JSON.stringify would give, written
    // straight from the packed values (no arrays or objects made for it).
    let scores: string | null;
    if (buf[pos++] === 0) scores = str();
    else {
      const nRows = buf.readUInt32LE(pos);
      pos += 4;
      let j = '[';
      for (let r = 0; r < nRows; r++) {
        const len = buf.readUInt32LE(pos);
        pos += 4;
        j += r === 0 ? '[' : ',[';
        for (let k = 0; k < len; k++) {
          if (k > 0) j += ',';
          j += jsonNumber(buf.readDoubleLE(pos));
          pos += 8;
        }
        j += ']';
      }
      scores = j + ']';
    }
    let decision: string | null;
    if (buf[pos++] === 0) decision = str();
    else {
      const nLines = buf.readUInt32LE(pos);
      pos += 4;
      let j = '[';
      for (let i = 0; i < nLines; i++) {
        const nAlloc = buf.readUInt32LE(pos);
        pos += 4;
        const backordered = num();
        j += i === 0 ? '{"allocations":[' : ',{"allocations":[';
        for (let k = 0; k < nAlloc; k++) {
          const warehouse = quoted(str()!);
          const quantity = jsonNumber(num());
          j += `${k === 0 ? '' : ','}{"warehouse":${warehouse},"quantity":${quantity},"mode":${quoted(str()!)}}`;
        }
        j += `],"backordered":${jsonNumber(backordered)}}`;
      }
      decision = j + ']';
    }
    const shadow = str();
    each([id, tsMs, method, orderId, decidedBy, policyName, policyVersion, fallbackReason, fallbackDetail, mode, explored, propensity, latencyUs, snapshotId, request, features, scores, decision, shadow]);
  }
}


/** A number as JSON writes it. */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/** JSON string literals of the warehouse and mode names seen, which repeat from decision to decision. */
const QUOTED = new Map<string, string>();

function quoted(v: string): string {
  let q = QUOTED.get(v);
  if (q === undefined) {
    q = JSON.stringify(v);
    if (QUOTED.size < 4096) QUOTED.set(v, q);
  }
  return q;
}

/** The SQLite side of the audit log: opened on the thread that writes. */
export class AuditStore {
  private readonly db: Database.Database;
  /** Writes a group of requests' decisions in one transaction. */
  readonly commit: (group: AuditGroup) => void;

  constructor(options: AuditOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = (this.db = new Database(options.path));
    // 16 KiB pages for a new log (an existing one keeps its size): SQLite writes each WAL
    // frame with two system calls, and a commit of 1,000 decisions (~600 KB) makes 512 of
    // them with 4 KiB pages, 125 with 16 KiB (figures in docs/performance.md).
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    if (options.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
    db.exec(SCHEMA);
    const meta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    for (const [k, v] of Object.entries(options.meta ?? {})) meta.run(k, v);
    const insertSnapshot = db.prepare('INSERT OR IGNORE INTO snapshots (id, json) VALUES (?, ?)');
    const insertDecision = db.prepare(
      `INSERT INTO decisions (id, ts_ms, method, order_id, decided_by, policy_name, policy_version, fallback_reason,
        fallback_detail, mode, explored, propensity, latency_us, snapshot_id, request, features, scores, decision, shadow)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Positional binding, in column order: measurably cheaper than named parameters on the hot path.
    const insert = (values: (string | number | Buffer | null)[]) => insertDecision.run(values);
    this.commit = db.transaction((group: AuditGroup) => {
      for (const snap of group.snapshots) {
        const j = snap.json;
        insertSnapshot.run(snap.id, typeof j === 'string' ? j : Buffer.from(j.buffer, j.byteOffset, j.byteLength));
      }
      for (const p of group.records) unpackRecords(p, insert);
    });
  }

  /** Goes back to SQLite's automatic checkpoints inside commits. */
  autoCheckpoint(): void {
    this.db.pragma('wal_autocheckpoint = 1000');
  }

  /** Folds the WAL into the database (unless `checkpoint` is false) and closes it. */
  close(checkpoint = true): void {
    try {
      if (checkpoint) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}

/**
 * Folds the WAL into the database from a connection of its own, on its own
 * thread, so the writer's commits never wait for it. A checkpoint of a few MB
 * takes 30–50 ms here, most of it waiting for fsync, and inside a commit (SQLite's
 * automatic checkpoint) it held up every request of that group commit. PASSIVE
 * checkpoints run beside the writer without blocking it.
 */
export class AuditCheckpointer {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
  }

  /** Copies committed WAL frames into the database; returns how many remain. */
  checkpoint(): number {
    const [r] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    return r ? r.log - r.checkpointed : 0;
  }

  close(): void {
    this.db.close();
  }
}

/** Messages between the audit log and its writer thread. */
export type ToWriter = { kind: 'commit'; seq: number; group: AuditGroup } | { kind: 'auto-checkpoint' } | { kind: 'close' };
export type FromWriter =
  | { kind: 'ready' }
  | { kind: 'committed'; seq: number; ms: number }
  | { kind: 'failed'; seq: number; error: string }
  | { kind: 'closed' }
  | { kind: 'open-failed'; error: string };

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The decision audit log: SQLite in WAL mode with group commit. `append` queues
 * a request's decisions and resolves once they are committed; all requests that
 * arrive within one turn of the event loop share one transaction, so the
 * response can wait for durability without one commit per decision.
 *
 * With `thread: true` the SQLite work (inserts, commit, fsync with
 * `sync: 'full'`) runs on a writer thread, off the event loop that serves
 * requests; while one group commits, the next one gathers. A group of a few
 * decisions (`INLINE_DECISIONS`) commits on the serving thread instead, from a
 * second connection, when the writer has nothing in flight: its commit costs
 * less than the two thread hops (see docs/serve.md, Performance). Not with
 * `sync: 'full'`, whose fsync would hold up the event loop.
 */
export class AuditLog {
  /** The connection commits run on in this thread: the only one without a writer thread, else the one for small groups. */
  private store: AuditStore | null = null;
  private worker: Worker | null = null;
  private checkpointer: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  /** The next group commit being gathered: its requests' snapshots and decisions. */
  private queue: AuditSnapshot[] = [];
  /** The group's packs, in request order: a batch's own, and shared ones for single records. */
  private packs: AuditPack[] = [];
  /** The last of `packs` when single records may still go into it. */
  private shared: AuditPack | null = null;
  private queueWaiters: Waiter[] = [];
  private readonly inFlight = new Map<number, { waiters: Waiter[]; decisions: number }>();
  private seq = 0;
  private scheduled = false;
  private closed = false;
  private broken: Error | null = null;
  /** Decisions committed, and group commits done (for metrics). */
  committed = 0;
  commits = 0;
  /** Of `commits`, those made on the serving thread (all of them without a writer thread). */
  servingThreadCommits = 0;
  onCommit: (decisions: number, ms: number, thread: CommitThread) => void = () => {};

  constructor(options: AuditOptions & { thread?: boolean }) {
    if (!options.thread) {
      this.store = new AuditStore(options);
      return;
    }
    // The writer commits; a second thread checkpoints (AuditCheckpointer).
    const storeOptions: AuditOptions = { path: options.path, sync: options.sync, meta: options.meta, autoCheckpoint: false };
    const w = (this.worker = startWriter({ role: 'writer', options: storeOptions }));
    this.ready = new Promise<void>((resolve, reject) => {
      const first = (m: FromWriter) => {
        if (m.kind === 'ready') {
          // Small groups commit on this thread while the writer is idle (see `flush`); not with
          // sync 'full', whose fsync would hold up the event loop.
          if (options.sync !== 'full') {
            try {
              // The writer has written the metadata already.
              this.store = new AuditStore({ ...storeOptions, meta: undefined });
            } catch {
              // Then every group goes to the writer.
            }
          }
          const c = (this.checkpointer = startWriter({ role: 'checkpointer', path: options.path }));
          // It exits only on close; if it fails, the writer goes back to checkpointing inside its
          // commits, and takes every commit (this thread's connection never checkpoints).
          c.on('error', () => undefined);
          c.once('exit', () => {
            if (this.checkpointer !== c) return;
            this.checkpointer = null;
            if (this.closed) return;
            this.store?.close(false);
            this.store = null;
            w.postMessage({ kind: 'auto-checkpoint' } satisfies ToWriter);
          });
          resolve();
        } else if (m.kind === 'open-failed') reject(new ServiceUnavailableError(`cannot open the audit log ${options.path}: ${m.error}`));
      };
      w.once('message', first);
      w.once('error', reject);
    });
    w.on('message', (m: FromWriter) => this.fromWriter(m));
    w.on('error', (err) => this.fail(err));
    w.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`audit writer thread exited (${code})`));
    });
  }

  /** Resolves once the log is open (at once without a writer thread); rejects if it cannot be. */
  opened(): Promise<void> {
    return this.ready;
  }

  /**
   * Queues one request's decisions (records, or an `AuditPack` of them, which the
   * log then owns); resolves when they are durable. `snapshot` null: the
   * decisions' snapshot was appended with an earlier part of the same request.
   */
  append(snapshot: AuditSnapshot | null, records: readonly AuditRecord[] | AuditPack): Promise<void> {
    if (this.closed) return Promise.reject(new ServiceUnavailableError('the decision audit log is closed (server shutting down)'));
    if (this.broken) return Promise.reject(new ServiceUnavailableError(`the decision audit log failed: ${this.broken.message}`));
    // A batch's pack joins the group as it is (the log owns it now); single requests' records share a
    // pack. Every pack's buffer moves to the writer thread: transferred, never copied.
    if (records instanceof AuditPack) {
      this.packs.push(records);
      this.shared = null;
    } else {
      if (!this.shared) this.packs.push((this.shared = new AuditPack(8 * 1024)));
      for (const r of records) this.shared.add(r);
    }
    return new Promise<void>((resolve, reject) => {
      if (snapshot) this.queue.push(snapshot);
      this.queueWaiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued as one group and settles its requests when durable. */
  flush(): void {
    this.scheduled = false;
    const snapshots = this.queue;
    const waiters = this.queueWaiters;
    const packs = this.packs;
    if (waiters.length === 0 || packs.length === 0) return;
    this.queue = [];
    this.queueWaiters = [];
    this.packs = [];
    this.shared = null;
    const group: AuditGroup = { snapshots, records: packs.map((p) => p.finish()) };
    let decisions = 0;
    for (const r of group.records) decisions += r.count;
    // With a writer thread, a small group commits right here when no commit is in flight there
    // (so groups still commit in order); a large one, or one behind others, goes to the writer.
    if (this.worker && !(this.store && decisions <= INLINE_DECISIONS && this.inFlight.size === 0)) {
      const seq = this.seq++;
      this.inFlight.set(seq, { waiters, decisions });
      // The packed records move to the writer thread (transferred, not copied).
      this.worker.postMessage({ kind: 'commit', seq, group } satisfies ToWriter, group.records.map((r) => r.buffer));
      return;
    }
    const t0 = performance.now();
    try {
      this.store!.commit(group);
    } catch (err) {
      const e = new ServiceUnavailableError(`decision audit log write failed: ${(err as Error).message}`, { cause: err });
      for (const w of waiters) w.reject(e);
      return;
    }
    this.servingThreadCommits++;
    this.settled(waiters, decisions, performance.now() - t0, 'serving');
  }

  private settled(waiters: Waiter[], decisions: number, ms: number, thread: CommitThread): void {
    for (const w of waiters) w.resolve();
    this.committed += decisions;
    this.commits++;
    this.onCommit(decisions, ms, thread);
  }

  private fromWriter(m: FromWriter): void {
    if (m.kind === 'committed' || m.kind === 'failed') {
      const g = this.inFlight.get(m.seq);
      if (!g) return;
      this.inFlight.delete(m.seq);
      if (m.kind === 'committed') this.settled(g.waiters, g.decisions, m.ms, 'writer');
      else {
        const e = new ServiceUnavailableError(`decision audit log write failed: ${m.error}`);
        for (const w of g.waiters) w.reject(e);
      }
    }
  }

  private fail(err: unknown): void {
    this.broken = err instanceof Error ? err : new Error(String(err));
    const e = new ServiceUnavailableError(`decision audit log failed: ${this.broken.message}`, { cause: err });
    for (const g of this.inFlight.values()) for (const w of g.waiters) w.reject(e);
    this.inFlight.clear();
    for (const w of this.queueWaiters.splice(0)) w.reject(e);
    this.queue = [];
    this.packs = [];
    this.shared = null;
  }

  /** Flushes what is queued, waits for it to commit, and closes the database (a checkpoint folds the WAL in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (!this.worker) {
      this.store!.close();
      return;
    }
    // The writer's close folds the WAL in; this thread's connection just closes.
    this.store?.close(false);
    this.store = null;
    const w = this.worker;
    if (this.checkpointer) {
      const c = this.checkpointer;
      this.checkpointer = null;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.postMessage({ kind: 'close' } satisfies ToWriter);
      });
    }
    if (this.broken) {
      await w.terminate();
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (m: FromWriter) => {
        if (m.kind === 'closed') {
          w.off('message', done);
          resolve();
        }
      };
      w.on('message', done);
      w.once('exit', () => resolve());
      // Messages are handled in order: every commit posted before this one finishes first.
      w.postMessage({ kind: 'close' } satisfies ToWriter);
    });
    await w.terminate();
  }
}

/**
 * Starts the writer thread from the module beside this one: compiled (.js), or,
 * when running from sources (tsx, vitest), TypeScript through tsx's loader
 * registered inside the thread.
 */
/** What an audit thread is started as. */
export type AuditThreadData = { role: 'writer'; options: AuditOptions } | { role: 'checkpointer'; path: string };

function startWriter(workerData: AuditThreadData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./audit-writer.js', here), { workerData });
  // tsx's ESM API (its "import" entry), found from the package's own folder.
  const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./audit-writer.ts', here).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** One line's encoded features: one array, or parts (context, candidates) read as one. */
export type FeatureRow = ArrayLike<number> | { parts: readonly ArrayLike<number>[] };

/**
 * Packs per-line feature rows as little-endian float32: row count, then per row
 * its length and values. A fraction of the size and cost of JSON for the
 * model's observations, which are float32 to begin with.
 */
export function packFeatures(rows: readonly FeatureRow[]): Buffer {
  const out = new Float32Array(packedLength(rows));
  fillPacked(rows, out);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Floats `packFeatures` writes for these rows. */
function packedLength(rows: readonly FeatureRow[]): number {
  let n = 1 + rows.length;
  for (const r of rows) n += rowLength(r);
  return n;
}

/** Writes the packed floats of `rows` at the start of `out` (long enough: `packedLength`). */
function fillPacked(rows: readonly FeatureRow[], out: Float32Array): void {
  let k = 0;
  out[k++] = rows.length;
  for (const r of rows) {
    out[k++] = rowLength(r);
    for (const part of 'parts' in r ? r.parts : [r]) {
      if (part instanceof Float32Array) {
        out.set(part, k);
        k += part.length;
      } else for (let i = 0; i < part.length; i++) out[k++] = part[i]!;
    }
  }
}

function rowLength(r: FeatureRow): number {
  if (!('parts' in r)) return r.length;
  let n = 0;
  for (const part of r.parts) n += part.length;
  return n;
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
