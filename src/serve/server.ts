import { basename, dirname, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import { buildWorld, type World } from '../sim/model/world.js';
import { loadScenario } from '../sim/scenario/load.js';
import type { ContractMode } from '../sim/scenario/schema.js';
import { RandomStreams } from '../sim/kernel/random.js';
import { createRulePolicy, RULE_NAMES } from '../sim/policies/rules.js';
import { AuditLog, type AuditSync } from './audit.js';
import { DecisionChain, DEFAULT_CHAIN_CONFIG, type ChainConfig } from './chain.js';
import { asImplementation, InFlight, makeHandlers, ReceivedRequest } from './handlers.js';
import { errorFields, jsonLogger, type Logger } from './log.js';
import { ServeMetrics } from './metrics.js';
import type { LoadedModel, ModelProvider } from './model.js';
import { ModelSlot } from './model-slot.js';
import { loadAllocationProto, SERVICE_NAME } from './proto.js';
import { registryProvider } from './registry-provider.js';
import { AllocationCore, type PolicyState } from './service.js';
import { WireMessage } from './wire.js';

/** Health-check service name whose status is the model's readiness. */
export const MODEL_HEALTH_NAME = `${SERVICE_NAME}/model`;

export interface TlsOptions {
  cert: Buffer;
  key: Buffer;
  /** CA bundle to verify client certificates against (mutual TLS). */
  ca?: Buffer;
  /** Refuse clients without a certificate signed by `ca`. */
  requireClientCert?: boolean;
}

export interface ServeOptions {
  /** Scenario name or path: the network served. */
  scenario: string;
  /** Contract mode override (`--contracts`); the scenario's own when absent. */
  contracts?: ContractMode;
  /** `models/<name>` (a model in a registry folder), a rule strategy name, or none. */
  policy?: string;
  /** Where model versions come from (default: the agent's registry at the policy's folder). */
  provider?: ModelProvider;
  /** Rule strategy of the fallback chain (default `cheapest`). */
  fallback?: string;
  host?: string;
  port?: number;
  /** Port of the Prometheus endpoint (omit for none). */
  metricsPort?: number;
  /** Audit-log SQLite file (default `results/audit.sqlite`). */
  auditPath?: string;
  auditSync?: AuditSync;
  /** Write the audit log on a thread of its own (default: yes, unless ':memory:'). */
  auditThread?: boolean;
  /** Bearer token for admin calls (none: admin calls refused). */
  adminToken?: string;
  tls?: TlsOptions;
  chain?: Partial<ChainConfig>;
  /** Seed of the exploration stream. */
  seed?: number;
  /** Poll the registry for new versions every this many ms (0: only on Reload). */
  watchMs?: number;
  /** Longest a graceful shutdown waits for in-flight calls, ms. */
  drainMs?: number;
  /** Most request bytes of RecommendBatch calls in progress at once (default `LIMITS.batchBytesInFlight`); beyond it RESOURCE_EXHAUSTED. */
  batchBytesInFlight?: number;
  log?: Logger;
}

export interface RunningServer {
  port: number;
  metricsPort?: number;
  core: AllocationCore;
  slot: ModelSlot;
  metrics: ServeMetrics;
  world: World;
  /** Stops taking calls, drains in-flight ones, flushes and closes the audit log. */
  shutdown(): Promise<void>;
}

/** Server options chosen deliberately: message sizes bound memory per call; keepalive finds dead peers. */
export const SERVER_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // A 10,000-order batch with its snapshot fits well within 16 MiB.
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.max_send_message_length': 32 * 1024 * 1024,
  // Ping idle connections every 30 s; a peer silent for 10 s after a ping is gone.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_concurrent_streams': 1024,
  // Recycle connections every hour so load spreads after scaling, with 30 s to finish calls.
  'grpc.max_connection_age_ms': 3_600_000,
  'grpc.max_connection_age_grace_ms': 30_000,
};

/**
 * Wraps every method's codec: requests are decoded by the handler (see
 * `ReceivedRequest`), so undecodable bytes become INVALID_ARGUMENT instead of
 * grpc-js's INTERNAL, and responses the service already encoded (`WireMessage`,
 * see wire.ts) go out as they are.
 */
function tolerantDefinition(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(def)) {
    const decode = m.requestDeserialize;
    const encode = m.responseSerialize;
    out[name] = {
      ...m,
      responseSerialize: (value: unknown) => (value instanceof WireMessage ? value.bytes : encode(value)),
      requestDeserialize: (buf: Buffer) => new ReceivedRequest(buf, decode),
    };
  }
  return out;
}

/**
 * Starts the allocation service: loads the scenario, the model (if any; a model
 * that fails to load leaves the rules in charge), opens the audit log, and
 * serves AllocationService, health and reflection.
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? jsonLogger();
  const loaded = loadScenario(opts.scenario, { contracts: opts.contracts });
  const world = buildWorld(loaded.scenario);
  const metrics = new ServeMetrics(opts.metricsPort !== undefined);
  const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING', [MODEL_HEALTH_NAME]: 'NOT_SERVING' });

  const fallbackName = opts.fallback ?? 'cheapest';
  const policies: PolicyState = { fallback: createRulePolicy(fallbackName), override: null, modelName: null, registryRoot: null, pinned: null };
  let provider: ModelProvider | null = null;
  if (opts.policy && RULE_NAMES.includes(opts.policy)) {
    policies.override = createRulePolicy(opts.policy);
  } else if (opts.policy) {
    const dir = resolve(opts.policy);
    policies.registryRoot = dirname(dir);
    policies.modelName = basename(dir);
    provider = opts.provider ?? registryProvider(policies.registryRoot);
  }

  const slot = new ModelSlot(provider, world, log, (m: LoadedModel | null) => {
    health.setStatus(MODEL_HEALTH_NAME, m ? 'SERVING' : 'NOT_SERVING');
  });
  const chainConfig: ChainConfig = { ...DEFAULT_CHAIN_CONFIG, ...opts.chain };
  const streams = new RandomStreams(opts.seed ?? 0);
  const chain = new DecisionChain(slot, () => policies.override ?? policies.fallback, () => policies.override !== null, chainConfig, streams.get('exploration'));
  const auditPath = opts.auditPath ?? 'results/audit.sqlite';
  const audit = new AuditLog({
    path: auditPath,
    sync: opts.auditSync,
    // SQLite work on its own thread, off the event loop that serves requests.
    thread: opts.auditThread ?? auditPath !== ':memory:',
    meta: { scenario: loaded.scenario.name, scenarioHash: loaded.hash, startedAt: new Date().toISOString() },
  });
  await audit.opened();
  audit.onCommit = (n, ms, thread) => {
    metrics.auditCommitSize.observe({ thread }, n);
    metrics.auditCommitSeconds.observe({ thread }, ms / 1000);
  };
  const core = new AllocationCore({ world, scenarioName: loaded.scenario.name, scenarioHash: loaded.hash, chain, slot, policies, audit, metrics, log, batchBytesInFlight: opts.batchBytesInFlight });

  if (provider && policies.modelName) {
    try {
      await slot.activate(policies.modelName);
      metrics.reloads.inc({ result: 'ok' });
    } catch (err) {
      metrics.reloads.inc({ result: 'failed' });
      log.warn('model_unavailable_at_start', { model: policies.modelName, ...errorFields(err), fallback: fallbackName });
    }
  }
  core.publishActive();

  const server = new grpc.Server(SERVER_CHANNEL_OPTIONS);
  const inflight = new InFlight();
  const { reflectionDefinition, grpcObject } = loadAllocationProto();
  server.addService(tolerantDefinition(grpcObject.allocation.v1.AllocationService.service), asImplementation(makeHandlers(core, metrics, log, inflight, opts.adminToken)));
  health.addToServer(server);
  new ReflectionService(reflectionDefinition).addToServer(server);

  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(opts.tls.ca ?? null, [{ cert_chain: opts.tls.cert, private_key: opts.tls.key }], opts.tls.requireClientCert ?? false)
    : grpc.ServerCredentials.createInsecure();
  const host = opts.host ?? '127.0.0.1';
  const port = await new Promise<number>((res, rej) => server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${opts.port ?? 0}`, creds, (err, p) => (err ? rej(err) : res(p))));
  health.setStatus('', 'SERVING');
  health.setStatus(SERVICE_NAME, 'SERVING');

  let metricsServer: Awaited<ReturnType<ServeMetrics['listen']>> | undefined;
  if (opts.metricsPort !== undefined) metricsServer = await metrics.listen(opts.metricsPort, host);

  let watch: NodeJS.Timeout | undefined;
  if (opts.watchMs && opts.watchMs > 0 && provider) {
    let busy = false;
    watch = setInterval(() => {
      if (busy) return;
      busy = true;
      core
        .reload(true)
        .catch((err: unknown) => log.error('registry_watch_failed', errorFields(err)))
        .finally(() => (busy = false));
    }, opts.watchMs);
    watch.unref();
  }

  log.info('serving', { port, host, scenario: loaded.scenario.name, policy: core.activeInfo(), fallback: fallbackName, tls: !!opts.tls, metricsPort: metricsServer?.port });

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      if (watch) clearInterval(watch);
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(SERVICE_NAME, 'NOT_SERVING');
      const drained = new Promise<void>((res) => server.tryShutdown(() => res()));
      const limit = opts.drainMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(true), limit))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        log.warn('drain_timeout', { inFlight: inflight.count, limitMs: limit });
        server.forceShutdown();
      }
      await inflight.idle();
      await audit.close();
      slot.clear();
      if (metricsServer) await new Promise<void>((res) => metricsServer!.server.close(() => res()));
      log.info('stopped', { decisions: audit.committed, commits: audit.commits });
    })());

  return { port, metricsPort: metricsServer?.port, core, slot, metrics, world, shutdown };
}
