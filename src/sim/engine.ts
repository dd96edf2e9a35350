import { Kernel } from './kernel/kernel.js';
import { Priority } from './kernel/priority.js';
import { RandomStreams, type Stream } from './kernel/random.js';
import { SimError } from './kernel/errors.js';
import { Ledger, EntryKind } from './ledger.js';
import { buildWorld, KIND_INDEX, laneTransitHours, type World } from './model/world.js';
import { DemandProcess } from './model/demand.js';
import type { Scenario } from './scenario/schema.js';
import {
  validateDecision,
  type Candidate,
  type ContractPosition,
  type Decision,
  type DecisionContext,
  type InboundView,
  type LineContext,
  type ModeOption,
  type PendingOrderView,
  type Policy,
} from './policies/contract.js';

const NO_INBOUND: readonly InboundView[] = Object.freeze([]);
const NO_MODES: readonly ModeOption[] = Object.freeze([]);

// Blank context objects, filled in by Simulation.buildContext. Their keys are in
// the contract's order, so every context has one shape and serialises alike.
function emptyContext(): DecisionContext {
  return {
    nowHours: 0,
    hoursLeft: 0,
    order: {
      id: '',
      segment: '',
      segmentKind: 'standard',
      serviceLevel: '',
      region: '',
      createdHours: 0,
      hoursWaited: 0,
      promiseHours: 0,
      patienceHours: 0,
      latePenaltyPerUnit: 0,
      lostSalePenaltyPerUnit: 0,
      contract: undefined,
      lines: [],
    },
  };
}

function emptyLine(): LineContext {
  return {
    sku: '',
    quantity: 0,
    unitPrice: 0,
    unitCost: 0,
    networkAvailable: 0,
    networkInbound: 0,
    pendingUnits: { contract: 0, premium: 0, standard: 0 },
    forecastDailyUnits: { contract: 0, premium: 0, standard: 0 },
    candidates: [],
  };
}

function emptyCandidate(): Candidate {
  return {
    warehouse: '',
    available: 0,
    inbound: NO_INBOUND,
    capacityLeftToday: 0,
    shipDelayHours: 0,
    outage: false,
    inventoryAgeHours: 0,
    distanceKm: 0,
    handlingCostPerUnit: 0,
    holdingCostPerUnitDay: 0,
    modes: NO_MODES,
  };
}

function emptyContract(): ContractPosition {
  return { committedUnits: 0, orderedUnits: 0, filledUnits: 0, fillRateTarget: 0, shortfallPenaltyPerUnit: 0, hoursToPeriodEnd: 0 };
}

/** The one set of context objects a simulation rewrites per order (see `Policy.transientContexts`). */
interface ContextSlots {
  ctx: DecisionContext;
  contract: ContractPosition;
  /** Line objects by line position. */
  lines: LineContext[];
  /** Candidate objects by line position, kept past a shorter list's length for the next order. */
  candidates: Candidate[][];
}

/** One line of a customer order inside the simulator. */
interface OrderLine {
  sku: number;
  quantity: number;
  remaining: number;
  unitPrice: number;
}

/** A customer order inside the simulator. */
interface SimOrder {
  index: number;
  id: string;
  segment: number;
  kind: number;
  region: number;
  createdHours: number;
  lines: OrderLine[];
  remaining: number;
  offered: boolean;
  escalated: boolean;
  /** Standard normal drawn at creation: the order's transit-time luck (common random numbers). */
  transitZ: number;
  /** Uniform drawn at creation: whether the carrier runs late for this order. */
  lateU: number;
}

interface Shipment {
  order: SimOrder;
  line: OrderLine;
  warehouse: number;
  quantity: number;
  /** Index into the lane's open modes. */
  laneMode: number;
}

interface Receipt {
  warehouse: number;
  sku: number;
  quantity: number;
  scheduled: boolean;
  /** Hour it lands. */
  eta: number;
}

/** Options of one simulation run. */
export interface RunOptions {
  seed: number;
  /** Override the scenario's horizon. */
  days?: number;
  /** Called after each simulated day with (daysDone, totalDays). */
  onProgress?: (done: number, total: number) => void;
  /**
   * External decisions: instead of calling the policy, the simulation stops at
   * every order that needs a decision (`nextDecision()`) and waits for `submit()`.
   * The policy's `rank` still orders each wave. Used by the learning environment.
   */
  external?: boolean;
}

/** Money accounts kept by the simulator as things happen, checked against the ledger. */
export interface Accounts {
  revenue: number;
  cogs: number;
  shippingCost: number;
  handlingCost: number;
  holdingCost: number;
  latePenalty: number;
  lostSalePenalty: number;
  contractPenalty: number;
}

/** Everything a finished run leaves behind. */
export interface SimResult {
  world: World;
  policyName: string;
  seed: number;
  days: number;
  ledger: Ledger;
  accounts: Accounts;
  /** Closing units on hand per warehouse × SKU ([w * S + s], the world's layout). */
  closingOnHand: Int32Array;
  /** Units still reserved (allocated, not shipped) at the end: 0 after the drain. */
  closingReserved: Int32Array;
  /** Unplaced units still waiting at the end. */
  openBackorderUnits: number;
  orders: number;
  events: number;
  wallSeconds: number;
}

/**
 * One discrete-event simulation of a warehouse network under one allocation
 * policy. Orders arrive (a Poisson or negative-binomial process per SKU × region ×
 * segment), wait for the next allocation wave, are offered to the policy as a
 * `DecisionContext`, picked within warehouse capacity, shipped, and delivered on
 * time or late. Stock is replenished by base-stock or (s,S) reviews with random
 * supplier lead times, plus scheduled inbound. Everything lands in the ledger.
 *
 * The horizon ends demand, waves and reviews; shipments already promised are then
 * drained so every allocated unit is delivered and booked.
 */
export class Simulation {
  readonly kernel = new Kernel(4096);
  readonly ledger: Ledger;
  readonly world: World;
  private readonly s: Scenario;
  private readonly policy: Policy;
  private readonly streams: RandomStreams;
  private readonly leadRng: Stream[];
  private readonly horizon: number;
  private readonly days: number;
  private readonly S: number;
  private readonly W: number;
  private readonly R: number;

  // Per SKU × warehouse state, index s * W + w: the warehouses of one SKU sit side
  // by side, which is how contexts read them (the world's static arrays are w * S + s).
  private readonly onHand: Int32Array;
  private readonly reserved: Int32Array;
  private readonly onOrder: Int32Array;
  private readonly pendingHome: Int32Array;
  private readonly receiptTime: Float64Array;
  private readonly pipeline: (Receipt[] | null)[];
  private readonly inboundCache: (readonly InboundView[] | null)[];
  private readonly inboundAt: Float64Array;
  // Per SKU.
  private readonly networkAvail: Int32Array;
  private readonly networkInbound: Int32Array;
  private readonly pendingByKind: Int32Array;
  private readonly demand: DemandProcess;
  // Per warehouse.
  private readonly outage: Uint8Array;
  private readonly outageDay: Uint8Array[];
  private readonly capUsed: Float64Array[];
  private readonly pickCursor: Int32Array;
  private readonly pickedToday: Float64Array;
  private readonly capViewAt: Float64Array;
  private readonly capLeftView: Float64Array;
  private readonly shipDelayView: Float64Array;
  // Per segment: contract period counters.
  private readonly contractOrdered: Float64Array;
  private readonly contractFilled: Float64Array;
  private readonly contractPeriodStart: Float64Array;

  private pending: SimOrder[] = [];
  private orderCount = 0;
  // Orders being offered right now, and what to do once they all have been.
  private queue: SimOrder[] | null = null;
  private cursor = 0;
  private afterQueue: (() => void) | null = null;
  private awaiting: { order: SimOrder; ctx: DecisionContext } | null = null;
  /** Context objects reused across orders, when the policy allows it; null: a fresh context per order. */
  private readonly slots: ContextSlots | null;
  private phase: 'new' | 'horizon' | 'drain' | 'done' = 'new';
  private readonly accounts: Accounts = {
    revenue: 0,
    cogs: 0,
    shippingCost: 0,
    handlingCost: 0,
    holdingCost: 0,
    latePenalty: 0,
    lostSalePenalty: 0,
    contractPenalty: 0,
  };

  constructor(world: World | Scenario, policy: Policy, private readonly options: RunOptions) {
    this.world = 'skus' in world && 'lanes' in world && 'homeWarehouse' in world ? (world as World) : buildWorld(world as Scenario);
    this.s = this.world.scenario;
    this.policy = policy;
    this.slots = policy.transientContexts === true && !options.external ? { ctx: emptyContext(), contract: emptyContract(), lines: [], candidates: [] } : null;
    if (!Number.isInteger(options.seed)) throw new SimError(`seed(=${options.seed}) must be an integer`);
    this.days = options.days ?? this.s.horizonDays;
    if (!(this.days > 0)) throw new SimError(`days(=${options.days}) must be > 0`);
    this.horizon = this.days * 24;
    this.streams = new RandomStreams(options.seed);
    this.S = this.world.skus.length;
    this.W = this.s.warehouses.length;
    this.R = this.s.regions.length;
    this.leadRng = this.s.warehouses.map((w) => this.streams.get(`leadTimes:${w.id}`));
    const cells = this.W * this.S;
    // Size the ledger for the expected run (nine to twelve entries an order line) so it
    // seldom has to grow: growing copies every column.
    const expectedOrders = this.s.demand.ordersPerDay * this.days;
    this.ledger = new Ledger(Math.min(1 << 27, Math.ceil(expectedOrders * 12 + this.days * (this.W + 3) + cells + 1024)));
    this.onHand = new Int32Array(cells);
    this.reserved = new Int32Array(cells);
    this.onOrder = new Int32Array(cells);
    this.pendingHome = new Int32Array(cells);
    this.receiptTime = new Float64Array(cells);
    // Filled by push: `new Array(cells)` of this size would be a slow dictionary array.
    this.pipeline = [];
    this.inboundCache = [];
    for (let c = 0; c < cells; c++) {
      this.pipeline.push(null);
      this.inboundCache.push(null);
    }
    this.inboundAt = new Float64Array(cells).fill(-1);
    this.networkAvail = new Int32Array(this.S);
    this.networkInbound = new Int32Array(this.S);
    this.pendingByKind = new Int32Array(this.S * 3);
    this.demand = new DemandProcess(this.world, this.streams, this.horizon);
    this.outage = new Uint8Array(this.W);
    this.pickCursor = new Int32Array(this.W);
    this.pickedToday = new Float64Array(this.W);
    this.capViewAt = new Float64Array(this.W).fill(-1);
    this.capLeftView = new Float64Array(this.W);
    this.shipDelayView = new Float64Array(this.W);
    const capDays = this.days + 30;
    this.capUsed = this.s.warehouses.map(() => new Float64Array(capDays));
    this.outageDay = this.s.warehouses.map((wh) => {
      const mask = new Uint8Array(capDays + 3650);
      for (const o of wh.outages) {
        for (let d = Math.floor(o.startDay); d < Math.ceil(o.endDay) && d < mask.length; d++) mask[d] = 1;
      }
      return mask;
    });
    const G = this.s.segments.length;
    this.contractOrdered = new Float64Array(G);
    this.contractFilled = new Float64Array(G);
    this.contractPeriodStart = new Float64Array(G);
  }

  /** Runs the whole horizon, then drains shipments in flight. Call once. */
  run(): SimResult {
    if (this.options.external) throw new SimError('an external-decision simulation is driven by nextDecision()/submit()');
    this.start();
    const started = performance.now();
    const k = this.kernel;
    for (let d = 1; d <= this.days; d++) {
      k.run({ until: Math.min(d * 24, this.horizon) });
      this.options.onProgress?.(d, this.days);
    }
    // Drain: only shipments and deliveries remain after the horizon.
    k.run();
    this.phase = 'done';
    return this.finish((performance.now() - started) / 1000);
  }

  /** Schedules the horizon's events. Called once, by `run()` or the first `nextDecision()`. */
  start(): void {
    if (this.phase !== 'new') throw new SimError('a Simulation starts once; create a new one');
    this.phase = 'horizon';
    this.open();
  }

  /**
   * External mode: runs the simulation until an order needs a decision and returns
   * its context, or null once the horizon is over and shipments have drained.
   * Every context returned must be answered with `submit()` before the next call.
   */
  nextDecision(): DecisionContext | null {
    if (!this.options.external) throw new SimError('nextDecision() needs the external option');
    if (this.awaiting) throw new SimError(`submit() the decision for order ${this.awaiting.order.id} first`);
    if (this.phase === 'new') this.start();
    const k = this.kernel;
    for (;;) {
      if (this.queue) {
        const now = k.now;
        while (this.cursor < this.queue.length) {
          const o = this.queue[this.cursor++]!;
          if (o.remaining <= 0) continue;
          if (!this.hasStock(o)) {
            this.markOffered(o, now);
            continue;
          }
          const ctx = this.buildContext(o, now);
          this.awaiting = { order: o, ctx };
          return ctx;
        }
        const after = this.afterQueue!;
        this.queue = null;
        this.afterQueue = null;
        after();
        continue;
      }
      if (this.phase === 'horizon') {
        if (k.run({ until: this.horizon })) continue;
        this.phase = 'drain';
      }
      if (this.phase === 'drain') {
        k.run();
        this.phase = 'done';
      }
      return null;
    }
  }

  /** External mode: applies the decision for the context `nextDecision()` returned. */
  submit(decision: Decision): void {
    const a = this.awaiting;
    if (!a) throw new SimError('submit() without a pending decision: call nextDecision() first');
    validateDecision(a.ctx, decision);
    this.awaiting = null;
    this.apply(a.order, decision, this.kernel.now);
    this.markOffered(a.order, this.kernel.now);
  }

  /** The result of a finished run (after `run()`, or after `nextDecision()` returned null). */
  finish(wallSeconds = 0): SimResult {
    if (this.phase !== 'done') throw new SimError('finish() before the run is over');
    return {
      world: this.world,
      policyName: this.policy.name,
      seed: this.options.seed,
      days: this.days,
      ledger: this.ledger,
      accounts: { ...this.accounts },
      closingOnHand: this.toWorldLayout(this.onHand),
      closingReserved: this.toWorldLayout(this.reserved),
      openBackorderUnits: this.pending.reduce((a, o) => a + o.remaining, 0),
      orders: this.orderCount,
      events: this.kernel.processed,
      wallSeconds,
    };
  }

  private toWorldLayout(a: Int32Array): Int32Array {
    const { W, S } = this;
    const out = new Int32Array(W * S);
    for (let s = 0; s < S; s++) for (let w = 0; w < W; w++) out[w * S + s] = a[s * W + w]!;
    return out;
  }

  /**
   * Offers `orders` in sequence, then runs `after`. Internally the policy decides
   * on the spot; in external mode the kernel stops and `nextDecision()` hands the
   * orders out one by one.
   */
  private offerAll(orders: SimOrder[], after: () => void): void {
    if (!this.options.external) {
      for (let i = 0; i < orders.length; i++) if (orders[i]!.remaining > 0) this.offer(orders[i]!);
      after();
      return;
    }
    this.queue = orders;
    this.cursor = 0;
    this.afterQueue = after;
    this.kernel.stop();
  }

  // ---------------------------------------------------------------- setup

  private open(): void {
    const { W, S } = this;
    const k = this.kernel;
    for (let w = 0; w < W; w++) {
      for (let s = 0; s < S; s++) {
        const q = this.world.initialStock[w * S + s]!;
        if (q > 0) {
          this.onHand[s * W + w] = q;
          this.networkAvail[s] += q;
          this.ledger.append(EntryKind.OPENING, 0, -1, s, w, -1, -1, q, 0);
        }
      }
      for (const o of this.s.warehouses[w]!.outages) {
        if (o.startDay * 24 < this.horizon) {
          k.at(o.startDay * 24, Priority.SUPPLY, this.outageStart, w);
          k.at(Math.min(o.endDay * 24, this.horizon), Priority.SUPPLY, this.outageEnd, w);
        }
      }
    }
    for (const b of this.s.inbound) {
      if (b.day * 24 >= this.horizon || b.quantity === 0) continue;
      const w = this.world.warehouseIndex.get(b.warehouse)!;
      const s = this.world.skuIndex.get(b.sku)!;
      const r: Receipt = { warehouse: w, sku: s, quantity: b.quantity, scheduled: true, eta: b.day * 24 };
      this.addPipeline(r);
      k.at(b.day * 24, Priority.SUPPLY, this.receive, r);
    }
    for (let d = 0; d < this.days; d++) {
      k.at(d * 24, Priority.SUPPLY, this.demandDay, d);
      k.at(Math.min((d + 1) * 24, this.horizon), Priority.CLOSE, this.closeDay, d);
    }
    if (this.s.waveIntervalHours > 0) k.at(0, Priority.WAVE, this.wave);
    if (this.s.replenishment.review === 'periodic') k.at(0, Priority.REVIEW, this.review);
  }

  // ---------------------------------------------------------------- demand

  /**
   * Draws the day's orders (see `DemandProcess`) and schedules their arrivals.
   * Each arrival is its own event, scheduled in draw order: the heap's (time,
   * priority, sequence) key then runs them by time, ties in draw order, without
   * a sort of the day's orders.
   */
  private readonly demandDay = (day: number): void => {
    const segments = this.s.segments;
    const k = this.kernel;
    this.demand.drawDay(day, (sku, region, segment, qty, at, unitPrice, transitZ, lateU) => {
      const index = this.orderCount++;
      const o: SimOrder = {
        index,
        id: `O${index}`,
        segment,
        kind: KIND_INDEX[segments[segment]!.kind],
        region,
        createdHours: at,
        lines: [{ sku, quantity: qty, remaining: qty, unitPrice }],
        remaining: qty,
        offered: false,
        escalated: false,
        transitZ,
        lateU,
      };
      k.at(at, Priority.ARRIVAL, this.arrive, o);
    });
  };

  private readonly arrive = (o: SimOrder): void => {
    const now = this.kernel.now;
    const home = this.world.homeWarehouse[o.region]!;
    const seg = this.s.segments[o.segment]!;
    for (const l of o.lines) {
      this.ledger.append(EntryKind.ORDER, now, o.index, l.sku, -1, o.segment, -1, l.quantity, l.quantity * l.unitPrice);
      this.pendingHome[l.sku * this.W + home] += l.quantity;
      this.pendingByKind[l.sku * 3 + o.kind] += l.quantity;
    }
    if (seg.contract) this.contractOrdered[o.segment] += o.remaining;
    this.pending.push(o);
    if (this.s.waveIntervalHours === 0) {
      if (this.s.replenishment.review === 'continuous') for (const l of o.lines) this.reviewCell(home, l.sku);
      this.offerAll([o], this.compactPending);
    }
  };

  // ---------------------------------------------------------------- allocation

  private readonly wave = (): void => {
    const now = this.kernel.now;
    this.expireAndEscalate(now);
    const policy = this.policy;
    let queue = this.pending.slice();
    if (policy.rank) {
      const keyed = queue.map((o) => ({ o, key: policy.rank!(this.pendingView(o)) }));
      keyed.sort((a, b) => a.key - b.key || a.o.createdHours - b.o.createdHours || a.o.index - b.o.index);
      queue = keyed.map((x) => x.o);
    }
    this.offerAll(queue, this.endWave);
  };

  private readonly endWave = (): void => {
    this.compactPending();
    const next = this.kernel.now + this.s.waveIntervalHours;
    if (next < this.horizon) this.kernel.at(next, Priority.WAVE, this.wave);
  };

  private pendingView(o: SimOrder): PendingOrderView {
    let margin = 0;
    for (const l of o.lines) margin += l.remaining * (l.unitPrice - this.world.skus[l.sku]!.unitCost);
    return { id: o.id, segmentKind: this.world.segmentKinds[o.segment]!, createdHours: o.createdHours, marginAtStake: margin, unitsRemaining: o.remaining };
  }

  private readonly compactPending = (): void => {
    let j = 0;
    const p = this.pending;
    for (let i = 0; i < p.length; i++) if (p[i]!.remaining > 0) p[j++] = p[i]!;
    p.length = j;
  };

  private hasStock(o: SimOrder): boolean {
    for (const l of o.lines) if (l.remaining > 0 && this.networkAvail[l.sku]! > 0) return true;
    return false;
  }

  /** Offers one order to the policy and applies its decision. */
  private offer(o: SimOrder): void {
    const now = this.kernel.now;
    if (this.hasStock(o)) {
      const ctx = this.buildContext(o, now);
      let decision: Decision;
      try {
        decision = this.policy.decide(ctx);
      } catch (err) {
        throw new SimError(`policy ${this.policy.name} failed on order ${o.id} at hour ${now.toFixed(2)}: ${(err as Error).message}`, { cause: err });
      }
      validateDecision(ctx, decision);
      this.apply(o, decision, now);
    }
    this.markOffered(o, now);
  }

  /** After an order's first offer, books what could not be placed as backordered. */
  private markOffered(o: SimOrder, now: number): void {
    if (o.offered) return;
    o.offered = true;
    for (const l of o.lines) {
      if (l.remaining > 0) this.ledger.append(EntryKind.BACKORDER, now, o.index, l.sku, -1, o.segment, -1, l.remaining, 0);
    }
  }

  /**
   * Builds the policy's view of an order from the current state. When the policy
   * declares its contexts transient (and decisions are not external), the same
   * objects are rewritten for every order instead of allocated afresh: contexts
   * were about half of the garbage the simulator made per order.
   */
  private buildContext(o: SimOrder, now: number): DecisionContext {
    const { R, W } = this;
    const slots = this.slots;
    const seg = this.s.segments[o.segment]!;
    const ctx = slots ? slots.ctx : emptyContext();
    const order = ctx.order;
    const lines = order.lines as LineContext[];
    const nLines = o.lines.length;
    const base = this.world.baseUnitsBySkuKind;
    for (let li = 0; li < nLines; li++) {
      const l = o.lines[li]!;
      const line = slots ? (slots.lines[li] ??= emptyLine()) : emptyLine();
      const pool = slots ? (slots.candidates[li] ??= []) : null;
      const candidates = line.candidates as Candidate[];
      let n = 0;
      if (l.remaining > 0) {
        const byDistance = this.world.warehousesByDistance[o.region]!;
        const limit = this.s.candidateLimit > 0 ? this.s.candidateLimit : W;
        const unitCost = this.world.skus[l.sku]!.unitCost;
        for (let i = 0; i < W && n < limit; i++) {
          const w = byDistance[i]!;
          if (this.outage[w]) continue;
          const c = l.sku * W + w;
          const avail = this.onHand[c]! - this.reserved[c]!;
          if (avail <= 0) continue;
          const lane = this.world.lanes[w * R + o.region]!;
          if (lane.modes.length === 0) continue;
          const wh = this.s.warehouses[w]!;
          this.refreshCapacityView(w, now);
          const cand = pool ? (pool[n] ??= emptyCandidate()) : emptyCandidate();
          cand.warehouse = wh.id;
          cand.available = avail;
          cand.inbound = this.inboundView(c, now);
          cand.capacityLeftToday = this.capLeftView[w]!;
          cand.shipDelayHours = this.shipDelayView[w]!;
          cand.outage = false;
          cand.inventoryAgeHours = now - this.receiptTime[c]!;
          cand.distanceKm = lane.distanceKm;
          cand.handlingCostPerUnit = wh.handlingCostPerUnit;
          cand.holdingCostPerUnitDay = (unitCost * wh.holdingCostRatePerYear) / 365;
          cand.modes = lane.modes;
          candidates[n++] = cand;
        }
      }
      if (candidates.length !== n) candidates.length = n;
      const sku = this.world.skus[l.sku]!;
      const f = this.demand.factor[l.sku]!;
      line.sku = sku.id;
      line.quantity = l.remaining;
      line.unitPrice = l.unitPrice;
      line.unitCost = sku.unitCost;
      line.networkAvailable = this.networkAvail[l.sku]!;
      line.networkInbound = this.networkInbound[l.sku]!;
      const p = line.pendingUnits;
      p.contract = this.pendingByKind[l.sku * 3]!;
      p.premium = this.pendingByKind[l.sku * 3 + 1]!;
      p.standard = this.pendingByKind[l.sku * 3 + 2]!;
      // forecastDailyUnits(), written in place.
      const fc = line.forecastDailyUnits;
      fc.contract = base[l.sku * 3]! * f;
      fc.premium = base[l.sku * 3 + 1]! * f;
      fc.standard = base[l.sku * 3 + 2]! * f;
      lines[li] = line;
    }
    if (lines.length !== nLines) lines.length = nLines;
    ctx.nowHours = now;
    ctx.hoursLeft = Math.max(0, this.horizon - now);
    order.id = o.id;
    order.segment = seg.id;
    order.segmentKind = seg.kind;
    order.serviceLevel = seg.serviceLevel;
    order.region = this.s.regions[o.region]!.id;
    order.createdHours = o.createdHours;
    order.hoursWaited = now - o.createdHours;
    order.promiseHours = seg.promiseHours;
    order.patienceHours = seg.patienceHours;
    order.latePenaltyPerUnit = seg.latePenaltyPerUnit;
    order.lostSalePenaltyPerUnit = seg.lostSalePenaltyPerUnit;
    const ct = seg.contract;
    if (ct) {
      const cp = slots ? slots.contract : emptyContract();
      cp.committedUnits = ct.committedUnitsPerPeriod;
      cp.orderedUnits = this.contractOrdered[o.segment]!;
      cp.filledUnits = this.contractFilled[o.segment]!;
      cp.fillRateTarget = ct.fillRateTarget;
      cp.shortfallPenaltyPerUnit = ct.shortfallPenaltyPerUnit;
      cp.hoursToPeriodEnd = Math.max(0, this.contractPeriodStart[o.segment]! + ct.periodDays * 24 - now);
      order.contract = cp;
    } else order.contract = undefined;
    return ctx;
  }

  /**
   * The inbound view of a cell at `now`. Views are frozen and cached per cell until
   * time moves or the cell's pipeline changes: the orders of one wave share them.
   * With transient contexts nobody holds a view past a decision, so each cell's
   * view is one array rewritten in place.
   */
  private inboundView(c: number, now: number): readonly InboundView[] {
    const p = this.pipeline[c];
    if (!p || p.length === 0) return NO_INBOUND;
    if (this.inboundAt[c] === now) return this.inboundCache[c]!;
    this.inboundAt[c] = now;
    if (this.slots) {
      let view = this.inboundCache[c] as InboundView[] | null;
      if (!view) view = [];
      for (let i = 0; i < p.length; i++) {
        const r = p[i]!;
        const v = view[i];
        if (v) {
          v.quantity = r.quantity;
          v.etaHours = Math.max(0, r.eta - now);
        } else view.push({ quantity: r.quantity, etaHours: Math.max(0, r.eta - now) });
      }
      if (view.length !== p.length) view.length = p.length;
      this.inboundCache[c] = view;
      return view;
    }
    const view = Object.freeze(p.map((r) => Object.freeze({ quantity: r.quantity, etaHours: Math.max(0, r.eta - now) })));
    this.inboundCache[c] = view;
    return view;
  }

  /**
   * Capacity left today and the ship delay of a warehouse change only when time
   * moves or capacity is booked there, so they are cached per warehouse and
   * recomputed on either (the shortlist of a large network asks for them a lot).
   */
  private refreshCapacityView(w: number, now: number): void {
    if (this.capViewAt[w] === now) return;
    this.capViewAt[w] = now;
    const day = Math.floor(now / 24);
    const cap = this.s.warehouses[w]!.pickCapacityPerDay;
    this.capLeftView[w] = this.outageDay[w]![day] ? 0 : Math.max(0, cap - this.capAt(w, day));
    const first = this.firstPickDay(w, day);
    const pick = this.s.warehouses[w]!.pickHours;
    this.shipDelayView[w] = first === day ? pick : first * 24 + pick - now;
  }

  private capAt(w: number, day: number): number {
    const a = this.capUsed[w]!;
    return day < a.length ? a[day]! : 0;
  }

  private firstPickDay(w: number, day: number): number {
    const cap = this.s.warehouses[w]!.pickCapacityPerDay;
    let d = Math.max(day, this.pickCursor[w]!);
    while (this.outageDay[w]![d] || this.capAt(w, d) >= cap) d++;
    return d;
  }

  /** Books picking capacity for q units from `day` on; returns the day the last unit is picked. */
  private bookCapacity(w: number, day: number, q: number): number {
    const cap = this.s.warehouses[w]!.pickCapacityPerDay;
    let d = this.firstPickDay(w, day);
    let left = q;
    for (;;) {
      if (this.outageDay[w]![d]) {
        d++;
        continue;
      }
      if (d >= this.capUsed[w]!.length) {
        const bigger = new Float64Array(Math.max(d + 1, this.capUsed[w]!.length * 2));
        bigger.set(this.capUsed[w]!);
        this.capUsed[w] = bigger;
      }
      const used = this.capUsed[w]!;
      const take = Math.min(cap - used[d]!, left);
      used[d] += take;
      left -= take;
      if (left <= 0) break;
      d++;
    }
    if (day >= this.pickCursor[w]!) this.pickCursor[w] = this.capAt(w, d) >= cap ? d + 1 : d;
    this.capViewAt[w] = -1;
    return d;
  }

  private apply(o: SimOrder, decision: Decision, now: number): void {
    const { S, R } = this;
    const home = this.world.homeWarehouse[o.region]!;
    const isContract = this.s.segments[o.segment]!.contract !== undefined;
    for (let i = 0; i < o.lines.length; i++) {
      const l = o.lines[i]!;
      const d = decision.lines[i]!;
      for (const a of d.allocations) {
        const w = this.world.warehouseIndex.get(a.warehouse)!;
        const c = l.sku * this.W + w;
        const q = a.quantity;
        this.reserved[c] += q;
        this.networkAvail[l.sku] -= q;
        this.pendingHome[l.sku * this.W + home] -= q;
        this.pendingByKind[l.sku * 3 + o.kind] -= q;
        l.remaining -= q;
        o.remaining -= q;
        if (isContract) this.contractFilled[o.segment] += q;
        const lane = this.world.lanes[w * R + o.region]!;
        let laneMode = 0;
        while (lane.modes[laneMode]!.mode !== a.mode) laneMode++;
        this.ledger.append(EntryKind.ALLOCATE, now, o.index, l.sku, w, o.segment, lane.modeIndex[laneMode]!, q, 0);
        const today = Math.floor(now / 24);
        const lastDay = this.bookCapacity(w, today, q);
        const pick = this.s.warehouses[w]!.pickHours;
        const shipAt = lastDay === today ? now + pick : lastDay * 24 + pick;
        const sh: Shipment = { order: o, line: l, warehouse: w, quantity: q, laneMode };
        this.kernel.at(shipAt, Priority.FLOW, this.ship, sh);
        if (this.s.replenishment.review === 'continuous') {
          this.reviewCell(w, l.sku);
          if (w !== home) this.reviewCell(home, l.sku);
        }
      }
    }
  }

  // ---------------------------------------------------------------- fulfilment

  private readonly ship = (sh: Shipment): void => {
    const now = this.kernel.now;
    const { order: o, line: l, warehouse: w, quantity: q } = sh;
    const c = l.sku * this.W + w;
    const lane = this.world.lanes[w * this.R + o.region]!;
    const mode = lane.modes[sh.laneMode]!;
    const modeIdx = lane.modeIndex[sh.laneMode]!;
    const sku = this.world.skus[l.sku]!;
    const wh = this.s.warehouses[w]!;
    this.onHand[c] -= q;
    this.reserved[c] -= q;
    const day = Math.floor(now / 24);
    if (day < this.days) this.pickedToday[w] += q;
    const led = this.ledger;
    led.append(EntryKind.PICK, now, o.index, l.sku, w, o.segment, modeIdx, q, 0);
    led.append(EntryKind.SHIP, now, o.index, l.sku, w, o.segment, modeIdx, q, 0);
    const cogs = q * sku.unitCost;
    const shipping = q * mode.costPerUnit;
    const handling = q * wh.handlingCostPerUnit;
    led.append(EntryKind.COGS, now, o.index, l.sku, w, o.segment, modeIdx, q, cogs);
    led.append(EntryKind.SHIPPING_COST, now, o.index, l.sku, w, o.segment, modeIdx, q, shipping);
    led.append(EntryKind.HANDLING_COST, now, o.index, l.sku, w, o.segment, modeIdx, q, handling);
    this.accounts.cogs += cogs;
    this.accounts.shippingCost += shipping;
    this.accounts.handlingCost += handling;
    // Transit driven by the order's own draws (common random numbers).
    this.kernel.at(now + laneTransitHours(lane, sh.laneMode, o.transitZ, o.lateU), Priority.FLOW, this.deliver, sh);
  };

  private readonly deliver = (sh: Shipment): void => {
    const now = this.kernel.now;
    const { order: o, line: l, warehouse: w, quantity: q } = sh;
    const seg = this.s.segments[o.segment]!;
    const lane = this.world.lanes[w * this.R + o.region]!;
    const modeIdx = lane.modeIndex[sh.laneMode]!;
    const onTime = now <= o.createdHours + seg.promiseHours + 1e-9;
    const led = this.ledger;
    led.append(EntryKind.DELIVER, now, o.index, l.sku, w, o.segment, modeIdx, q, 0, now - o.createdHours, onTime ? 1 : 0);
    const revenue = q * l.unitPrice;
    led.append(EntryKind.REVENUE, now, o.index, l.sku, w, o.segment, modeIdx, q, revenue);
    this.accounts.revenue += revenue;
    if (!onTime && seg.latePenaltyPerUnit > 0) {
      const pen = q * seg.latePenaltyPerUnit;
      led.append(EntryKind.PENALTY_LATE, now, o.index, l.sku, w, o.segment, modeIdx, q, pen);
      this.accounts.latePenalty += pen;
    }
  };

  // ---------------------------------------------------------------- supply

  private addPipeline(r: Receipt): void {
    const c = r.sku * this.W + r.warehouse;
    // Kept in ETA order, a later receipt after earlier ones with the same ETA.
    const p = (this.pipeline[c] ??= []);
    let i = p.length;
    p.push(r);
    while (i > 0 && p[i - 1]!.eta > r.eta) {
      p[i] = p[i - 1]!;
      i--;
    }
    p[i] = r;
    this.inboundAt[c] = -1;
    this.networkInbound[r.sku] += r.quantity;
  }

  private readonly receive = (r: Receipt): void => {
    const now = this.kernel.now;
    const w = r.warehouse;
    const c = r.sku * this.W + w;
    const p = this.pipeline[c]!;
    p.splice(p.indexOf(r), 1);
    this.inboundAt[c] = -1;
    if (p.length === 0) this.pipeline[c] = null;
    this.networkInbound[r.sku] -= r.quantity;
    const before = this.onHand[c]!;
    this.onHand[c] = before + r.quantity;
    // Average-cost style age: the receipt time moves to the quantity-weighted mean.
    this.receiptTime[c] = before > 0 ? (this.receiptTime[c]! * before + now * r.quantity) / (before + r.quantity) : now;
    if (!r.scheduled) this.onOrder[c] -= r.quantity;
    if (!this.outage[w]) this.networkAvail[r.sku] += r.quantity;
    this.ledger.append(EntryKind.RECEIPT, now, -1, r.sku, w, -1, -1, r.quantity, 0, 0, r.scheduled ? 1 : 0);
    if (this.s.waveIntervalHours === 0) {
      const waiting = this.pending.filter((o) => o.remaining > 0 && o.lines.some((l) => l.sku === r.sku && l.remaining > 0));
      if (waiting.length > 0) this.offerAll(waiting, this.compactPending);
    }
  };

  private readonly review = (): void => {
    const { W, S } = this;
    for (let w = 0; w < W; w++) for (let s = 0; s < S; s++) this.reviewCell(w, s);
    const next = this.kernel.now + this.s.replenishment.reviewHours;
    if (next < this.horizon) this.kernel.at(next, Priority.REVIEW, this.review);
  };

  /** Base-stock or (s,S) check of one warehouse × SKU; orders up to S when due. */
  private reviewCell(w: number, s: number): void {
    if (!this.world.skus[s]!.replenish) return;
    const c = s * this.W + w;
    const S = this.world.orderUpTo[w * this.S + s]!;
    if (S <= 0) return;
    const ip = this.onHand[c]! - this.reserved[c]! + this.onOrder[c]! - this.pendingHome[c]!;
    const rp = this.s.replenishment;
    const due = rp.policy === 'base-stock' ? ip < S : ip <= this.world.reorderPoint[w * this.S + s]!;
    if (!due || S - ip <= 0) return;
    const q = S - ip;
    const now = this.kernel.now;
    const lead = this.leadRng[w]!.duration(rp.leadTimeHours, rp.leadTimeCv);
    this.onOrder[c] += q;
    this.ledger.append(EntryKind.PURCHASE, now, -1, s, w, -1, -1, q, 0, lead);
    const r: Receipt = { warehouse: w, sku: s, quantity: q, scheduled: false, eta: now + lead };
    this.addPipeline(r);
    this.kernel.at(now + lead, Priority.SUPPLY, this.receive, r);
  }

  private readonly outageStart = (w: number): void => {
    if (this.outage[w]) return;
    this.outage[w] = 1;
    for (let s = 0; s < this.S; s++) {
      const c = s * this.W + w;
      this.networkAvail[s] -= this.onHand[c]! - this.reserved[c]!;
    }
  };

  private readonly outageEnd = (w: number): void => {
    if (!this.outage[w]) return;
    this.outage[w] = 0;
    for (let s = 0; s < this.S; s++) {
      const c = s * this.W + w;
      this.networkAvail[s] += this.onHand[c]! - this.reserved[c]!;
    }
  };

  // ---------------------------------------------------------------- bookkeeping

  private expireAndEscalate(now: number): void {
    const S = this.S;
    for (const o of this.pending) {
      if (o.remaining <= 0) continue;
      const seg = this.s.segments[o.segment]!;
      const waited = now - o.createdHours;
      if (waited >= seg.patienceHours) {
        const home = this.world.homeWarehouse[o.region]!;
        for (const l of o.lines) {
          if (l.remaining <= 0) continue;
          this.ledger.append(EntryKind.LOST_SALE, now, o.index, l.sku, -1, o.segment, -1, l.remaining, l.remaining * l.unitPrice);
          if (seg.lostSalePenaltyPerUnit > 0) {
            const pen = l.remaining * seg.lostSalePenaltyPerUnit;
            this.ledger.append(EntryKind.PENALTY_LOST_SALE, now, o.index, l.sku, -1, o.segment, -1, l.remaining, pen);
            this.accounts.lostSalePenalty += pen;
          }
          this.pendingHome[l.sku * this.W + home] -= l.remaining;
          this.pendingByKind[l.sku * 3 + o.kind] -= l.remaining;
          l.remaining = 0;
        }
        o.remaining = 0;
      } else if (!o.escalated && waited >= seg.escalationHours) {
        o.escalated = true;
        this.ledger.append(EntryKind.ESCALATION, now, o.index, -1, -1, o.segment, -1, o.remaining, 0);
      }
    }
  }

  private readonly closeDay = (day: number): void => {
    const now = this.kernel.now;
    const { W, S } = this;
    const led = this.ledger;
    if (this.s.waveIntervalHours === 0) {
      this.expireAndEscalate(now);
      this.compactPending();
    }
    for (let w = 0; w < W; w++) {
      const wh = this.s.warehouses[w]!;
      let units = 0;
      let value = 0;
      let ageUnits = 0;
      let stockouts = 0;
      for (let s = 0; s < S; s++) {
        const c = s * W + w;
        const q = this.onHand[c]!;
        const sku = this.world.skus[s]!;
        if (q > 0) {
          units += q;
          value += q * sku.unitCost;
          ageUnits += q * (now - this.receiptTime[c]!);
        } else if (sku.launchDay <= day && (this.world.orderUpTo[w * S + s]! > 0 || this.world.baseUnitsByCell[w * S + s]! > 0)) {
          stockouts++;
        }
      }
      const hold = (value * wh.holdingCostRatePerYear * ((now - day * 24) / 24)) / 365;
      led.append(EntryKind.SNAPSHOT, now, stockouts, this.pickedToday[w]!, w, -1, -1, units, value, units > 0 ? ageUnits / units : 0);
      this.pickedToday[w] = 0;
      if (hold > 0) {
        led.append(EntryKind.HOLDING_COST, now, -1, -1, w, -1, -1, units, hold);
        this.accounts.holdingCost += hold;
      }
    }
    let backlog = 0;
    for (const o of this.pending) backlog += o.remaining;
    led.append(EntryKind.BACKLOG, now, -1, -1, -1, -1, -1, backlog, 0);
    const last = day === this.days - 1;
    this.s.segments.forEach((seg, g) => {
      const ct = seg.contract;
      if (!ct) return;
      const periodEnd = this.contractPeriodStart[g]! + ct.periodDays * 24;
      if (now + 1e-9 < periodEnd && !last) return;
      const ordered = this.contractOrdered[g]!;
      const filled = this.contractFilled[g]!;
      led.append(EntryKind.CONTRACT_PERIOD, now, -1, -1, -1, g, -1, ordered, 0, filled);
      // The agreement covers orders up to the commitment: the target applies to those.
      const covered = Math.min(ordered, ct.committedUnitsPerPeriod);
      const short = Math.ceil(Math.max(0, ct.fillRateTarget * covered - Math.min(filled, covered)) - 1e-9);
      if (short > 0) {
        const pen = short * ct.shortfallPenaltyPerUnit;
        led.append(EntryKind.PENALTY_CONTRACT, now, -1, -1, -1, g, -1, short, pen);
        this.accounts.contractPenalty += pen;
      }
      this.contractOrdered[g] = 0;
      this.contractFilled[g] = 0;
      this.contractPeriodStart[g] = now;
    });
  };
}

/** Runs one simulation: the scenario (or a prebuilt world) under a policy on a seed. */
export function simulate(world: World | Scenario, policy: Policy, options: RunOptions): SimResult {
  return new Simulation(world, policy, options).run();
}
