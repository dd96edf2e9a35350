import type { World } from '../sim/model/world.js';
import { createRulePolicy, RULE_NAMES } from '../sim/policies/rules.js';
import type { DecisionContext, Policy } from '../sim/policies/contract.js';
import { waveSequence } from '../sim/context.js';
import type { RecommendRequest__Output } from '../gen/allocation/v1/RecommendRequest.js';
import type { RecommendBatchRequest__Output } from '../gen/allocation/v1/RecommendBatchRequest.js';
import type { GetNetworkResponse } from '../gen/allocation/v1/GetNetworkResponse.js';
import type { ListPoliciesResponse } from '../gen/allocation/v1/ListPoliciesResponse.js';
import type { PolicyInfo } from '../gen/allocation/v1/PolicyInfo.js';
import type { ActivatePolicyRequest__Output } from '../gen/allocation/v1/ActivatePolicyRequest.js';
import type { ActivatePolicyResponse } from '../gen/allocation/v1/ActivatePolicyResponse.js';
import type { ReloadResponse } from '../gen/allocation/v1/ReloadResponse.js';
import { AuditLog, AuditPack, type AuditRecord, type AuditSnapshot } from './audit.js';
import { registryPath } from './auth.js';
import type { DecideOptions, DecisionChain, Outcome } from './chain.js';
import { DeadlineExceededError, FailedPreconditionError, InvalidArgumentError, NotFoundError, ResourceExhaustedError } from './errors.js';
import { DecisionIds } from './ids.js';
import type { Logger } from './log.js';
import type { ServeMetrics } from './metrics.js';
import type { ModelSlot } from './model-slot.js';
import type { LoadedModel } from './model.js';
import { Slicer, SLICE_MS } from './slices.js';
import { LIMITS, validateOrder, validateSnapshot, type ValidOrder } from './validate.js';
import { orderState, SnapshotState } from './snapshot-state.js';
import { DECIDED_BY_KIND, FALLBACK_REASON_NUMBER, fieldSpans, ProtoWriter, RAW_REQUEST, SERVING_MODE_NUMBER, WireMessage } from './wire.js';

/** `ActivatePolicy` version that releases an operator's pin (as does an empty one). */
export const LATEST = 'latest';

/** Which policy is in charge, as the admin calls change it. */
export interface PolicyState {
  /** Rule strategy the chain falls back to. */
  fallback: Policy;
  /** A rule strategy the operator made active (every decision `forced`), or null. */
  override: Policy | null;
  /** Model name in the registry (null: no model configured). */
  modelName: string | null;
  /** Registry folder (parent of models/<name>), or null. */
  registryRoot: string | null;
  /**
   * The model version an operator chose with `ActivatePolicy(name, version)`: it
   * stays until they release it with `ActivatePolicy(name)` (version empty or
   * `latest`); meanwhile neither the registry watch nor `Reload` replaces it.
   * Null: the newest version is followed.
   */
  pinned: string | null;
}

export interface CoreDeps {
  world: World;
  scenarioName: string;
  scenarioHash: string;
  chain: DecisionChain;
  slot: ModelSlot;
  policies: PolicyState;
  audit: AuditLog;
  metrics: ServeMetrics;
  log: Logger;
  ids?: DecisionIds;
  /** Most request bytes of `RecommendBatch` calls in progress at once (default `LIMITS.batchBytesInFlight`). */
  batchBytesInFlight?: number;
}

/**
 * The service's behaviour, free of grpc plumbing: validate a request, build the
 * decision contexts, run the chain, log durably, answer. `handlers.ts` wraps it
 * for grpc-js.
 */
export class AllocationCore {
  readonly world: World;
  private readonly ids: DecisionIds;
  private readonly network: GetNetworkResponse;
  /** Request bytes of the `RecommendBatch` calls in progress. */
  private batchBytes = 0;
  /** Settles when the last wave queued has been decided (see `waveTurn`). */
  private waves: Promise<void> = Promise.resolve();

  constructor(private readonly d: CoreDeps) {
    this.world = d.world;
    this.ids = d.ids ?? new DecisionIds();
    this.network = describeNetwork(d.world, d.scenarioName, d.scenarioHash);
  }

  get mode(): 'SERVING_MODE_NORMAL' | 'SERVING_MODE_SHADOW' | 'SERVING_MODE_EXPLORE' {
    const c = this.d.chain.config;
    return c.shadow ? 'SERVING_MODE_SHADOW' : c.epsilon > 0 ? 'SERVING_MODE_EXPLORE' : 'SERVING_MODE_NORMAL';
  }

  async recommend(req: RecommendRequest__Output, deadline: number, started: number): Promise<WireMessage> {
    const snap = validateSnapshot(this.world, req.snapshot);
    const order = validateOrder(this.world, req.order, 'order', snap.nowHours);
    const state = SnapshotState.open(this.world, snap, [order]);
    const ctx = state.context(order);
    state.close();
    const out = await this.d.chain.decide(ctx, { deadline, forceRules: req.forceRules });
    // Past the deadline the caller has stopped waiting: the decision is neither logged nor sent.
    if (Date.now() >= deadline) throw new DeadlineExceededError('Recommend: the deadline passed while the order was decided; nothing was logged');
    const id = this.ids.next();
    const decidedUs = Math.round((performance.now() - started) * 1000);
    const raw = received(req);
    await this.d.audit.append({ id, json: snapshotOf(req, raw) }, [this.record(id, 'Recommend', id, one(raw, 1) ?? JSON.stringify(req.order), ctx, out, decidedUs)]);
    this.count(out);
    const w = new ProtoWriter(512);
    this.writeDecision(w, id, ctx, out, started);
    return new WireMessage(w.finish());
  }

  /**
   * Admits a `RecommendBatch` of `bytes` request bytes, or refuses it with
   * RESOURCE_EXHAUSTED when the batches in progress already hold the limit (a
   * decoded batch costs memory in proportion; the caller may retry). One batch
   * is always admitted when none is in progress. Returns the release.
   */
  admitBatch(bytes: number): () => void {
    const limit = this.d.batchBytesInFlight ?? LIMITS.batchBytesInFlight;
    if (this.batchBytes > 0 && this.batchBytes + bytes > limit) {
      throw new ResourceExhaustedError(`RecommendBatch of ${bytes} bytes refused: batches of ${this.batchBytes} bytes are in progress and the limit is ${limit} bytes; retry later`);
    }
    this.batchBytes += bytes;
    this.d.metrics.batchBytes.set(this.batchBytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.batchBytes -= bytes;
      this.d.metrics.batchBytes.set(this.batchBytes);
    };
  }

  /**
   * A wave of orders competing for one snapshot (see `decideWave`); the answer
   * leaves once the audit log has it. `req` is the request, or a function that
   * decodes it (in slices). Waves are decoded and decided one at a time, in
   * arrival order (`waveTurn`), each in time slices (`slicer`) so that a large
   * one does not hold up other calls; the next wave is decided while this one's
   * audit commit is awaited.
   */
  async recommendBatch(
    req: RecommendBatchRequest__Output | ((slicer: Slicer) => Promise<RecommendBatchRequest__Output>),
    deadline: number,
    started: number,
    slicer = new Slicer(deadline, SLICE_MS, 'RecommendBatch'),
  ): Promise<WireMessage> {
    const done = await this.waveTurn(slicer);
    let wave: DecidedWave;
    try {
      const request = typeof req === 'function' ? await req(slicer) : req;
      // The wave keeps the model version it started with, though it yields between slices (a swap may happen meanwhile).
      const model = this.d.slot.current;
      const lease = model ? this.d.slot.lease(model) : null;
      try {
        // The wave is decided in a frame of its own, so that nothing of it (orders,
        // contexts, the pending map) stays referenced while the audit commit is awaited:
        // a suspended function keeps its locals, dead or not, and a wave's objects that
        // outlive two young-generation collections get promoted (see `ReceivedRequest`).
        wave = await this.decideWave(request, deadline, started, slicer, model);
      } finally {
        lease?.release();
      }
    } finally {
      done();
    }
    if (Date.now() >= deadline) throw new DeadlineExceededError('RecommendBatch: the deadline passed while the wave was decided; nothing was logged');
    // A large wave's records commit in chunks, one after the other, so that other calls'
    // commits go in between instead of waiting for one long transaction.
    for (let i = 0; i < wave.records.length; i++) await this.d.audit.append(i === 0 ? wave.snapshot : null, wave.records[i]!);
    const bytes = wave.body.finish();
    const spans = wave.spans;
    const n = spans.length / 2;
    const w = new ProtoWriter(bytes.length + 4 * n + 16);
    for (let i = 0; i < n; i++) w.message(1, bytes.subarray(spans[2 * i]!, spans[2 * i + 1]!));
    w.int(2, Math.round((performance.now() - started) * 1000));
    return new WireMessage(w.finish());
  }

  /**
   * Waits for the waves queued before this one to be decided; returns the call
   * that lets the next one go. Waves interleaved slice by slice would each keep
   * their decoded orders and contexts alive for longer (more of them surviving
   * young-generation collections); in turn, one wave's objects are built at a
   * time, as before slicing, and a queued wave waits as bytes. Other calls still
   * go between every slice. Throws DEADLINE_EXCEEDED when the wave's deadline
   * passed while it waited.
   */
  private async waveTurn(slicer: Slicer): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.waves;
    this.waves = before.then(() => mine);
    await before;
    try {
      slicer.restart('waiting for earlier waves');
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  /**
   * Decides a wave: orders in the fallback rule strategy's rank order (like a
   * simulator wave), each against the stock the earlier ones left. Pending units
   * default to the wave's orders still waiting, by segment kind. Returns the audit
   * records and the answers' bytes; each decision is written as soon as it is
   * made and its context let go.
   */
  private async decideWave(req: RecommendBatchRequest__Output, deadline: number, started: number, slicer: Slicer, model: LoadedModel | null): Promise<DecidedWave> {
    const snap = validateSnapshot(this.world, req.snapshot);
    if (req.orders.length === 0) throw new InvalidArgumentError('orders', 'must have at least one order');
    if (req.orders.length > LIMITS.ordersPerBatch) throw new InvalidArgumentError('orders', `must have at most ${LIMITS.ordersPerBatch} orders`, req.orders.length);
    const orders: ValidOrder[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < req.orders.length; i++) {
      if (slicer.due) await slicer.next(`validating, ${i} of ${req.orders.length} orders`);
      const o = validateOrder(this.world, req.orders[i], `orders[${i}]`, snap.nowHours);
      if (seen.has(o.id)) throw new InvalidArgumentError(`orders[${i}].id`, 'repeats an earlier order of the batch', o.id);
      seen.add(o.id);
      orders.push(o);
    }
    const sequence = this.waveOrder(orders);
    // The orders as received (wire bytes) for the audit log, when the request came over gRPC.
    const raw = received(req);
    const orderSpans = raw ? fieldSpans(raw, 1) : null;
    const orderBytes = raw && orderSpans && orderSpans.length === 2 * req.orders.length ? raw : null;
    const batchId = `b${this.ids.next()}`;
    const snapshot = { id: batchId, json: snapshotOf(req, raw) };
    const forceRules = req.forceRules;
    // From here on the audit log needs only the request's bytes: the decoded orders go.
    if (orderBytes) releaseDecoded(req);
    // Audit records in chunks of about AUDIT_CHUNK_LINES order lines (see `recommendBatch`).
    const records: AuditPack[] = [];
    const newPack = (orderCount: number) => new AuditPack(1024 * Math.min(orderCount, 1000));
    let pack = newPack(orders.length);
    let packLines = 0;
    const counts = new OutcomeCounts();
    // The answer lists the decisions in request order: spans into `body`.
    const body = new ProtoWriter(256 * orders.length);
    const spans = new Int32Array(2 * orders.length);
    const opts: DecideOptions = { deadline, forceRules, model };
    const tsMs = Date.now();
    const mode = this.auditMode;
    // The snapshot as the simulator's state, the wave's orders pending in it.
    const state = SnapshotState.open(this.world, snap, orders);
    let done = 0;
    const t0 = performance.now();
    try {
      for (const i of sequence) {
        if (slicer.due) {
          await slicer.next(`${done} of ${orders.length} orders decided`);
          // When the model's pace would take the wave past its deadline, the model steps aside
          // (its budget is spent: fallback DEADLINE) and the rules, cheaper, decide the rest.
          if (model && done > 0 && deadline !== Infinity && opts.deadline === deadline && Date.now() + ((performance.now() - t0) / done) * (orders.length - done) > deadline) {
            opts.deadline = Date.now();
          }
        }
        done++;
        const order = orders[i]!;
        const ctx = state.context(order);
        const decided = this.d.chain.decide(ctx, opts);
        const out = decided instanceof Promise ? await decided : decided;
        // The next order of the wave sees the stock and pending units this one left.
        state.take(order, out.decision);
        const id = this.ids.next();
        const request = orderBytes ? orderBytes.subarray(orderSpans![2 * i]!, orderSpans![2 * i + 1]!) : JSON.stringify(req.orders[i]);
        if (packLines >= AUDIT_CHUNK_LINES) {
          records.push(pack);
          pack = newPack(orders.length - done + 1);
          packLines = 0;
        }
        pack.add(this.record(id, 'RecommendBatch', batchId, request, ctx, out, 0, tsMs, mode));
        packLines += order.lines.length;
        counts.add(out);
        spans[2 * i] = body.length;
        this.writeDecision(body, id, ctx, out, started);
        spans[2 * i + 1] = body.length;
      }
    } finally {
      state.close();
    }
    records.push(pack);
    counts.publish(this.d.metrics);
    const latencyUs = Math.round((performance.now() - started) * 1000);
    for (const p of records) p.setLatency(latencyUs);
    return { snapshot, records, body, spans };
  }

  /** Request positions of a wave's orders in the order the active rule strategy sequences them (as a simulator wave). */
  private waveOrder(orders: ValidOrder[]): number[] {
    const states = orders.map((o, at) => ({ ...orderState(o), at }));
    return waveSequence(this.world, states, this.activeRules()).map((o) => o.at);
  }

  private activeRules(): Policy {
    return this.d.policies.override ?? this.d.policies.fallback;
  }

  getNetwork(): GetNetworkResponse {
    return this.network;
  }

  async listPolicies(): Promise<ListPoliciesResponse> {
    const p = this.d.policies;
    const policies: PolicyInfo[] = [];
    const cur = this.d.slot.current;
    if (p.modelName) {
      let versions: string[] = [];
      try {
        versions = await this.d.slot.versions(p.modelName);
      } catch (err) {
        this.d.log.warn('registry_list_failed', { error: String(err) });
      }
      if (cur && !versions.includes(cur.version)) versions.push(cur.version);
      for (const v of versions) {
        const isCur = cur?.name === p.modelName && cur.version === v;
        policies.push({ kind: 'DECIDED_BY_KIND_MODEL', name: p.modelName, version: v, active: isCur && !p.override, ready: isCur });
      }
    }
    for (const name of RULE_NAMES) {
      policies.push({ kind: 'DECIDED_BY_KIND_RULES', name, version: '', active: p.override ? p.override.name === name : !cur && p.fallback.name === name, ready: true });
    }
    return { policies, mode: this.mode, fallbackRules: p.fallback.name };
  }

  /** The active policy as ListPolicies shows it. */
  activeInfo(): PolicyInfo {
    const p = this.d.policies;
    const cur = this.d.slot.current;
    if (p.override) return { kind: 'DECIDED_BY_KIND_RULES', name: p.override.name, version: '', active: true, ready: true };
    if (cur) return { kind: 'DECIDED_BY_KIND_MODEL', name: cur.name, version: cur.version, active: true, ready: true };
    return { kind: 'DECIDED_BY_KIND_RULES', name: p.fallback.name, version: '', active: true, ready: true };
  }

  async activatePolicy(req: ActivatePolicyRequest__Output): Promise<ActivatePolicyResponse> {
    const p = this.d.policies;
    if (RULE_NAMES.includes(req.name)) {
      if (req.version) throw new InvalidArgumentError('version', 'must be empty for a rule strategy', req.version);
      p.override = createRulePolicy(req.name);
      this.d.log.info('policy_activated', { kind: 'rules', name: req.name });
      this.publishActive();
      return { active: this.activeInfo() };
    }
    if (!p.registryRoot) throw new FailedPreconditionError(`no model registry configured; rule strategies: ${RULE_NAMES.join(', ')}`);
    if (!req.name) throw new InvalidArgumentError('name', 'must name a rule strategy or a model in the registry');
    // An explicit version pins it; empty or `latest` takes the newest and follows the registry again.
    const pin = req.version && req.version !== LATEST ? req.version : null;
    registryPath(p.registryRoot, 'name', req.name);
    if (pin) registryPath(p.registryRoot, 'version', req.name, pin);
    const versions = await this.d.slot.versions(req.name).catch(() => [] as string[]);
    if (versions.length === 0) throw new NotFoundError(`model ${req.name} has no versions in the registry`);
    if (pin && !versions.includes(pin)) throw new NotFoundError(`model ${req.name} has no version ${pin} (has ${versions.join(', ')})`);
    try {
      await this.d.slot.activate(req.name, pin ?? undefined);
      this.d.metrics.reloads.inc({ result: 'ok' });
    } catch (err) {
      this.d.metrics.reloads.inc({ result: 'failed' });
      throw new FailedPreconditionError(`${(err as Error).message} (the previous policy stays active)`, { cause: err });
    }
    p.modelName = req.name;
    p.override = null;
    p.pinned = pin;
    this.d.log.info('policy_activated', { kind: 'model', name: req.name, version: this.d.slot.current?.version ?? '', pinned: pin !== null });
    this.publishActive();
    return { active: this.activeInfo() };
  }

  /**
   * Takes the registry's newest version if it loads; `fromWatch` skips versions
   * that already failed (until their files change). While an operator's pin
   * holds (see `PolicyState.pinned`), nothing is swapped: the watch stays quiet
   * and `Reload` says how to release the pin.
   */
  async reload(fromWatch = false): Promise<ReloadResponse> {
    const p = this.d.policies;
    if (!p.modelName) return { active: this.activeInfo(), swapped: false, error: 'no model configured' };
    if (p.pinned) {
      const error = fromWatch ? '' : `pinned to ${p.modelName}@${p.pinned} by ActivatePolicy; ActivatePolicy(name=${p.modelName}, version="") releases the pin and takes the newest version`;
      return { active: this.activeInfo(), swapped: false, error };
    }
    const r = await this.d.slot.reload(p.modelName, { retryFailed: !fromWatch });
    if (r.swapped) this.d.metrics.reloads.inc({ result: 'ok' });
    if (r.error && !r.skipped) this.d.metrics.reloads.inc({ result: 'failed' });
    this.publishActive();
    return { active: this.activeInfo(), swapped: r.swapped, error: r.error };
  }

  /** Updates the active-policy gauge. */
  publishActive(): void {
    const a = this.activeInfo();
    this.d.metrics.setActive(a.kind === 'DECIDED_BY_KIND_MODEL' ? 'model' : 'rules', a.name ?? '', a.version ?? '');
    this.d.metrics.modelReady.set(this.d.slot.current ? 1 : 0);
  }

  private count(out: Outcome): void {
    this.d.metrics.decisions.inc({ decided_by: out.decision.decidedBy?.kind ?? 'rules' });
    if (out.reason !== 'none') this.d.metrics.fallbacks.inc({ reason: out.reason });
  }

  /** The serving mode as the audit log names it. */
  private get auditMode(): string {
    const c = this.d.chain.config;
    return c.shadow ? 'shadow' : c.epsilon > 0 ? 'explore' : 'normal';
  }

  /** `request`: the order, as its wire bytes or as JSON text. */
  private record(id: string, method: string, snapshotId: string, request: string | Uint8Array, ctx: DecisionContext, out: Outcome, latencyUs: number, tsMs = Date.now(), mode = this.auditMode): AuditRecord {
    const d = out.decision;
    const by = d.decidedBy;
    return {
      id,
      tsMs,
      method,
      orderId: ctx.order.id,
      decidedBy: by?.kind ?? 'rules',
      policyName: by?.name ?? '',
      policyVersion: by?.version ?? '',
      fallbackReason: out.reason,
      fallbackDetail: out.detail,
      mode,
      explored: out.explored,
      propensity: d.propensity ?? 1,
      latencyUs,
      snapshotId,
      request,
      features: out.features ?? null,
      scores: d.scores ?? null,
      decision: d.lines,
      shadow: out.shadow ? JSON.stringify(out.shadow) : null,
    };
  }

  /**
   * Writes one decision as a `RecommendResponse` message (its fields, without a
   * tag or length: the caller frames it). Per line: the allocations with their
   * expected delivery, the backorder, and a score per candidate (0 when the
   * policy gave none).
   */
  private writeDecision(w: ProtoWriter, id: string, ctx: DecisionContext, out: Outcome, started: number): void {
    const d = out.decision;
    w.string(1, ctx.order.id);
    const lines = ctx.order.lines;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      const ld = d.lines[i]!;
      const row = d.scores?.[i];
      const line = w.begin(2);
      w.string(1, l.sku);
      for (const a of ld.allocations) {
        const c = l.candidates.find((x) => x.warehouse === a.warehouse)!;
        const m = c.modes.find((x) => x.mode === a.mode)!;
        const alloc = w.begin(2);
        w.string(1, a.warehouse).int(2, a.quantity).string(3, a.mode).double(4, c.shipDelayHours + m.transitHours);
        w.end(alloc);
      }
      w.int(3, ld.backordered);
      for (let j = 0; j < l.candidates.length; j++) {
        const sc = w.begin(4);
        w.string(1, l.candidates[j]!.warehouse).double(2, row?.[j] ?? 0);
        w.end(sc);
      }
      w.end(line);
    }
    w.double(3, d.propensity ?? 1);
    const by = d.decidedBy;
    const decidedBy = w.begin(4);
    w.int(1, by?.kind === 'model' ? DECIDED_BY_KIND.model : DECIDED_BY_KIND.rules).string(2, by?.name ?? '').string(3, by?.version ?? '');
    w.end(decidedBy);
    w.int(5, FALLBACK_REASON_NUMBER[out.reason]);
    w.string(6, out.detail);
    w.string(7, id);
    w.int(8, Math.round((performance.now() - started) * 1000));
    w.int(9, SERVING_MODE_NUMBER[this.mode]);
  }
}

/**
 * Order lines per audit commit of a wave: a wave of 4,000 orders × 100 lines took
 * ~0.5 s to commit in one transaction, and every other call's commit waited
 * behind it; in chunks of this size each takes ~15 ms.
 */
const AUDIT_CHUNK_LINES = 10_000;

/** A decided wave, waiting for its audit commit. */
interface DecidedWave {
  snapshot: AuditSnapshot;
  /** The audit records, in chunks committed one after the other. */
  records: AuditPack[];
  /** The decisions as RecommendResponse messages, in wave order; `spans` gives request order. */
  body: ProtoWriter;
  /** Per order of the request: start and end of its message in `body`. */
  spans: Int32Array;
}

/** Outcomes of a batch tallied by label, for one metric update per label. */
class OutcomeCounts {
  private readonly by = new Map<string, number>();
  private readonly reasons = new Map<string, number>();

  add(o: Outcome): void {
    const k = o.decision.decidedBy?.kind ?? 'rules';
    this.by.set(k, (this.by.get(k) ?? 0) + 1);
    if (o.reason !== 'none') this.reasons.set(o.reason, (this.reasons.get(o.reason) ?? 0) + 1);
  }

  publish(metrics: ServeMetrics): void {
    for (const [decided_by, n] of this.by) metrics.decisions.inc({ decided_by }, n);
    for (const [reason, n] of this.reasons) metrics.fallbacks.inc({ reason }, n);
  }
}

/** The GetNetwork answer, computed once from the world. */
export function describeNetwork(world: World, name: string, hash: string): GetNetworkResponse {
  const s = world.scenario;
  const R = s.regions.length;
  return {
    scenario: name,
    scenarioHash: hash,
    horizonHours: world.horizonHours,
    warehouses: s.warehouses.map((w) => ({ id: w.id, pickCapacityPerDay: w.pickCapacityPerDay, pickHours: w.pickHours, handlingCostPerUnit: w.handlingCostPerUnit })),
    regions: s.regions.map((r) => r.id),
    skus: world.skus.map((k) => ({ id: k.id, unitCost: k.unitCost, price: k.price })),
    segments: s.segments.map((g) => ({ id: g.id, kind: g.kind, serviceLevel: g.serviceLevel, promiseHours: g.promiseHours })),
    lanes: s.warehouses.flatMap((w, wi) =>
      s.regions.map((r, ri) => {
        const lane = world.lanes[wi * R + ri]!;
        return {
          warehouse: w.id,
          region: r.id,
          distanceKm: lane.distanceKm,
          modes: lane.modes.map((m) => ({ mode: m.mode, transitHours: m.transitHours, costPerUnit: m.costPerUnit, lateRisk: m.lateRisk })),
        };
      }),
    ),
  };
}

/** The bytes a request was decoded from, when it came over gRPC. */
function received(req: object): Buffer | undefined {
  return (req as { [RAW_REQUEST]?: Buffer })[RAW_REQUEST];
}

/**
 * Lets go of a wave's decoded orders and snapshot once they are validated, for a
 * request the server decoded for this call (its wire bytes go to the audit log).
 * A thousand decoded orders are most of what a wave keeps alive while it is
 * decided, and the young generation's collector copies whatever is alive.
 * In-process callers keep their request as it was.
 */
function releaseDecoded(req: RecommendBatchRequest__Output): void {
  const r = req as { orders: unknown[]; snapshot: unknown };
  r.orders = [];
  r.snapshot = null;
}

/**
 * The bytes of singular message field `field` of the request, when it occurs
 * exactly once (several occurrences would be merged by the decoder: then the
 * caller logs the decoded object as JSON instead).
 */
function one(raw: Buffer | undefined, field: number): Uint8Array | undefined {
  const spans = raw ? fieldSpans(raw, field) : null;
  return spans && spans.length === 2 ? raw!.subarray(spans[0]!, spans[1]!) : undefined;
}

/** The snapshot for the audit log: its wire bytes (copied: they travel to the writer thread), or JSON. */
function snapshotOf(req: { snapshot: unknown }, raw: Buffer | undefined): string | Uint8Array {
  const bytes = one(raw, 2);
  return bytes ? new Uint8Array(bytes) : JSON.stringify(req.snapshot);
}
