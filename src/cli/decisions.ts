import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { action, UsageError } from './errors.js';
import { formatParser } from './options.js';
import { AtomicFile, unwritableReason } from '../sim/atomic-file.js';

interface ExportOptions {
  db: string;
  since?: string;
  format: 'jsonl' | 'csv';
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

export function register(program: Command): void {
  const decisions = program.command('decisions').description('the decision audit log');
  decisions
    .command('export')
    .description('export logged decisions (JSON columns parsed in jsonl, kept as text in csv)')
    .option('--db <file>', 'audit log', 'results/audit.sqlite')
    .option('--since <time>', 'only decisions at or after this time (ISO or epoch ms)')
    .requiredOption('--format <format>', 'jsonl or csv (an export: one decision a line)', formatParser(['jsonl', 'csv'] as const), 'jsonl')
    .option('--out <file>', 'write here instead of stdout (the file is replaced only when the export completes)')
    .action(action(runExport));
}

async function runExport(o: ExportOptions): Promise<void> {
  if (!existsSync(o.db)) throw new UsageError(`--db(=${o.db}) not found`);
  const since = parseSince(o.since);
  if (o.out) {
    const why = unwritableReason(o.out);
    if (why) throw new UsageError(`--out(=${o.out}) cannot be written: ${why}`);
  }
  const { unpackFeatures } = await import('../serve/audit.js');
  const { readDecisions } = await import('../serve/audit-read.js');
  const file = o.out ? new AtomicFile(o.out) : null;
  // Rows are written in chunks of about 1 MB, to the temp file beside --out or to stdout.
  let buf = '';
  const flush = () => {
    if (file) file.write(buf);
    else process.stdout.write(buf);
    buf = '';
  };
  const write = (s: string) => {
    buf += s;
    if (buf.length > 1 << 20) flush();
  };
  try {
    if (o.format === 'csv') write(stringify([CSV_COLUMNS]));
    const json = new Set(['request', 'scores', 'decision', 'shadow', 'snapshot']);
    const n = readDecisions(o.db, since, (row) => {
      // Features are stored packed (float32); export them as JSON arrays per line.
      if (row.features instanceof Uint8Array) row.features = JSON.stringify(unpackFeatures(row.features));
      if (o.format === 'csv') {
        write(stringify([CSV_COLUMNS.map((c) => row[c])], { cast: { boolean: (b) => String(b) } }));
      } else {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) obj[k] = (json.has(k) || k === 'features') && typeof v === 'string' ? JSON.parse(v) : v;
        write(`${JSON.stringify(obj)}\n`);
      }
    });
    flush();
    if (file) {
      file.commit();
      process.stderr.write(`${n} decisions written to ${o.out}\n`);
    }
  } catch (err) {
    file?.abort();
    throw err;
  }
}
