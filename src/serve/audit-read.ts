import Database from 'better-sqlite3';
import { messageJson } from './proto.js';

/**
 * Reading the decision audit log (export, tests, reconciliation). Apart from
 * audit.ts so that the writer threads, which import that, do not load the gRPC
 * modules this needs to turn stored wire bytes back into JSON.
 */

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
      const r = row as ExportRow;
      // Orders and snapshots received over gRPC are stored as their wire bytes.
      if (r.request instanceof Uint8Array) r.request = messageJson('order', r.request);
      if (r.snapshot instanceof Uint8Array) r.snapshot = messageJson('snapshot', r.snapshot);
      each(r);
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
