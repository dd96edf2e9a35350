import type { Policy } from '../sim/policies/contract.js';
import { createRulePolicy, parseWeights } from '../sim/policies/rules.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';

/** Options a strategy spec is resolved with. */
export interface StrategyOptions {
  /** Scenario name or path, for strategies that plan against it. */
  scenario?: string;
  /** Horizon override (days), for planners that look ahead to the end. */
  days?: number;
  weights?: string;
  /** Contract mode override, for planners; the scenario's own when absent. */
  contracts?: ContractMode;
}

/** The pseudo-strategy that stands for the hindsight oracle in a benchmark. */
export const ORACLE = 'oracle';

/**
 * The default resolver of the benchmark: rule names (optionally `name:w=1,...`)
 * and `lp-rolling[:key=value,...]`. Trained policies (`rl:...`) need the CLI's
 * resolver, which the CLI passes to the harness as a module URL.
 */
export async function resolvePolicy(spec: string, options: StrategyOptions = {}): Promise<Policy> {
  const [name, params] = splitSpec(spec);
  if (name === 'lp-rolling') {
    if (!options.scenario) throw new Error('lp-rolling needs the scenario');
    const { createLpRollingPolicy, parseLpRollingOptions } = await import('../plan/lp-rolling.js');
    let settings;
    try {
      settings = parseLpRollingOptions(params ?? '');
    } catch (err) {
      throw configError((err as Error).message, err);
    }
    const world = buildWorld(loadScenario(options.scenario, { contracts: options.contracts }).scenario);
    return createLpRollingPolicy(world, { ...settings, days: options.days });
  }
  const weights = params ?? options.weights;
  return createRulePolicy(name, weights ? parseWeights(weights) : {});
}

/** A bad strategy setting: named like the rules' config error, so the CLI exits 2 for it. */
function configError(message: string, cause: unknown): Error {
  const e = new Error(message, { cause });
  e.name = 'PolicyConfigError';
  return e;
}

/** Splits "name:params" (params optional). `rl:` specs are returned whole. */
export function splitSpec(spec: string): [string, string | undefined] {
  if (spec.startsWith('rl:')) return [spec, undefined];
  const i = spec.indexOf(':');
  return i < 0 ? [spec, undefined] : [spec.slice(0, i), spec.slice(i + 1)];
}
