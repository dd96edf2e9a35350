import { SimError } from './kernel/errors.js';
import { EntryKind } from './ledger.js';
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
 * is off.
 */
export function reconcile(result: SimResult): Reconciliation {
  const { ledger: L, world } = result;
  const S = world.skus.length;
  const W = world.scenario.warehouses.length;
  const stock = new Float64Array(W * S);
  const sums = new Float64Array(32);
  let demanded = 0, allocated = 0, lost = 0;
  for (let i = 0; i < L.length; i++) {
    const k = L.kind[i]!;
    const c = L.warehouse[i]! * S + L.sku[i]!;
    switch (k) {
      case EntryKind.OPENING:
      case EntryKind.RECEIPT:
        stock[c] += L.qty[i]!;
        break;
      case EntryKind.SHIP:
        stock[c] -= L.qty[i]!;
        break;
      case EntryKind.ORDER:
        demanded += L.qty[i]!;
        break;
      case EntryKind.ALLOCATE:
        allocated += L.qty[i]!;
        break;
      case EntryKind.LOST_SALE:
        lost += L.qty[i]!;
        break;
      default:
        break;
    }
    sums[k] += L.amount[i]!;
  }
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
  return { cells: W * S, entries: L.length, money };
}
