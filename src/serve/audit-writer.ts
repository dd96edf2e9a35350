/**
 * The audit log's writer thread: owns the SQLite connection, commits each group
 * it is sent in one transaction and answers when it is durable. Messages are
 * handled in order, so a close waits for every commit posted before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditStore, type AuditOptions, type FromWriter, type ToWriter } from './audit.js';

const port = parentPort!;
const post = (m: FromWriter) => port.postMessage(m);
let store: AuditStore | null = null;
try {
  store = new AuditStore(workerData as AuditOptions);
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'open-failed', error: (err as Error)?.message ?? String(err) });
}

port.on('message', (m: ToWriter) => {
  if (!store) return;
  if (m.kind === 'commit') {
    const t0 = performance.now();
    try {
      store.commit(m.items);
      post({ kind: 'committed', seq: m.seq, ms: performance.now() - t0 });
    } catch (err) {
      post({ kind: 'failed', seq: m.seq, error: (err as Error)?.message ?? String(err) });
    }
  } else if (m.kind === 'close') {
    try {
      store.close();
    } finally {
      store = null;
      post({ kind: 'closed' });
    }
  }
});
