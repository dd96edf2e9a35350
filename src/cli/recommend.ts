import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ServiceError } from '@grpc/grpc-js';
import { action, intOption, UsageError } from './errors.js';
import type { RecommendRequest } from '../gen/allocation/v1/RecommendRequest.js';
import type { RecommendBatchRequest } from '../gen/allocation/v1/RecommendBatchRequest.js';
import type { RecommendResponse__Output } from '../gen/allocation/v1/RecommendResponse.js';
import { formatOption, printCsv, printJson, type OutputFormat } from './options.js';
import { textTable } from './format.js';

interface RecommendCliOptions {
  addr: string;
  order: string;
  batch?: boolean;
  deadlineMs: number;
  forceRules?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  format: OutputFormat;
}

/** One row per allocation (and per backordered remainder) of each decision: what table and CSV output show. */
function allocationRows(decisions: readonly RecommendResponse__Output[]): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const d of decisions) {
    const by = d.decidedBy ? `${d.decidedBy.kind}:${d.decidedBy.name}${d.decidedBy.version ? `@${d.decidedBy.version}` : ''}` : '';
    for (const line of d.lines) {
      for (const a of line.allocations) rows.push([d.orderId, line.sku, a.warehouse, a.quantity, a.mode, a.expectedDeliveryHours, by, d.fallbackReason, d.decisionId]);
      if (line.backordered > 0) rows.push([d.orderId, line.sku, '(backordered)', line.backordered, '', '', by, d.fallbackReason, d.decisionId]);
    }
  }
  return rows;
}
const ALLOCATION_COLUMNS = ['order', 'sku', 'warehouse', 'quantity', 'mode', 'expectedDeliveryHours', 'decidedBy', 'fallbackReason', 'decisionId'];

export function register(program: Command): void {
  const command = program
    .command('recommend')
    .description('ask a running allocsim server for a decision and print it (JSON: the whole response; table or CSV: one row per allocation)')
    .requiredOption('--addr <host:port>', 'server address')
    .requiredOption('--order <file.json>', 'a Recommend request: { "order": {...}, "snapshot": {...} } (with --batch: { "orders": [...], "snapshot": {...} })')
    .option('--batch', 'send a RecommendBatch request')
    .option('--deadline-ms <ms>', 'call deadline', intOption('--deadline-ms', 1), 5000)
    .option('--force-rules', 'decide with the rule strategy')
    .option('--tls-ca <file>', 'CA to verify the server (enables TLS)')
    .option('--tls-cert <file>', 'client certificate (mutual TLS)')
    .option('--tls-key <file>', 'client key (mutual TLS)');
  formatOption(command, 'json').action(action(runRecommend));
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
    if (o.format === 'json') return printJson(res);
    const rows = allocationRows('decisions' in res ? res.decisions : [res]);
    if (o.format === 'csv') return printCsv(ALLOCATION_COLUMNS, rows);
    process.stdout.write(textTable(ALLOCATION_COLUMNS, rows.map((r) => r.map(String))));
  } catch (err) {
    const e = err as ServiceError;
    // INVALID_ARGUMENT is the caller's input: exit 2 like any bad input.
    if (e.code === 3) throw new UsageError(`server rejected the request: ${e.details}`);
    throw new Error(`call failed (${e.code ?? '?'}): ${e.details ?? e.message}`);
  } finally {
    client.close();
  }
}
