import type { World } from '../sim/model/world.js';
import { validateDecision, type DecisionContext } from '../sim/policies/contract.js';
import { SnapshotState } from './snapshot-state.js';
import type { Logger } from './log.js';
import { ModelLoadFailedError, type LoadedModel, type ModelProvider } from './model.js';
import type { ValidOrder, ValidSnapshot } from './validate.js';

/** A model version taking traffic, with the number of requests using it. */
interface Entry {
  model: LoadedModel;
  inFlight: number;
  retired: boolean;
}

/** A model in use by one request; `release()` when the request is done with it. */
export interface ModelLease {
  model: LoadedModel;
  release(): void;
}

/**
 * Holds the model version that takes traffic and swaps in new ones safely: a
 * version is loaded, validated and warmed on contexts built from the scenario
 * before it is published; a failed load keeps the old one. A request uses the
 * version current when it starts: a synchronous answer is done before a swap can
 * happen (swaps happen between turns of the event loop), and an asynchronous one
 * leases its version (`lease`), so a swap never fails a request; a retired version
 * is disposed once its last lease is released.
 */
export class ModelSlot {
  private entry: Entry | null = null;
  private loading: Promise<LoadedModel> | null = null;
  /** Versions (`name@version`) that failed to load: the error, and the version's fingerprint when it failed. */
  private readonly failed = new Map<string, { error: string; fingerprint: string }>();
  /** Smoothed model latency, ms: the deadline check's estimate. */
  latencyMs = 0;

  constructor(
    private readonly provider: ModelProvider | null,
    private readonly world: World,
    private readonly log: Logger,
    private readonly onChange: (model: LoadedModel | null) => void = () => {},
  ) {}

  /** The version taking traffic, or null. */
  get current(): LoadedModel | null {
    return this.entry?.model ?? null;
  }

  get hasProvider(): boolean {
    return this.provider !== null;
  }

  /**
   * Leases `model`, the current version, to a request that will use it after this
   * turn of the event loop (an asynchronous answer): a swap retires it, and it is
   * disposed once its last lease is released. Synchronous use needs no lease.
   */
  lease(model: LoadedModel): ModelLease {
    const e = this.entry;
    if (!e || e.model !== model) return { model, release: () => {} };
    e.inFlight++;
    let released = false;
    return {
      model,
      release: () => {
        if (released) return;
        released = true;
        e.inFlight--;
        if (e.retired && e.inFlight === 0) this.dispose(e);
      },
    };
  }

  /** Feeds one observed model latency into the estimate. */
  observe(ms: number): void {
    this.latencyMs = this.latencyMs === 0 ? ms : 0.9 * this.latencyMs + 0.1 * ms;
  }

  /** Versions of `name` in the registry, oldest first. */
  async versions(name: string): Promise<string[]> {
    if (!this.provider) return [];
    return (await this.provider.versions(name)).map((v) => v.version);
  }

  /**
   * Loads, validates and warms `name`@`version` (newest when omitted), then
   * publishes it. Throws `ModelLoadFailedError` and keeps the current version
   * when anything fails. Loads are serialised.
   */
  async activate(name: string, version?: string): Promise<LoadedModel> {
    while (this.loading) await this.loading.catch(() => undefined);
    const p = this.load(name, version);
    this.loading = p;
    try {
      return await p;
    } finally {
      this.loading = null;
    }
  }

  private async load(name: string, version?: string): Promise<LoadedModel> {
    if (!this.provider) throw new ModelLoadFailedError('no model registry configured (serve --policy models/<name>)');
    let v = version;
    if (!v) {
      const all = await this.provider.versions(name);
      if (all.length === 0) throw new ModelLoadFailedError(`model ${name}: no versions in the registry`);
      v = all[all.length - 1]!.version;
    }
    const cur = this.entry?.model;
    if (cur && cur.name === name && cur.version === v) return cur;
    let model: LoadedModel;
    try {
      model = await this.provider.load(name, v);
    } catch (err) {
      throw err instanceof ModelLoadFailedError ? err : new ModelLoadFailedError(`model ${name}@${v}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    try {
      const ms = await warm(model, warmContexts(this.world));
      this.latencyMs = ms;
    } catch (err) {
      model.dispose?.();
      throw new ModelLoadFailedError(`model ${name}@${v} failed warm-up: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    const old = this.entry;
    this.entry = { model, inFlight: 0, retired: false };
    if (old) {
      old.retired = true;
      if (old.inFlight === 0) this.dispose(old);
    }
    this.log.info('model_activated', { name, version: v, warmLatencyMs: round3(this.latencyMs) });
    this.onChange(model);
    return model;
  }

  /**
   * Takes the newest version of `name` when it differs from the current one.
   * Returns whether it swapped, and the load error (the old version stays).
   */
  async reload(name: string, opts: { retryFailed?: boolean } = {}): Promise<{ swapped: boolean; error: string; skipped?: boolean }> {
    if (!this.provider) return { swapped: false, error: 'no model registry configured' };
    const before = this.current;
    let newest: string | undefined;
    try {
      const all = await this.provider.versions(name);
      newest = all[all.length - 1]?.version;
    } catch {
      newest = undefined;
    }
    // The registry watch does not retry a version that failed (one warning, not one per poll)
    // until its files change (a version still being written, or repaired); Reload does.
    const key = `${name}@${newest ?? ''}`;
    const fingerprint = newest ? await this.fingerprint(name, newest) : '';
    const failed = this.failed.get(key);
    if (newest && !opts.retryFailed && failed && failed.fingerprint === fingerprint) return { swapped: false, error: failed.error, skipped: true };
    try {
      const m = await this.activate(name, newest);
      this.failed.delete(key);
      return { swapped: m !== before, error: '' };
    } catch (err) {
      const msg = (err as Error)?.message ?? String(err);
      this.failed.set(key, { error: msg, fingerprint });
      this.log.warn('model_reload_failed', { name, error: msg });
      return { swapped: false, error: msg };
    }
  }

  /** The provider's fingerprint of a version's files ('' when it keeps none or it fails). */
  private async fingerprint(name: string, version: string): Promise<string> {
    try {
      return (await this.provider?.fingerprint?.(name, version)) ?? '';
    } catch {
      return '';
    }
  }

  /** Stops serving any model (ActivatePolicy to a rule strategy keeps the model loaded; this is for shutdown). */
  clear(): void {
    const old = this.entry;
    this.entry = null;
    if (old) {
      old.retired = true;
      if (old.inFlight === 0) this.dispose(old);
    }
    this.onChange(null);
  }

  private dispose(e: Entry): void {
    try {
      e.model.dispose?.();
    } catch (err) {
      this.log.warn('model_dispose_failed', { name: e.model.name, version: e.model.version, error: String(err) });
    }
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Runs the model on every warm-up context: each answer must be a valid decision
 * with finite scores and propensity. Returns the mean latency, ms.
 */
async function warm(model: LoadedModel, contexts: DecisionContext[]): Promise<number> {
  let total = 0;
  for (const ctx of contexts) {
    const t0 = performance.now();
    const ans = await model.decide(ctx);
    total += performance.now() - t0;
    const bad = nonFinite(ans.decision);
    if (bad) throw new Error(`order ${ctx.order.id}: ${bad}`);
    validateDecision(ctx, ans.decision);
  }
  return contexts.length ? total / contexts.length : 0;
}

/** Describes the first non-finite score or propensity of a decision, or null. */
export function nonFinite(d: { scores?: number[][]; propensity?: number }): string | null {
  if (d.propensity !== undefined && !(Number.isFinite(d.propensity) && d.propensity >= 0 && d.propensity <= 1)) {
    return `propensity(=${d.propensity}) must be a probability`;
  }
  const s = d.scores;
  if (s) {
    for (let i = 0; i < s.length; i++) {
      const row = s[i]!;
      for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j]!)) return `scores[${i}][${j}](=${row[j]}) is not finite`;
    }
  }
  return null;
}

/**
 * Warm-up contexts from the scenario alone: for each segment, an order of every
 * one of the first few SKUs shipped to each region, against the initial stock.
 */
export function warmContexts(world: World, perSegment = 4): DecisionContext[] {
  const s = world.scenario;
  const S = world.skus.length;
  const snap: ValidSnapshot = {
    nowHours: 0,
    hoursLeft: world.horizonHours,
    cells: new Map(),
    warehouses: s.warehouses.map((w) => ({ outage: false, capacityLeftToday: w.pickCapacityPerDay, shipDelayHours: w.pickHours })),
    contracts: new Map(),
  };
  for (let w = 0; w < s.warehouses.length; w++) {
    for (let k = 0; k < Math.min(S, perSegment); k++) {
      const q = world.initialStock[w * S + k]! || 10;
      snap.cells.set(w * S + k, { available: q, inbound: [], inventoryAgeHours: 0 });
    }
  }
  const out: DecisionContext[] = [];
  const state = SnapshotState.open(world, snap, []);
  for (let g = 0; g < s.segments.length; g++) {
    for (let k = 0; k < Math.min(S, perSegment); k++) {
      const r = (g + k) % s.regions.length;
      const order: ValidOrder = {
        id: `warm-${g}-${k}`,
        customer: '',
        segment: g,
        region: r,
        createdHours: 0,
        lines: [{ sku: k, quantity: 1 + ((g + k) % 3), unitPrice: world.skus[k]!.price }],
      };
      out.push(state.context(order));
    }
  }
  state.close();
  return out;
}
