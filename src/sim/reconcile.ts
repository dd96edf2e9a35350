import { SimError } from './kernel/errors.js';
import { EntryKind, type LedgerSink } from './ledger.js';
import { RunTally } from './tally.js';
import type { World } from './model/world.js';
import type { SimResult } from './engine.js';

/** A reconciliation that did not balance. The message names the first difference. */
export class ReconciliationError extends SimError {
  constructor(message: string) {
    super(message);
    this.name = 'ReconciliationError';
  }
}

export interface Reconciliation {
  /** Warehouse × SKU cells checked. */
  cells: number;
  /** Entries summed. */
  entries: number;
  /** Money accounts and their ledger sums. */
  money: Record<string, { accounts: number; ledger: number }>;
}

const MONEY: [keyof SimResult['accounts'], number][] = [
  ['revenue', EntryKind.REVENUE],
  ['cogs', EntryKind.COGS],
  ['shippingCost', EntryKind.SHIPPING_COST],
  ['handlingCost', EntryKind.HANDLING_COST],
  ['holdingCost', EntryKind.HOLDING_COST],
  ['latePenalty', EntryKind.PENALTY_LATE],
  ['lostSalePenalty', EntryKind.PENALTY_LOST_SALE],
  ['contractPenalty', EntryKind.PENALTY_CONTRACT],
];

/**
 * End-of-run checks: per warehouse × SKU, opening + receipts − shipments equals
 * the simulator's closing stock and no unit is left reserved; every money account
 * the simulator kept equals the sum of its ledger entries; every demanded unit is
 * allocated, lost or still waiting. Throws `ReconciliationError` when anything
 * is off. A run that did not keep its entries tallied them as they were made.
 */
export function reconcile(result: SimResult): Reconciliation {
  const tally = result.ledger.tally;
  if (tally instanceof RunTally) return tally.reconciliation.check(result);
  const t = new ReconcileTally(result.world);
  result.ledger.forEachEntry(t);
  return t.check(result);
}

/** The reconciliation's running sums over ledger entries (a `LedgerSink`), checked by `check`. */
export class ReconcileTally implements LedgerSink {
  private readonly S: number;
  private readonly stock: Float64Array;
  private readonly sums = new Float64Array(32);
  private demanded = 0;
  private allocated = 0;
  private lost = 0;
  private entries = 0;

  constructor(private readonly world: World) {
    this.S = world.skus.length;
    this.stock = new Float64Array(world.scenario.warehouses.length * this.S);
  }

  add(k: number, _t: number, _o: number, sku: number, w: number, _g: number, _mode: number, q: number, a: number): void {
    this.entries++;
    switch (k) {
      case EntryKind.OPENING:
      case EntryKind.RECEIPT:
        this.stock[w * this.S + sku] += q;
        break;
      case EntryKind.SHIP:
        this.stock[w * this.S + sku] -= q;
        break;
      case EntryKind.ORDER:
        this.demanded += q;
        break;
      case EntryKind.ALLOCATE:
        this.allocated += q;
        break;
      case EntryKind.LOST_SALE:
        this.lost += q;
        break;
      default:
        break;
    }
    this.sums[k] += a;
  }

  /** Checks the sums against the run's closing state and accounts. */
  check(result: SimResult): Reconciliation {
    const world = this.world;
    const { S, stock, sums, demanded, allocated, lost } = this;
    const W = world.scenario.warehouses.length;
    for (let c = 0; c < W * S; c++) {
      const where = () => `${world.scenario.warehouses[Math.floor(c / S)]!.id} × ${world.skus[c % S]!.id}`;
      if (stock[c] !== result.closingOnHand[c]) {
        throw new ReconciliationError(`stock does not balance at ${where()}: opening + receipts − shipments = ${stock[c]}, closing = ${result.closingOnHand[c]}`);
      }
      if (result.closingOnHand[c]! < 0) throw new ReconciliationError(`negative stock at ${where()}: ${result.closingOnHand[c]}`);
      if (result.closingReserved[c] !== 0) throw new ReconciliationError(`units still reserved after the drain at ${where()}: ${result.closingReserved[c]}`);
    }
    if (demanded !== allocated + lost + result.openBackorderUnits) {
      throw new ReconciliationError(
        `units do not balance: demanded ${demanded} ≠ allocated ${allocated} + lost ${lost} + still waiting ${result.openBackorderUnits}`,
      );
    }
    const money: Reconciliation['money'] = {};
    for (const [account, kind] of MONEY) {
      const a = result.accounts[account];
      const b = sums[kind]!;
      money[account] = { accounts: a, ledger: b };
      // Both sums run in event order, so they agree to rounding: a cent is far outside it.
      if (Math.abs(a - b) > 1e-6 + 1e-12 * Math.abs(a)) {
        throw new ReconciliationError(`money does not balance for ${account}: accounts ${a} ≠ ledger ${b}`);
      }
    }
    return { cells: W * S, entries: this.entries, money };
  }
}
