import type { LedgerSink } from './ledger.js';
import { KpiTally } from './kpis.js';
import { ReconcileTally } from './reconcile.js';
import type { World } from './model/world.js';

/**
 * What a run that does not keep its ledger (`RunOptions.keepLedger: false`)
 * keeps instead: the KPIs' and the reconciliation's running sums, fed every
 * entry as it is made, in ledger order. `computeKpis` and `reconcile` read them
 * and give exactly what they would have read from the kept entries, in memory
 * that does not grow with the horizon (a year of `network-large` makes 26 M
 * entries, about 900 MB kept).
 */
export class RunTally implements LedgerSink {
  readonly kpis: KpiTally;
  readonly reconciliation: ReconcileTally;

  /** `expectedOrders`: how many orders to make room for up front. */
  constructor(world: World, days: number, expectedOrders = 0) {
    this.kpis = new KpiTally(world, days, expectedOrders);
    this.reconciliation = new ReconcileTally(world);
  }

  add(kind: number, time: number, order: number, sku: number, warehouse: number, segment: number, mode: number, qty: number, amount: number, aux: number, flag: number): void {
    this.kpis.add(kind, time, order, sku, warehouse, segment, mode, qty, amount, aux, flag);
    this.reconciliation.add(kind, time, order, sku, warehouse, segment, mode, qty, amount);
  }
}
