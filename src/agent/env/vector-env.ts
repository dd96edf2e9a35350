import { AllocationEnv, type AllocationEnvConfig, type Observation, type StepInfo } from './allocation-env.js';

/** What the vector env returns per copy for one batched step. */
export interface VectorStep {
  obs: Observation[];
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: StepInfo[];
  /** Observation that ended an episode (before the automatic reset), per copy that ended. */
  finalObs: (Observation | null)[];
}

/**
 * n copies of the allocation environment stepped together, copy i seeded
 * `seed + i` and, on each automatic reset, `seed + i + n × episode`. When a copy's
 * episode ends, its `obs` is already the first observation of the next episode
 * and `finalObs` holds the last one, as Gymnasium's vector envs do.
 */
export class VectorAllocationEnv {
  readonly envs: AllocationEnv[];
  private readonly episode: number[];
  private seed = 0;

  constructor(readonly n: number, config: AllocationEnvConfig) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`envs(=${n}) must be a whole number >= 1`);
    this.envs = Array.from({ length: n }, () => new AllocationEnv(config));
    this.episode = new Array<number>(n).fill(0);
  }

  reset(options: { seed: number }): { obs: Observation[]; infos: StepInfo[] } {
    this.seed = options.seed;
    const obs: Observation[] = [];
    const infos: StepInfo[] = [];
    for (let i = 0; i < this.n; i++) {
      this.episode[i] = 0;
      const r = this.resetCopy(i);
      obs.push(r.obs);
      infos.push(r.info);
    }
    return { obs, infos };
  }

  /** Seed of copy i's current episode. */
  seedOf(i: number): number {
    return this.seed + i + this.n * this.episode[i]!;
  }

  step(actions: readonly number[]): VectorStep {
    const out: VectorStep = {
      obs: [],
      rewards: new Float64Array(this.n),
      terminated: new Uint8Array(this.n),
      truncated: new Uint8Array(this.n),
      infos: [],
      finalObs: [],
    };
    for (let i = 0; i < this.n; i++) {
      const r = this.envs[i]!.step(actions[i]!);
      out.rewards[i] = r.reward;
      out.terminated[i] = r.terminated ? 1 : 0;
      out.truncated[i] = r.truncated ? 1 : 0;
      if (r.terminated || r.truncated) {
        out.finalObs.push(r.obs);
        out.infos.push(r.info);
        this.episode[i]!++;
        const next = this.resetCopy(i);
        out.obs.push(next.obs);
      } else {
        out.finalObs.push(null);
        out.obs.push(r.obs);
        out.infos.push(r.info);
      }
    }
    return out;
  }

  /** Steps copy i alone (copies may then be out of lockstep); resets it automatically at the end. */
  stepOne(i: number, action: number): { obs: Observation; reward: number; terminated: boolean; truncated: boolean; info: StepInfo; finalObs: Observation | null } {
    const r = this.envs[i]!.step(action);
    if (!(r.terminated || r.truncated)) return { ...r, finalObs: null };
    this.episode[i]!++;
    const next = this.resetCopy(i);
    return { obs: next.obs, reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: r.info, finalObs: r.obs };
  }

  /** Resets copy i; a run that needs no decision at all is skipped to the next seed. */
  private resetCopy(i: number): { obs: Observation; info: StepInfo } {
    for (let tries = 0; ; tries++) {
      const r = this.envs[i]!.reset({ seed: this.seedOf(i) });
      if (!this.envs[i]!.done) return r;
      if (tries >= 3) throw new RangeError('the scenario offers the agent no decision: nothing to learn (check the agent scope)');
      this.episode[i]!++;
    }
  }
}
