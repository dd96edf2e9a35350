/**
 * The append-only ledger: every allocation, pick, shipment, delivery, receipt,
 * cost and penalty of a run, in the order it happened — the allocation audit
 * trail. KPIs are computed from it and the end-of-run reconciliation checks it.
 *
 * Entries are stored column-wise in typed arrays (about 35 bytes an entry) so a
 * year of a 40-warehouse network fits comfortably in memory; `entry(i)` gives an
 * object view and `toJsonl`/`toCsv` export it. The `aux` column is mostly zero
 * (about one entry in nine has one), so only its non-zero values are stored, by
 * entry index; `auxOf(i)` reads one and `aux` gives the whole column. Fewer
 * bytes an entry is fewer fresh pages to fault in, which was a large part of a
 * run's time.
 *
 * A ledger made with a `LedgerSink` keeps no entries: each is handed to the sink
 * as it is appended, with the values its columns would have stored, and
 * `length` counts them. Runs that need only KPIs and the reconciliation use one
 * (see `RunTally`); reading entries from it is an error.
 */

import { SimError } from './kernel/errors.js';

export const EntryKind = {
  /** Opening stock of a warehouse × SKU at time 0 (qty). */
  OPENING: 0,
  /** A customer order line arrived (qty, amount = list value). */
  ORDER: 1,
  /** Units promised from a warehouse to an order line (qty, mode). */
  ALLOCATE: 2,
  /** Units picked (qty). */
  PICK: 3,
  /** Units left the warehouse (qty): inventory out. */
  SHIP: 4,
  /** Units delivered (qty; flag 1 = on time; aux = hours from order to delivery). */
  DELIVER: 5,
  /** Revenue recognised on delivery (amount). */
  REVENUE: 6,
  /** Cost of goods shipped (amount). */
  COGS: 7,
  SHIPPING_COST: 8,
  HANDLING_COST: 9,
  /** Daily holding cost of a warehouse (amount). */
  HOLDING_COST: 10,
  /** A replenishment order was placed with the supplier (qty; aux = lead time hours). */
  PURCHASE: 11,
  /** Stock received (qty): inventory in. flag 1 = scheduled (exogenous) inbound. */
  RECEIPT: 12,
  /** Unplaced units that waited past the segment's patience (qty). */
  LOST_SALE: 13,
  PENALTY_LATE: 14,
  PENALTY_LOST_SALE: 15,
  /** Contract shortfall at period end (qty = units short, amount). */
  PENALTY_CONTRACT: 16,
  /** An order still unplaced after the segment's escalation time. */
  ESCALATION: 17,
  /** Units that could not be placed at an order's first wave (qty). */
  BACKORDER: 18,
  /**
   * End-of-day warehouse snapshot: qty = units on hand, amount = inventory value,
   * aux = mean inventory age (hours), order = SKUs out of stock, sku = units picked that day.
   */
  SNAPSHOT: 19,
  /** End-of-day network backlog: qty = unplaced units waiting. */
  BACKLOG: 20,
  /** Contract period closed: segment, qty = units ordered in the period, aux = units allocated in it. */
  CONTRACT_PERIOD: 21,
} as const;

/** An order's id as contexts and exports show it: `O` and the order's index (the ledger's `order` column, the realised demand's row). */
export function orderId(index: number): string {
  return `O${index}`;
}

/** The order index of an id made by `orderId`. */
export function orderIndexOf(id: string): number {
  return Number(id.slice(1));
}

export type EntryKindName = keyof typeof EntryKind;
export const ENTRY_KIND_NAMES: readonly EntryKindName[] = Object.keys(EntryKind) as EntryKindName[];

/** Entry kinds whose amount is money that enters the books (signed by their account). */
export const MONEY_KINDS = [
  EntryKind.REVENUE,
  EntryKind.COGS,
  EntryKind.SHIPPING_COST,
  EntryKind.HANDLING_COST,
  EntryKind.HOLDING_COST,
  EntryKind.PENALTY_LATE,
  EntryKind.PENALTY_LOST_SALE,
  EntryKind.PENALTY_CONTRACT,
] as const;

/** One ledger entry as an object. Indexes refer to the run's world. */
export interface LedgerEntry {
  seq: number;
  kind: EntryKindName;
  timeHours: number;
  order: number;
  sku: number;
  warehouse: number;
  segment: number;
  mode: number;
  qty: number;
  amount: number;
  aux: number;
  flag: number;
}

/** Names used when exporting (index → id). */
export interface LedgerNames {
  skus: readonly string[];
  warehouses: readonly string[];
  segments: readonly string[];
  modes: readonly string[];
}

/**
 * Receives every entry of a ledger in order, with the values its columns hold
 * (integers already narrowed to the column's type); aux is 0 when absent.
 */
export interface LedgerSink {
  add(kind: number, time: number, order: number, sku: number, warehouse: number, segment: number, mode: number, qty: number, amount: number, aux: number, flag: number): void;
}

/** A ledger's column buffers, handed from a released ledger to the next one. */
interface Columns {
  cap: number;
  kind: Uint8Array;
  time: Float64Array;
  order: Int32Array;
  sku: Int32Array;
  warehouse: Int16Array;
  segment: Int8Array;
  mode: Int8Array;
  flag: Uint8Array;
  qty: Int32Array;
  amount: Float64Array;
  auxIndex: Int32Array;
  auxValue: Float64Array;
}

/**
 * Columns of released ledgers, for the next ledgers made on this thread. A run
 * of `default` writes about 11 MB of ledger; in fresh memory that is a page
 * fault per 4 KB, about 18 µs each on this project's VM — roughly 55 ms on a run
 * that otherwise takes 80 ms. Loops that run many simulations (the benchmark
 * harness, evaluation, training baselines) release each ledger once its KPIs are
 * computed, and the next run writes into warm memory.
 */
const released: Columns[] = [];
const MAX_RELEASED = 2;

function freshColumns(cap: number): Columns {
  const auxCapacity = Math.max(64, cap >> 3);
  return {
    cap,
    kind: new Uint8Array(cap),
    time: new Float64Array(cap),
    order: new Int32Array(cap),
    sku: new Int32Array(cap),
    warehouse: new Int16Array(cap),
    segment: new Int8Array(cap),
    mode: new Int8Array(cap),
    flag: new Uint8Array(cap),
    qty: new Int32Array(cap),
    amount: new Float64Array(cap),
    auxIndex: new Int32Array(auxCapacity),
    auxValue: new Float64Array(auxCapacity),
  };
}

/** Released columns that fit `cap` entries without being wastefully large, or fresh ones. */
function takeColumns(cap: number): Columns {
  const i = released.findIndex((c) => c.cap >= cap && c.cap <= 4 * cap);
  if (i < 0) return freshColumns(cap);
  return released.splice(i, 1)[0]!;
}

export class Ledger {
  // Set by `adopt`, from the constructor on.
  private cap!: number;
  private n = 0;
  kind!: Uint8Array;
  time!: Float64Array;
  order!: Int32Array;
  sku!: Int32Array;
  warehouse!: Int16Array;
  segment!: Int8Array;
  mode!: Int8Array;
  flag!: Uint8Array;
  qty!: Int32Array;
  amount!: Float64Array;
  /** Non-zero aux values, in entry order: the entry index and the value. */
  private auxIndex!: Int32Array;
  private auxValue!: Float64Array;
  private auxCount = 0;
  /** The dense aux column built by `aux`, and the entry count it was built at. */
  private auxDense: Float64Array | null = null;
  private auxDenseAt = -1;

  /** Where entries go instead of the columns (null: they are kept). */
  readonly tally: LedgerSink | null;

  /**
   * Every column is written for each entry appended, and nothing reads past
   * `length`, so columns from a released ledger need no clearing. With `tally`
   * the entries go there and the columns stay empty.
   */
  constructor(initialCapacity = 1 << 16, tally?: LedgerSink) {
    this.tally = tally ?? null;
    this.adopt(tally ? freshColumns(0) : takeColumns(initialCapacity));
  }

  /** False when the entries went to a tally and only their count is kept. */
  get kept(): boolean {
    return this.tally === null;
  }

  /** Makes `c` this ledger's columns. */
  private adopt(c: Columns): void {
    this.cap = c.cap;
    this.kind = c.kind;
    this.time = c.time;
    this.order = c.order;
    this.sku = c.sku;
    this.warehouse = c.warehouse;
    this.segment = c.segment;
    this.mode = c.mode;
    this.flag = c.flag;
    this.qty = c.qty;
    this.amount = c.amount;
    this.auxIndex = c.auxIndex;
    this.auxValue = c.auxValue;
  }

  /**
   * Hands the columns to the next ledger made on this thread (see `released`).
   * Optional — an unreleased ledger is simply collected — and final: the ledger
   * is empty afterwards, and column arrays taken from it earlier must not be
   * read again.
   */
  release(): void {
    if (this.cap === 0) {
      this.n = 0;
      return;
    }
    if (released.length < MAX_RELEASED) {
      released.push({
        cap: this.cap, kind: this.kind, time: this.time, order: this.order, sku: this.sku, warehouse: this.warehouse,
        segment: this.segment, mode: this.mode, flag: this.flag, qty: this.qty, amount: this.amount,
        auxIndex: this.auxIndex, auxValue: this.auxValue,
      });
    }
    this.adopt(freshColumns(0));
    this.n = 0;
    this.auxCount = 0;
    this.auxDense = null;
    this.auxDenseAt = -1;
  }

  /** The aux column as a dense array (built on demand; prefer `auxOf` in loops). */
  get aux(): Float64Array {
    if (this.auxDense && this.auxDenseAt === this.n) return this.auxDense;
    const a = new Float64Array(this.cap);
    for (let k = 0; k < this.auxCount; k++) a[this.auxIndex[k]!] = this.auxValue[k]!;
    this.auxDense = a;
    this.auxDenseAt = this.n;
    return a;
  }

  /** Entry i's aux value (0 when it has none). */
  auxOf(i: number): number {
    const idx = this.auxIndex;
    let lo = 0;
    let hi = this.auxCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = idx[mid]!;
      if (v === i) return this.auxValue[mid]!;
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  get length(): number {
    return this.n;
  }

  /** Appends one entry; -1 marks a column that does not apply. Returns its sequence number. */
  append(
    kind: number,
    time: number,
    order: number,
    sku: number,
    warehouse: number,
    segment: number,
    mode: number,
    qty: number,
    amount: number,
    aux = 0,
    flag = 0,
  ): number {
    if (this.tally !== null) {
      // What the typed columns would store (ToInt32 then the column's width).
      this.tally.add(kind & 0xff, time, order | 0, sku | 0, (warehouse << 16) >> 16, (segment << 24) >> 24, (mode << 24) >> 24, qty | 0, amount, aux, flag & 0xff);
      return this.n++;
    }
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.kind[i] = kind;
    this.time[i] = time;
    this.order[i] = order;
    this.sku[i] = sku;
    this.warehouse[i] = warehouse;
    this.segment[i] = segment;
    this.mode[i] = mode;
    this.qty[i] = qty;
    this.amount[i] = amount;
    // -0 is kept too, so the column reads back bit for bit.
    if (aux !== 0 || 1 / aux < 0) {
      if (this.auxCount === this.auxIndex.length) this.growAux();
      this.auxIndex[this.auxCount] = i;
      this.auxValue[this.auxCount++] = aux;
    }
    this.flag[i] = flag;
    return i;
  }

  private growAux(): void {
    const index = new Int32Array(this.auxIndex.length * 2);
    index.set(this.auxIndex);
    this.auxIndex = index;
    const value = new Float64Array(this.auxValue.length * 2);
    value.set(this.auxValue);
    this.auxValue = value;
  }

  /** Hands every kept entry to `sink`, in order. */
  forEachEntry(sink: LedgerSink): void {
    this.mustBeKept();
    let k = 0;
    for (let i = 0; i < this.n; i++) {
      let aux = 0;
      if (k < this.auxCount && this.auxIndex[k] === i) aux = this.auxValue[k++]!;
      sink.add(this.kind[i]!, this.time[i]!, this.order[i]!, this.sku[i]!, this.warehouse[i]!, this.segment[i]!, this.mode[i]!, this.qty[i]!, this.amount[i]!, aux, this.flag[i]!);
    }
  }

  private mustBeKept(): void {
    if (this.tally !== null) throw new SimError('this ledger kept no entries (the run was made with keepLedger: false)');
  }

  entry(i: number): LedgerEntry {
    this.mustBeKept();
    return {
      seq: i,
      kind: ENTRY_KIND_NAMES[this.kind[i]!]!,
      timeHours: this.time[i]!,
      order: this.order[i]!,
      sku: this.sku[i]!,
      warehouse: this.warehouse[i]!,
      segment: this.segment[i]!,
      mode: this.mode[i]!,
      qty: this.qty[i]!,
      amount: this.amount[i]!,
      aux: this.auxOf(i),
      flag: this.flag[i]!,
    };
  }

  private grow(): void {
    const cap = Math.max(64, this.cap * 2);
    const g = <T extends { length: number; set(a: T): void }>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.time = g(this.time, (n) => new Float64Array(n));
    this.order = g(this.order, (n) => new Int32Array(n));
    this.sku = g(this.sku, (n) => new Int32Array(n));
    this.warehouse = g(this.warehouse, (n) => new Int16Array(n));
    this.segment = g(this.segment, (n) => new Int8Array(n));
    this.mode = g(this.mode, (n) => new Int8Array(n));
    this.flag = g(this.flag, (n) => new Uint8Array(n));
    this.qty = g(this.qty, (n) => new Int32Array(n));
    this.amount = g(this.amount, (n) => new Float64Array(n));
    this.cap = cap;
  }

  /** Yields export rows with ids in place of indexes. */
  *rows(names: LedgerNames): Generator<Record<string, string | number>> {
    this.mustBeKept();
    // Non-zero aux values come in entry order: one cursor walks them.
    let k = 0;
    for (let i = 0; i < this.n; i++) {
      let aux = 0;
      if (k < this.auxCount && this.auxIndex[k] === i) aux = this.auxValue[k++]!;
      const name = (list: readonly string[], idx: number) => (idx >= 0 ? (list[idx] ?? '') : '');
      // A snapshot keeps counts, not references, in its order and sku columns.
      const snap = this.kind[i] === EntryKind.SNAPSHOT;
      yield {
        seq: i,
        kind: ENTRY_KIND_NAMES[this.kind[i]!]!,
        timeHours: round6(this.time[i]!),
        order: snap ? this.order[i]! : this.order[i]! >= 0 ? orderId(this.order[i]!) : '',
        sku: snap ? this.sku[i]! : name(names.skus, this.sku[i]!),
        warehouse: name(names.warehouses, this.warehouse[i]!),
        segment: name(names.segments, this.segment[i]!),
        mode: name(names.modes, this.mode[i]!),
        qty: this.qty[i]!,
        amount: round6(this.amount[i]!),
        aux: round6(aux),
        flag: this.flag[i]!,
      };
    }
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export const LEDGER_COLUMNS = ['seq', 'kind', 'timeHours', 'order', 'sku', 'warehouse', 'segment', 'mode', 'qty', 'amount', 'aux', 'flag'] as const;
