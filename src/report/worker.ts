/**
 * Worker-thread entry of the benchmark harness: receives tasks, runs them with
 * `runTask` and posts the records back. Policies are resolved here, in the
 * worker, from their spec strings (functions cannot cross threads).
 */
import { parentPort } from 'node:worker_threads';
import { runTask, type Task, type TaskConfig } from './task.js';

export interface WorkerRequest {
  task: Task;
  config: TaskConfig;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg: WorkerRequest) => {
    runTask(msg.task, msg.config).then(
      (record) => port.postMessage({ ok: true, index: msg.task.index, record }),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ ok: false, index: msg.task.index, error: { name: e.name, message: e.message } });
      },
    );
  });
}
