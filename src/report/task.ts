import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { simulate } from '../sim/index.js';
import { computeKpis, type Kpis, type SegmentKpis, type WarehouseKpis } from '../sim/kpis.js';
import { buildWorld, type World } from '../sim/model/world.js';
import type { Policy } from '../sim/policies/contract.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { drawDemand, ledgerDemandFingerprint, demandFingerprint } from '../plan/demand.js';
import { solveOracle, type OracleResult } from '../plan/oracle.js';
import { ORACLE, type StrategyOptions } from './strategies.js';
import { runDetail, type RunDetail } from './detail.js';

/** One unit of benchmark work: a strategy (or the oracle) on a seed. */
export interface Task {
  index: number;
  strategy: string;
  seed: number;
}

/** What every task of one benchmark shares. Plain data: it crosses to worker threads. */
export interface TaskConfig {
  scenario: string;
  days?: number;
  /** URL of a module exporting `resolvePolicy(spec, { scenario, days, contracts })`; the harness's own resolver when absent. */
  resolver?: string;
  /** Contract mode override; the scenario's own when absent. */
  contracts?: ContractMode;
}

/** The daily series the report draws, per run. */
export interface DailySeries {
  demandedUnits: number[];
  allocatedUnits: number[];
  lostSalesUnits: number[];
  backlogUnits: number[];
  /** Units on hand per warehouse (scenario order) per day. */
  onHand: number[][];
}

/** The outcome of one task. Deterministic except `wallSeconds`. */
export interface TaskRecord {
  strategy: string;
  seed: number;
  /** Fingerprint of the seed's demand: equal across strategies (common random numbers). */
  demand: string;
  kpis?: Kpis;
  bySegment?: SegmentKpis[];
  byWarehouse?: WarehouseKpis[];
  daily?: DailySeries;
  /** Warehouses, network series, contract periods, escalation causes and finance, from the ledger. */
  detail?: RunDetail;
  /** Policy name and version as the policy reports them. */
  policy?: { name: string; version?: string };
  oracle?: OracleResult;
  wallSeconds: number;
}

export type Resolve = (spec: string, options: StrategyOptions) => Promise<Policy>;

const resolvers = new Map<string, Promise<Resolve>>();

/** Loads the `resolvePolicy` export of a module URL (a `.ts` twin is used when only that exists, under tsx). */
export function loadResolver(url?: string): Promise<Resolve> {
  const key = url ?? '';
  let r = resolvers.get(key);
  if (!r) {
    r = (async () => {
      if (!url) return (await import('./strategies.js')).resolvePolicy as Resolve;
      let target = url;
      if (target.startsWith('file:') && target.endsWith('.js') && !existsSync(fileURLToPath(target))) {
        const ts = target.replace(/\.js$/, '.ts');
        if (existsSync(fileURLToPath(ts))) target = ts;
      }
      const mod = (await import(target)) as { resolvePolicy?: Resolve };
      if (typeof mod.resolvePolicy !== 'function') throw new Error(`resolver module ${url} has no resolvePolicy export`);
      return mod.resolvePolicy;
    })();
    resolvers.set(key, r);
  }
  return r;
}

const worlds = new Map<string, World>();

function worldOf(scenario: string, contracts?: ContractMode): World {
  const key = `${contracts ?? ''}:${scenario}`;
  let w = worlds.get(key);
  if (!w) worlds.set(key, (w = buildWorld(loadScenario(scenario, { contracts }).scenario)));
  return w;
}

/** A resolver path given as a plain file path becomes a URL. */
export function toModuleUrl(pathOrUrl: string): string {
  return /^[a-z]+:/i.test(pathOrUrl) ? pathOrUrl : pathToFileURL(pathOrUrl).href;
}

/** Runs one task in this thread: a simulation and its KPIs, or the oracle LP. */
export async function runTask(task: Task, config: TaskConfig, resolve?: Resolve): Promise<TaskRecord> {
  const started = performance.now();
  const world = worldOf(config.scenario, config.contracts);
  if (task.strategy === ORACLE) {
    const demand = drawDemand(world, task.seed, config.days);
    const oracle = await solveOracle(world, { seed: task.seed, days: config.days, demand });
    return { strategy: task.strategy, seed: task.seed, demand: demandFingerprint(demand), oracle, wallSeconds: (performance.now() - started) / 1000 };
  }
  const r = resolve ?? (await loadResolver(config.resolver));
  const policy = await r(task.strategy, { scenario: config.scenario, days: config.days, contracts: config.contracts });
  const result = simulate(world, policy, { seed: task.seed, days: config.days });
  const rep = computeKpis(result);
  const demand = ledgerDemandFingerprint(result);
  const detail = runDetail(result);
  // The next run on this worker writes its ledger into this one's memory.
  result.ledger.release();
  const W = world.scenario.warehouses.length;
  const daily: DailySeries = {
    demandedUnits: rep.daily.map((x) => x.demandedUnits),
    allocatedUnits: rep.daily.map((x) => x.allocatedUnits),
    lostSalesUnits: rep.daily.map((x) => x.lostSalesUnits),
    backlogUnits: rep.daily.map((x) => x.backlogUnits),
    onHand: Array.from({ length: W }, (_, w) => rep.daily.map((x) => x.onHand[w]!)),
  };
  return {
    strategy: task.strategy,
    seed: task.seed,
    demand,
    kpis: rep.kpis,
    bySegment: rep.bySegment,
    byWarehouse: rep.byWarehouse,
    daily,
    detail,
    policy: { name: policy.name, ...(policy.version ? { version: policy.version } : {}) },
    wallSeconds: (performance.now() - started) / 1000,
  };
}
