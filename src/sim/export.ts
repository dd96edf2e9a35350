import { stringify } from 'csv-stringify/sync';
import { writeStreamedAtomic } from './atomic-file.js';
import { LEDGER_COLUMNS, type Ledger, type LedgerNames } from './ledger.js';
import type { World } from './model/world.js';

/** Index → id tables of a world, for exporting the ledger. */
export function ledgerNames(world: World): LedgerNames {
  return {
    skus: world.skus.map((k) => k.id),
    warehouses: world.scenario.warehouses.map((w) => w.id),
    segments: world.scenario.segments.map((g) => g.id),
    modes: world.scenario.modes.map((m) => m.id),
  };
}

/**
 * Writes the ledger to `file` as JSONL (one entry per line) or CSV (header row),
 * chosen by `format`, in chunks of 8,192 entries so a year of a large network
 * streams. The file appears only when complete (temp file + rename).
 */
export function writeLedger(ledger: Ledger, world: World, file: string, format: 'jsonl' | 'csv'): number {
  return writeStreamedAtomic(file, (write) => {
    if (format === 'csv') write(stringify([[...LEDGER_COLUMNS]]));
    let n = 0;
    let batch: Record<string, string | number>[] = [];
    const flush = () => {
      write(format === 'csv' ? stringify(batch.map((row) => LEDGER_COLUMNS.map((c) => row[c]))) : batch.map((row) => `${JSON.stringify(row)}\n`).join(''));
      batch = [];
    };
    for (const row of ledger.rows(ledgerNames(world))) {
      batch.push(row);
      n++;
      if (batch.length === 8192) flush();
    }
    if (batch.length) flush();
    return n;
  });
}
