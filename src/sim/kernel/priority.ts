/**
 * Named event priorities. When two events fall at the same simulated hour the one
 * with the lower priority number runs first; ties within a priority run in the
 * order they were scheduled (FIFO), as in SimPy's (time, priority, seq) heap.
 *
 * The order encodes how a real day works: stock that lands is put away before the
 * wave that could allocate it, orders that arrive at a wave's hour are in that
 * wave, and the books are closed after everything else at that hour.
 */
export const Priority = {
  /** Supplier receipts and outage state changes: the world changes first. */
  SUPPLY: 0,
  /** Shipments leaving and deliveries landing. */
  FLOW: 1,
  /** Customer orders arriving. */
  ARRIVAL: 2,
  /** Allocation waves: every pending order is offered to the policy. */
  WAVE: 3,
  /** Replenishment reviews. */
  REVIEW: 4,
  /** End-of-day bookkeeping: holding cost, snapshots, contract periods. */
  CLOSE: 5,
} as const;

export type PriorityName = keyof typeof Priority;
export type PriorityValue = (typeof Priority)[PriorityName];
