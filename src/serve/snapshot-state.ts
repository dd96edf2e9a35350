import { ContextBuilder, type ContractStanding, type OrderState } from '../sim/context.js';
import type { World } from '../sim/model/world.js';
import { NetworkState } from '../sim/network-state.js';
import { KIND_INDEX } from '../sim/model/world.js';
import type { Decision, DecisionContext } from '../sim/policies/contract.js';
import type { ValidContract, ValidOrder, ValidSnapshot } from './validate.js';

/** States kept for reuse per world (a request takes one and gives it back). */
const POOL_SIZE = 8;

/**
 * A request's snapshot as the simulator's `NetworkState`, and the contexts of its
 * orders from the simulator's `ContextBuilder`: the service builds no context of
 * its own. Stock, inbound, inventory age, outages and capacity come from the
 * snapshot; pending units from the request's orders (or the lines' own
 * `pending_units`); lanes, costs and forecasts from the world.
 *
 * Fields the request may leave out take documented defaults (docs/serve.md):
 * pending units = the units of the request's orders still waiting, by segment
 * kind; contract standings = per field, the order's own `contract` position (its
 * segment only), else the snapshot's `contracts` entry for the segment, else nothing
 * ordered or filled yet, the period ending on the next multiple of its length.
 * Every context lists every contract segment's standing (`ctx.contracts`), as the
 * simulator's do.
 *
 * `take` applies a decision to the state (stock reserved, pending units placed,
 * a contract segment's allocated units counted as filled, as a simulator wave
 * counts them), so the next order of a wave sees what is left. The standings a
 * request gives are as of `now_hours`, before any of its orders is decided. A state is pooled per world:
 * `open` takes one, `close` gives it back.
 */
export class SnapshotState {
  private static readonly pools = new WeakMap<World, SnapshotState[]>();
  private readonly state: NetworkState;
  private readonly builder: ContextBuilder;
  private snap: ValidSnapshot | null = null;
  /** Units this request's decided orders allocated, by segment (added to contract standings' filled units). */
  private readonly filled: Float64Array;

  private constructor(private readonly world: World) {
    this.state = new NetworkState(world.scenario.warehouses.length, world.skus.length);
    this.builder = new ContextBuilder(world, this.state, false);
    this.filled = new Float64Array(world.scenario.segments.length);
  }

  /** A state holding `snap`, with `orders` waiting. */
  static open(world: World, snap: ValidSnapshot, orders: readonly ValidOrder[]): SnapshotState {
    const st = SnapshotState.pools.get(world)?.pop() ?? new SnapshotState(world);
    st.load(snap, orders);
    return st;
  }

  /** Gives the state back for reuse; it must not be used afterwards. */
  close(): void {
    this.snap = null;
    let pool = SnapshotState.pools.get(this.world);
    if (!pool) SnapshotState.pools.set(this.world, (pool = []));
    if (pool.length < POOL_SIZE) pool.push(this);
  }

  private load(snap: ValidSnapshot, orders: readonly ValidOrder[]): void {
    const st = this.state;
    const S = st.S;
    st.clear();
    this.filled.fill(0);
    this.snap = snap;
    const now = snap.nowHours;
    for (let w = 0; w < st.W; w++) {
      const v = snap.warehouses[w]!;
      st.setOutage(w, v.outage);
      st.capacity.leftToday[w] = v.capacityLeftToday;
      st.capacity.shipDelayHours[w] = v.shipDelayHours;
    }
    for (const [key, cell] of snap.cells) {
      const w = Math.floor(key / S);
      const s = key - w * S;
      st.setStock(w, s, cell.available, cell.inventoryAgeHours, now);
      for (const b of cell.inbound) st.addInbound(w, s, b.quantity, now + b.etaHours, now);
    }
    const kinds = this.world.scenario.segments;
    for (const o of orders) {
      const home = this.world.homeWarehouse[o.region]!;
      const kind = KIND_INDEX[kinds[o.segment]!.kind];
      for (const l of o.lines) st.addPending(home, l.sku, kind, l.quantity);
    }
  }

  /** The decision context of `order` in the current state. */
  context(order: ValidOrder): DecisionContext {
    const snap = this.snap!;
    return this.builder.build(orderState(order), snap.nowHours, snap.hoursLeft, { standing: (g) => this.standing(g, g === order.segment ? order.contract : undefined) });
  }

  /**
   * Segment `g`'s standing, or undefined when it has no contract terms: each field
   * from `own` (the order's own position, more specific), else the snapshot's entry
   * for the segment, else its default; filled units plus what earlier orders of this
   * request were allocated.
   */
  private standing(g: number, own?: ValidContract): ContractStanding | undefined {
    const terms = this.world.scenario.segments[g]!.contract;
    if (!terms) return undefined;
    const snap = this.snap!;
    const given = snap.contracts.get(g);
    const period = terms.periodDays * 24;
    return {
      orderedUnits: own?.orderedUnits ?? given?.orderedUnits ?? 0,
      filledUnits: (own?.filledUnits ?? given?.filledUnits ?? 0) + this.filled[g]!,
      hoursToPeriodEnd: own?.hoursToPeriodEnd ?? given?.hoursToPeriodEnd ?? period - (snap.nowHours % period),
    };
  }

  /** Applies `decision` for `order`: its allocations leave the stock and the pending units, and count as its segment's filled units. */
  take(order: ValidOrder, decision: Decision): void {
    const st = this.state;
    const home = this.world.homeWarehouse[order.region]!;
    const kind = KIND_INDEX[this.world.scenario.segments[order.segment]!.kind];
    for (let i = 0; i < order.lines.length; i++) {
      const sku = order.lines[i]!.sku;
      for (const a of decision.lines[i]!.allocations) {
        st.reserve(this.world.warehouseIndex.get(a.warehouse)!, sku, a.quantity);
        st.addPending(home, sku, kind, -a.quantity);
        this.filled[order.segment] += a.quantity;
      }
    }
  }
}

/** A request's order as the context builder reads it: every unit still to place. */
export function orderState(o: ValidOrder): OrderState {
  return {
    id: o.id,
    segment: o.segment,
    region: o.region,
    createdHours: o.createdHours,
    serviceLevel: o.serviceLevel,
    lines: o.lines.map((l) => ({ sku: l.sku, remaining: l.quantity, unitPrice: l.unitPrice, pendingUnits: l.pendingUnits })),
  };
}
