import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics, on a registry of its own (several servers
 * in one process — the tests — do not collide). Names are stable: dashboards
 * depend on them.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'allocsim_requests_total',
    help: 'gRPC calls by method and status code',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'allocsim_request_duration_seconds',
    help: 'Server time per gRPC call, including the audit-log commit',
    labelNames: ['method'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'allocsim_decisions_total',
    help: 'Decisions by who decided (model or rules)',
    labelNames: ['decided_by'] as const,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'allocsim_fallbacks_total',
    help: 'Decisions the model did not make, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly activePolicy = new Gauge({
    name: 'allocsim_active_policy_info',
    help: 'The active policy (1 for the active name and version)',
    labelNames: ['kind', 'name', 'version'] as const,
    registers: [this.registry],
  });
  readonly modelReady = new Gauge({
    name: 'allocsim_model_ready',
    help: '1 when a model version is loaded, validated and warmed',
    registers: [this.registry],
  });
  readonly batchBytes = new Gauge({
    name: 'allocsim_batch_bytes_in_progress',
    help: 'Request bytes of the RecommendBatch calls being decided (limit: RESOURCE_EXHAUSTED beyond it)',
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: 'allocsim_model_loads_total',
    help: 'Model version loads by result (ok, failed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly auditCommitSize = new Histogram({
    name: 'allocsim_audit_commit_decisions',
    help: 'Decisions per audit-log group commit, by the thread that made it (serving, writer)',
    labelNames: ['thread'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096],
    registers: [this.registry],
  });
  readonly auditCommitSeconds = new Histogram({
    name: 'allocsim_audit_commit_seconds',
    help: 'Time per audit-log group commit, by the thread that made it (serving, writer)',
    labelNames: ['thread'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  constructor(withProcessMetrics = false) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'allocsim_' });
  }

  setActive(kind: string, name: string, version: string): void {
    this.activePolicy.reset();
    this.activePolicy.set({ kind, name, version }, 1);
  }

  /** Serves `/metrics` on 127.0.0.1 (or `host`) at `port` (0 picks one). */
  async listen(port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    return { server, port: typeof addr === 'object' && addr ? addr.port : port };
  }
}
