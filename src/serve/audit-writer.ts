/**
 * The audit log's threads. The writer owns the SQLite connection that commits:
 * each group it is sent goes in one transaction and it answers when durable.
 * Messages are handled in order, so a close waits for every commit posted before
 * it. The checkpointer folds the WAL into the database every 200 ms from a
 * connection of its own (see AuditCheckpointer), off the commits' path.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditCheckpointer, AuditStore, type AuditThreadData, type FromWriter, type ToWriter } from './audit.js';

const port = parentPort!;
const data = workerData as AuditThreadData;

if (data.role === 'checkpointer') {
  const ck = new AuditCheckpointer(data.path);
  const timer = setInterval(() => {
    try {
      ck.checkpoint();
    } catch {
      // Busy or failing now: the next tick tries again; the writer's close folds in what is left.
    }
  }, 200);
  port.on('message', (m: ToWriter) => {
    if (m.kind !== 'close') return;
    clearInterval(timer);
    ck.close();
    port.close();
  });
} else {
  const post = (m: FromWriter) => port.postMessage(m);
  let store: AuditStore | null = null;
  try {
    store = new AuditStore(data.options);
    post({ kind: 'ready' });
  } catch (err) {
    post({ kind: 'open-failed', error: (err as Error)?.message ?? String(err) });
  }

  port.on('message', (m: ToWriter) => {
    if (!store) return;
    if (m.kind === 'commit') {
      const t0 = performance.now();
      try {
        store.commit(m.group);
        post({ kind: 'committed', seq: m.seq, ms: performance.now() - t0 });
      } catch (err) {
        post({ kind: 'failed', seq: m.seq, error: (err as Error)?.message ?? String(err) });
      }
    } else if (m.kind === 'auto-checkpoint') {
      store.autoCheckpoint();
    } else if (m.kind === 'close') {
      try {
        store.close();
      } finally {
        store = null;
        post({ kind: 'closed' });
      }
    }
  });
}
