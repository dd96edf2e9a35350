import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, intOption, UsageError } from './errors.js';
import { addContractsOption } from './contracts.js';
import type { ContractMode } from '../sim/scenario/index.js';
import { RULE_NAMES } from '../sim/policies/rules.js';
import type { ServeOptions } from '../serve/server.js';

interface ServeCliOptions {
  scenario: string;
  policy?: string;
  fallback: string;
  host: string;
  port: number;
  metricsPort?: number;
  audit: string;
  auditSync: string;
  auditThread: boolean;
  adminTokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  requireClientCert?: boolean;
  shadow?: boolean;
  epsilon: string;
  seed: number;
  modelBudgetMs: string;
  minMargin: string;
  watchMs: number;
  contracts?: ContractMode;
}

/** Parses a finite number option within [min, max]; errors name the option and value. */
export function numberOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name}(=${value}) must be a number in [${min}, ${max}]`);
  return n;
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

function readFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`${option}(=${path}) cannot be read: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  addContractsOption(program.command('serve'))
    .description('serve allocation.v1.AllocationService over gRPC: model first, rule strategy as fallback')
    .requiredOption('--scenario <name|path>', 'the network served (shipped scenario name or YAML path)', 'default')
    .option('--policy <models/name|rule>', `a model in a registry folder (models/<name>), or a rule strategy (${RULE_NAMES.join(', ')})`)
    .option('--fallback <rule>', 'rule strategy the fallback chain ends with', 'cheapest')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'gRPC port (0 picks one)', intOption('--port'), 50051)
    .option('--metrics-port <n>', 'serve Prometheus /metrics on this port', intOption('--metrics-port'))
    .option('--audit <file>', 'decision audit log (SQLite)', 'results/audit.sqlite')
    .option('--no-audit-thread', 'write the audit log on the serving thread (default: a writer thread of its own)')
    .option('--audit-sync <mode>', 'normal (survives a process crash) or full (fsync per group commit; survives power loss)', 'normal')
    .option('--admin-token-file <file>', 'file holding the bearer token for ActivatePolicy and Reload (or set ALLOCSIM_ADMIN_TOKEN)')
    .option('--tls-cert <file>', 'server certificate chain (PEM); enables TLS')
    .option('--tls-key <file>', 'server private key (PEM)')
    .option('--tls-ca <file>', 'CA bundle for client certificates (mutual TLS)')
    .option('--require-client-cert', 'refuse clients without a certificate signed by --tls-ca')
    .option('--shadow', 'shadow mode: rules decide, the model choice is logged beside them')
    .option('--epsilon <p>', 'ε-exploration probability (0 = off)', '0')
    .option('--seed <n>', 'seed of the exploration stream', intOption('--seed'), 0)
    .option('--model-budget-ms <ms>', 'longest the model may take per request', '50')
    .option('--min-margin <p>', 'low confidence: top-two probability gap below which rules decide (0 = off)', '0.02')
    .option('--watch-ms <ms>', 'poll the registry for new versions this often (0 = only on Reload)', intOption('--watch-ms'), 5000)
    .action(action(runServe));
}

async function runServe(o: ServeCliOptions): Promise<void> {
  if (!RULE_NAMES.includes(o.fallback)) throw new UsageError(`--fallback(=${o.fallback}) must be a rule strategy: ${RULE_NAMES.join(', ')}`);
  if (o.auditSync !== 'normal' && o.auditSync !== 'full') throw new UsageError(`--audit-sync(=${o.auditSync}) must be normal or full`);
  if (!!o.tlsCert !== !!o.tlsKey) throw new UsageError('--tls-cert and --tls-key go together');
  if ((o.tlsCa || o.requireClientCert) && !o.tlsCert) throw new UsageError('--tls-ca and --require-client-cert need --tls-cert and --tls-key');
  if (o.requireClientCert && !o.tlsCa) throw new UsageError('--require-client-cert needs --tls-ca');
  let adminToken = process.env.ALLOCSIM_ADMIN_TOKEN || undefined;
  if (o.adminTokenFile) adminToken = readFile('--admin-token-file', o.adminTokenFile).toString('utf8').trim();
  if (adminToken !== undefined && adminToken.length < 16) throw new UsageError('the admin token must be at least 16 characters');
  const opts: ServeOptions = {
    scenario: o.scenario,
    contracts: o.contracts,
    policy: o.policy,
    fallback: o.fallback,
    host: o.host,
    port: o.port,
    metricsPort: o.metricsPort,
    auditPath: o.audit,
    auditSync: o.auditSync,
    auditThread: o.auditThread,
    adminToken,
    seed: o.seed,
    watchMs: o.watchMs,
    chain: {
      shadow: !!o.shadow,
      epsilon: numberOption('--epsilon', o.epsilon, 0, 1),
      modelBudgetMs: numberOption('--model-budget-ms', o.modelBudgetMs, 0, 60_000),
      minMargin: numberOption('--min-margin', o.minMargin, 0, 1),
    },
  };
  if (o.tlsCert && o.tlsKey) {
    opts.tls = {
      cert: readFile('--tls-cert', o.tlsCert),
      key: readFile('--tls-key', o.tlsKey),
      ca: o.tlsCa ? readFile('--tls-ca', o.tlsCa) : undefined,
      requireClientCert: !!o.requireClientCert,
    };
  }
  if (adminToken !== undefined && !opts.tls && !isLoopback(o.host)) {
    // Bearer tokens over plaintext can be read by anyone on the path; say so before serving.
    process.stderr.write(
      `allocsim: warning: serving on ${o.host} without TLS with an admin token: the token for ActivatePolicy and Reload crosses the network in clear text; give --tls-cert and --tls-key, or listen on 127.0.0.1\n`,
    );
  }
  const { startServer } = await import('../serve/server.js');
  const { jsonLogger, errorFields } = await import('../serve/log.js');
  const log = jsonLogger();
  // A stray rejection (a model's late promise, a library) is logged; the service keeps serving.
  process.on('unhandledRejection', (reason) => log.error('unhandled_rejection', errorFields(reason)));
  const server = await startServer({ ...opts, log });
  process.stdout.write(`allocsim serving on ${o.host}:${server.port}${server.metricsPort !== undefined ? `, metrics on :${server.metricsPort}/metrics` : ''}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void server.shutdown().then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
