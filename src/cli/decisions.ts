import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { action, UsageError } from './errors.js';

interface ExportOptions {
  db: string;
  since?: string;
  format: string;
  out?: string;
}

/** Columns of the CSV export, in order. */
const CSV_COLUMNS = [
  'id', 'ts_ms', 'method', 'order_id', 'decided_by', 'policy_name', 'policy_version', 'fallback_reason', 'fallback_detail',
  'mode', 'explored', 'propensity', 'latency_us', 'snapshot_id', 'request', 'features', 'scores', 'decision', 'shadow', 'snapshot',
];

/** Parses --since: an ISO date/time or milliseconds since the epoch. */
export function parseSince(value: string | undefined): number {
  if (value === undefined) return 0;
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new UsageError(`--since(=${value}) must be an ISO date/time (2026-11-24T12:00:00Z) or epoch milliseconds`);
  return t;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function register(program: Command): void {
  const decisions = program.command('decisions').description('the decision audit log');
  decisions
    .command('export')
    .description('export logged decisions (JSON columns parsed in jsonl, kept as text in csv)')
    .option('--db <file>', 'audit log', 'results/audit.sqlite')
    .option('--since <time>', 'only decisions at or after this time (ISO or epoch ms)')
    .requiredOption('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--out <file>', 'write here instead of stdout')
    .action(action(runExport));
}

async function runExport(o: ExportOptions): Promise<void> {
  if (o.format !== 'jsonl' && o.format !== 'csv') throw new UsageError(`--format(=${o.format}) must be jsonl or csv`);
  if (!existsSync(o.db)) throw new UsageError(`--db(=${o.db}) not found`);
  const since = parseSince(o.since);
  const { unpackFeatures } = await import('../serve/audit.js');
  const { readDecisions } = await import('../serve/audit-read.js');
  const out: WriteStream | NodeJS.WriteStream = o.out ? createWriteStream(o.out) : process.stdout;
  const write = (s: string) => out.write(s);
  if (o.format === 'csv') write(`${CSV_COLUMNS.join(',')}\n`);
  const json = new Set(['request', 'scores', 'decision', 'shadow', 'snapshot']);
  const n = readDecisions(o.db, since, (row) => {
    // Features are stored packed (float32); export them as JSON arrays per line.
    if (row.features instanceof Uint8Array) row.features = JSON.stringify(unpackFeatures(row.features));
    if (o.format === 'csv') {
      write(`${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`);
    } else {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) obj[k] = (json.has(k) || k === 'features') && typeof v === 'string' ? JSON.parse(v) : v;
      write(`${JSON.stringify(obj)}\n`);
    }
  });
  if (o.out) {
    await new Promise<void>((res) => (out as WriteStream).end(res));
    process.stderr.write(`${n} decisions written to ${o.out}\n`);
  }
}
