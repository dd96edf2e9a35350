import { Kernel } from './kernel/kernel.js';
import { Priority } from './kernel/priority.js';
import { RandomStreams } from './kernel/random.js';
import { SimError } from './kernel/errors.js';
import { Ledger, EntryKind } from './ledger.js';
import { buildWorld, type World } from './model/world.js';
import type { Scenario } from './scenario/schema.js';
import { NetworkState } from './network-state.js';
import { RunTally } from './tally.js';
import { ContextBuilder, waveSequence } from './context.js';
import { Contracts } from './model/contracts.js';
import { Fulfilment, PickCalendar } from './model/fulfilment.js';
import { Orders, type SimOrder } from './model/orders.js';
import { Replenishment } from './model/replenishment.js';
import type { Accounts, Run } from './model/run.js';
import { validateDecision, type Decision, type DecisionContext, type Policy } from './policies/contract.js';

export type { Accounts } from './model/run.js';

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
  /**
   * False: keep no ledger entries, only the running sums `computeKpis` and
   * `reconcile` need (`RunTally`); for callers that want nothing else from the
   * ledger (benchmarks, evaluations). Memory then no longer grows with the
   * horizon. Default true.
   */
  keepLedger?: boolean;
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
 * policy: the event loop and the wiring of the world's processes (`model/`).
 * Orders arrive (`Orders`), wait for the next allocation wave (or are offered on
 * arrival), are offered to the policy as a `DecisionContext` built from the
 * network's state (`ContextBuilder` over `NetworkState`), then picked, shipped
 * and delivered (`Fulfilment`). Stock is replenished by base-stock or (s,S)
 * reviews with random supplier lead times, plus scheduled inbound
 * (`Replenishment`); contract periods are settled (`Contracts`). Everything
 * lands in the ledger.
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
  private readonly run_: Run;
  private readonly state: NetworkState;
  private readonly orders: Orders;
  private readonly fulfilment: Fulfilment;
  private readonly replenishment: Replenishment;
  private readonly contracts: Contracts;
  private readonly contexts: ContextBuilder;
  private readonly horizon: number;
  private readonly days: number;
  /** Allocation runs in waves (else each order is offered on arrival). */
  private readonly waves: boolean;

  // Orders being offered right now, and what to do once they all have been.
  private queue: readonly SimOrder[] | null = null;
  private cursor = 0;
  private afterQueue: (() => void) | null = null;
  private awaiting: { order: SimOrder; ctx: DecisionContext } | null = null;
  private phase: 'new' | 'horizon' | 'drain' | 'done' = 'new';

  constructor(world: World | Scenario, policy: Policy, private readonly options: RunOptions) {
    this.world = 'skus' in world && 'lanes' in world && 'homeWarehouse' in world ? (world as World) : buildWorld(world as Scenario);
    this.s = this.world.scenario;
    this.policy = policy;
    if (!Number.isInteger(options.seed)) throw new SimError(`seed(=${options.seed}) must be an integer`);
    this.days = options.days ?? this.s.horizonDays;
    if (!(this.days > 0)) throw new SimError(`days(=${options.days}) must be > 0`);
    this.horizon = this.days * 24;
    this.waves = this.s.waveIntervalHours > 0;
    const streams = new RandomStreams(options.seed);
    const W = this.s.warehouses.length;
    const S = this.world.skus.length;
    // Size the ledger for the expected run (nine to twelve entries an order line) so it
    // seldom has to grow: growing copies every column.
    const expectedOrders = this.s.demand.ordersPerDay * this.days;
    this.ledger =
      options.keepLedger === false
        ? new Ledger(0, new RunTally(this.world, this.days, expectedOrders * 1.1))
        : new Ledger(Math.min(1 << 27, Math.ceil(expectedOrders * 12 + this.days * (W + 3) + W * S + 1024)));
    this.state = new NetworkState(W, S, new PickCalendar(this.world, this.days));
    const accounts: Accounts = { revenue: 0, cogs: 0, shippingCost: 0, handlingCost: 0, holdingCost: 0, latePenalty: 0, lostSalePenalty: 0, contractPenalty: 0 };
    this.run_ = { world: this.world, kernel: this.kernel, ledger: this.ledger, state: this.state, accounts, days: this.days, horizon: this.horizon };
    this.contracts = new Contracts(this.run_);
    this.orders = new Orders(this.run_, streams, this.contracts, this.arrived);
    this.replenishment = new Replenishment(this.run_, streams, this.received);
    this.fulfilment = new Fulfilment(this.run_, this.state.capacity as PickCalendar, this.contracts, this.replenishment.onAllocated);
    // Policies decide on lent contexts (see `Policy`): one set of objects serves every
    // order. External callers keep theirs, so they get new ones.
    this.contexts = new ContextBuilder(this.world, this.state, !options.external);
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
            this.orders.markOffered(o, now);
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
    this.fulfilment.apply(a.order, decision, this.kernel.now);
    this.orders.markOffered(a.order, this.kernel.now);
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
      accounts: { ...this.run_.accounts },
      closingOnHand: this.toWorldLayout(this.state.onHand),
      closingReserved: this.toWorldLayout(this.state.reserved),
      openBackorderUnits: this.orders.backlog(),
      orders: this.orders.count,
      events: this.kernel.processed,
      wallSeconds,
    };
  }

  private toWorldLayout(a: Int32Array): Int32Array {
    const { W, S } = this.state;
    const out = new Int32Array(W * S);
    for (let s = 0; s < S; s++) for (let w = 0; w < W; w++) out[w * S + s] = a[s * W + w]!;
    return out;
  }

  /** Opening stock, outages, scheduled inbound, each day's demand and close, waves and reviews. */
  private open(): void {
    const { W, S } = this.state;
    const k = this.kernel;
    for (let w = 0; w < W; w++) {
      for (let s = 0; s < S; s++) {
        const q = this.world.initialStock[w * S + s]!;
        if (q > 0) {
          this.state.addStock(w, s, q, 0);
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
    this.replenishment.open();
    for (let d = 0; d < this.days; d++) {
      k.at(d * 24, Priority.SUPPLY, this.orders.drawDay, d);
      k.at(Math.min((d + 1) * 24, this.horizon), Priority.CLOSE, this.closeDay, d);
    }
    if (this.waves) k.at(0, Priority.WAVE, this.wave);
    this.replenishment.startReviews();
  }

  private readonly outageStart = (w: number): void => this.state.setOutage(w, true);
  private readonly outageEnd = (w: number): void => this.state.setOutage(w, false);

  /**
   * A booked arrival. Continuous review counts the demand at once, except for a
   * segment without patience: its demand is served from stock now or lost, so it
   * is reviewed when allocated (lost demand orders nothing, as in a loss system).
   * Without waves, or without patience, the order is offered now.
   */
  private readonly arrived = (o: SimOrder): void => {
    const patience = this.s.segments[o.segment]!.patienceHours;
    if (patience > 0) {
      const home = this.world.homeWarehouse[o.region]!;
      for (const l of o.lines) this.replenishment.onDemand(home, l.sku);
    }
    if (!this.waves || patience === 0) this.offerAll([o], this.orders.compact);
  };

  /** Without waves, stock that lands is offered to the orders waiting for its SKU. */
  private readonly received = (sku: number): void => {
    if (this.waves) return;
    const waiting = this.orders.pending.filter((o) => o.remaining > 0 && o.lines.some((l) => l.sku === sku && l.remaining > 0));
    if (waiting.length > 0) this.offerAll(waiting, this.orders.compact);
  };

  /** A wave: expiries and escalations, then every waiting order in the policy's sequence. */
  private readonly wave = (): void => {
    this.orders.expireAndEscalate(this.kernel.now);
    this.offerAll(waveSequence(this.world, this.orders.pending.slice(), this.policy), this.endWave);
  };

  private readonly endWave = (): void => {
    this.orders.compact();
    const next = this.kernel.now + this.s.waveIntervalHours;
    if (next < this.horizon) this.kernel.at(next, Priority.WAVE, this.wave);
  };

  /**
   * Offers `orders` in sequence, then runs `after`. Internally the policy decides
   * on the spot; in external mode the kernel stops and `nextDecision()` hands the
   * orders out one by one.
   */
  private offerAll(orders: readonly SimOrder[], after: () => void): void {
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

  private hasStock(o: SimOrder): boolean {
    for (const l of o.lines) if (l.remaining > 0 && this.state.networkAvail[l.sku]! > 0) return true;
    return false;
  }

  private buildContext(o: SimOrder, now: number): DecisionContext {
    return this.contexts.build(o, now, Math.max(0, this.horizon - now), this.contracts);
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
      this.fulfilment.apply(o, decision, now);
    }
    this.orders.markOffered(o, now);
  }

  /** End of day: expiries (without waves), warehouse snapshots and holding cost, the backlog, contract periods. */
  private readonly closeDay = (day: number): void => {
    const now = this.kernel.now;
    if (!this.waves) {
      this.orders.expireAndEscalate(now);
      this.orders.compact();
    }
    this.fulfilment.closeDay(day, now);
    this.ledger.append(EntryKind.BACKLOG, now, -1, -1, -1, -1, -1, this.orders.backlog(), 0);
    this.contracts.closeDay(day, now);
  };
}

/** Runs one simulation: the scenario (or a prebuilt world) under a policy on a seed. */
export function simulate(world: World | Scenario, policy: Policy, options: RunOptions): SimResult {
  return new Simulation(world, policy, options).run();
}
