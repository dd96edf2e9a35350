import type { Policy } from '../sim/policies/contract.js';
import type { ContractMode } from '../sim/scenario/index.js';
import { createRulePolicy, parseWeights } from '../sim/policies/rules.js';

/** What a strategy spec may carry besides its name. */
export interface ResolveOptions {
  /** Rule weights, "name=value,..." */
  weights?: string;
  /** tfjs backend for trained policies. */
  backend?: string;
  /** Scenario name or path, for strategies that plan against it. */
  scenario?: string;
  /** Horizon override (days), for strategies that plan against it. */
  days?: number;
  /** Contract mode override (`--contracts`), for strategies that plan against it. */
  contracts?: ContractMode;
}

/**
 * Turns a strategy spec into a policy: a rule name (`nearest`, `cheapest`,
 * `priority`, `fair-share`, `reserve`), `rl:models/<name>[/<version>]` for a
 * trained policy, or a planning strategy. Heavy modules load only when asked for.
 */
export async function resolvePolicy(spec: string, options: ResolveOptions = {}): Promise<Policy> {
  if (spec.startsWith('rl:')) {
    const { loadModel } = await import('../agent/registry/index.js');
    return loadModel(spec.slice(3), { name: spec }).policy;
  }
  if (spec === 'lp-rolling' || spec.startsWith('lp-rolling:')) return (await import('../report/strategies.js')).resolvePolicy(spec, options);
  return createRulePolicy(spec, options.weights ? parseWeights(options.weights) : {});
}
