import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ServiceError } from '@grpc/grpc-js';
import { action, intOption, UsageError } from './errors.js';
import type { RecommendRequest } from '../gen/allocation/v1/RecommendRequest.js';
import type { RecommendBatchRequest } from '../gen/allocation/v1/RecommendBatchRequest.js';

interface RecommendCliOptions {
  addr: string;
  order: string;
  batch?: boolean;
  deadlineMs: number;
  forceRules?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function register(program: Command): void {
  program
    .command('recommend')
    .description('ask a running allocsim server for a decision and print it as JSON')
    .requiredOption('--addr <host:port>', 'server address')
    .requiredOption('--order <file.json>', 'a Recommend request: { "order": {...}, "snapshot": {...} } (with --batch: { "orders": [...], "snapshot": {...} })')
    .option('--batch', 'send a RecommendBatch request')
    .option('--deadline-ms <ms>', 'call deadline', intOption('--deadline-ms', 1), 5000)
    .option('--force-rules', 'decide with the rule strategy')
    .option('--tls-ca <file>', 'CA to verify the server (enables TLS)')
    .option('--tls-cert <file>', 'client certificate (mutual TLS)')
    .option('--tls-key <file>', 'client key (mutual TLS)')
    .action(action(runRecommend));
}

async function runRecommend(o: RecommendCliOptions): Promise<void> {
  if (!/^[^\s]+:\d+$/.test(o.addr)) throw new UsageError(`--addr(=${o.addr}) must look like host:port`);
  let text: string;
  try {
    text = readFileSync(o.order, 'utf8');
  } catch (err) {
    throw new UsageError(`--order(=${o.order}) cannot be read: ${(err as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--order(=${o.order}) is not valid JSON: ${(err as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new UsageError(`--order(=${o.order}) must hold a JSON object`);
  const file = (opt: string, p?: string) => {
    if (!p) return undefined;
    try {
      return readFileSync(p);
    } catch (err) {
      throw new UsageError(`${opt}(=${p}) cannot be read: ${(err as Error).message}`);
    }
  };
  const { createClient, api } = await import('../serve/client.js');
  const client = createClient(o.addr, { ca: file('--tls-ca', o.tlsCa), cert: file('--tls-cert', o.tlsCert), key: file('--tls-key', o.tlsKey) });
  const a = api(client);
  try {
    const res = o.batch
      ? await a.recommendBatch({ ...(body as RecommendBatchRequest), forceRules: !!o.forceRules }, { deadlineMs: o.deadlineMs })
      : await a.recommend({ ...(body as RecommendRequest), forceRules: !!o.forceRules }, { deadlineMs: o.deadlineMs });
    process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
  } catch (err) {
    const e = err as ServiceError;
    // INVALID_ARGUMENT is the caller's input: exit 2 like any bad input.
    if (e.code === 3) throw new UsageError(`server rejected the request: ${e.details}`);
    throw new Error(`call failed (${e.code ?? '?'}): ${e.details ?? e.message}`);
  } finally {
    client.close();
  }
}
