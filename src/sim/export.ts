import { closeSync, openSync, writeSync } from 'node:fs';
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

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes the ledger to `file` as JSONL (one entry per line) or CSV (header row),
 * chosen by `format`. Writes in 1 MB chunks so a year of a large network streams.
 */
export function writeLedger(ledger: Ledger, world: World, file: string, format: 'jsonl' | 'csv'): number {
  const fd = openSync(file, 'w');
  try {
    let buf = format === 'csv' ? `${LEDGER_COLUMNS.join(',')}\n` : '';
    let n = 0;
    for (const row of ledger.rows(ledgerNames(world))) {
      buf += format === 'csv' ? `${LEDGER_COLUMNS.map((c) => csvCell(row[c]!)).join(',')}\n` : `${JSON.stringify(row)}\n`;
      n++;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
    return n;
  } finally {
    closeSync(fd);
  }
}
