import { CANDIDATE_BOUNDS, CONTEXT_BOUNDS, NC, NX } from '../features/encoder.js';
import type { AllocationEnv, Observation } from './allocation-env.js';

/** What the conformance checker found: empty `problems` means the env conforms. */
export interface ConformanceReport {
  steps: number;
  problems: string[];
}

/** A deterministic action chooser for the checker: any function of the observation and step. */
export type Chooser = (obs: Observation, step: number) => number;

/** Cycles through actions, defer included, so every branch of the env is exercised. */
export const cyclingChooser: Chooser = (obs, step) => step % (obs.count + 1);

function checkObservation(obs: Observation, where: string, problems: string[]): void {
  if (obs.candidates.length !== obs.count * NC) problems.push(`${where}: candidates.length(=${obs.candidates.length}) != count × ${NC}`);
  if (obs.context.length !== NX) problems.push(`${where}: context.length(=${obs.context.length}) != ${NX}`);
  for (let i = 0; i < obs.candidates.length; i++) {
    const v = obs.candidates[i]!;
    const [lo, hi] = CANDIDATE_BOUNDS[i % NC]!;
    if (!Number.isFinite(v) || v < lo || v > hi) problems.push(`${where}: candidate feature ${i % NC}(=${v}) outside [${lo}, ${hi}]`);
  }
  for (let i = 0; i < obs.context.length; i++) {
    const v = obs.context[i]!;
    const [lo, hi] = CONTEXT_BOUNDS[i]!;
    if (!Number.isFinite(v) || v < lo || v > hi) problems.push(`${where}: context feature ${i}(=${v}) outside [${lo}, ${hi}]`);
  }
}

/** Rolls one episode, returning a fingerprint of its trajectory. */
function rollout(env: AllocationEnv, seed: number, choose: Chooser, maxSteps: number, problems: string[]): { fp: number[]; steps: number } {
  const fp: number[] = [];
  let { obs } = env.reset({ seed });
  let steps = 0;
  while (!env.done && steps < maxSteps) {
    checkObservation(obs, `seed ${seed} step ${steps}`, problems);
    const a = choose(obs, steps);
    const r = env.step(a);
    if (!Number.isFinite(r.reward)) problems.push(`seed ${seed} step ${steps}: reward(=${r.reward}) not finite`);
    fp.push(a, r.reward, obs.count, obs.context[0]! + obs.context[18]!);
    obs = r.obs;
    steps++;
    if (problems.length > 20) break;
  }
  return { fp, steps };
}

/**
 * Gymnasium-style env checks, reusable for any scenario: the same seed gives the
 * same trajectory (actions, rewards, observations), and every observation is
 * finite and inside the encoder's declared bounds. `maxSteps` bounds the work.
 */
export function checkEnvConformance(makeEnv: () => AllocationEnv, options: { seed: number; maxSteps: number; choose?: Chooser }): ConformanceReport {
  const problems: string[] = [];
  const choose = options.choose ?? cyclingChooser;
  const a = rollout(makeEnv(), options.seed, choose, options.maxSteps, problems);
  const b = rollout(makeEnv(), options.seed, choose, options.maxSteps, []);
  if (a.steps === 0) problems.push(`seed ${options.seed}: the episode offered no step`);
  if (a.fp.length !== b.fp.length || a.fp.some((x, i) => x !== b.fp[i])) problems.push(`seed ${options.seed}: same seed gave a different trajectory`);
  return { steps: a.steps, problems };
}
