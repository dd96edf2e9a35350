/** PPO hyper-parameters and run settings, with CleanRL's defaults where they apply. */
export interface PpoConfig {
  /** Training iterations (rollout + update). */
  iterations: number;
  /** Parallel environment copies; copy i is seeded `seed + i`. */
  envs: number;
  /** Steps collected per environment copy per iteration; 0 = one whole episode per copy (late credits never cut off). */
  rolloutSteps: number;
  /** Seed of the environments, the network initialisation and action sampling. */
  seed: number;
  /** Adam learning rate at the start (annealed linearly to 0 when `annealLr`). */
  learningRate: number;
  /** Anneal the learning rate linearly over the iterations. */
  annealLr: boolean;
  /** Discount factor γ per agent step. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** Minibatches per epoch. */
  minibatches: number;
  /** Update epochs per iteration. */
  updateEpochs: number;
  /** Normalise advantages within each minibatch. */
  normAdv: boolean;
  /** Surrogate clipping coefficient ε. */
  clipCoef: number;
  /** Clip the value loss around the old values too. */
  clipVloss: boolean;
  /** Entropy bonus coefficient. */
  entCoef: number;
  /** Value loss coefficient. */
  vfCoef: number;
  /** Global gradient-norm clip. */
  maxGradNorm: number;
  /** Stop an iteration's epochs once approx_kl exceeds this (null = never). */
  targetKl: number | null;
  /** Hidden width of both MLPs. */
  hidden: number;
  /** Reward multiplier applied by the env (money → learning scale); the trainer further divides by `returnScale`. */
  rewardScale: number;
  /** Std of discounted returns in the teacher sample, fitted at the start (null = fit it); rewards are divided by it. */
  returnScale: number | null;
  /** How reward is credited to steps: `time` (as it lands) or `order` (to the order's decision). */
  credit: 'time' | 'order';
  /** Rule that decides out-of-scope lines and sequences waves; also the behaviour-cloning teacher. */
  baseRule: string;
  /** Lines with unit margin below this are decided by the base rule (0 = agent decides all). */
  minUnitMargin: number;
  /**
   * `order` credit only: charge each unit the agent allocates the SKU's
   * market-clearing margin for the remaining horizon, from curves estimated on the
   * teacher episodes (`clearing`), or nothing (`none`).
   */
  stockCharge: 'clearing' | 'none';
  /** The fitted charge curves per SKU id (filled in by the trainer; saved with the model). */
  stockChargePerSku: Record<string, number[]> | null;
  /** Behaviour-cloning warm start: teacher episodes (0 = none). */
  bcEpisodes: number;
  /** Behaviour-cloning epochs over the teacher's steps. */
  bcEpochs: number;
  /** Behaviour-cloning label smoothing: probability mass spread over all open options (keeps exploration). */
  bcSmoothing: number;
  /** Horizon override in days (null = the scenario's). */
  days: number | null;
  /** Wall-clock budget: no new iteration starts after this many seconds (null = none). */
  maxSeconds: number | null;
}

export const DEFAULT_PPO_CONFIG: PpoConfig = {
  iterations: 20,
  envs: 2,
  rolloutSteps: 512,
  seed: 1,
  learningRate: 3e-4,
  annealLr: true,
  gamma: 0.99,
  gaeLambda: 0.95,
  minibatches: 4,
  updateEpochs: 4,
  normAdv: true,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0.01,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  hidden: 64,
  rewardScale: 1,
  returnScale: null,
  credit: 'time',
  baseRule: 'fair-share',
  minUnitMargin: 0,
  stockCharge: 'none',
  stockChargePerSku: null,
  bcEpisodes: 0,
  bcEpochs: 4,
  bcSmoothing: 0.1,
  days: null,
  maxSeconds: null,
};

/** Raised for a bad config value; names the field and value. */
export class PpoConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Fills defaults and checks every field. */
export function resolveConfig(partial: Partial<PpoConfig>): PpoConfig {
  const c: PpoConfig = { ...DEFAULT_PPO_CONFIG, ...partial };
  const pos = (k: keyof PpoConfig, int: boolean) => {
    const v = c[k] as number;
    if (!Number.isFinite(v) || v <= 0 || (int && !Number.isInteger(v))) throw new PpoConfigError(`${k}(=${v}) must be a${int ? ' whole' : ''} number > 0`);
  };
  if (!(Number.isInteger(c.rolloutSteps) && c.rolloutSteps >= 0)) throw new PpoConfigError(`rolloutSteps(=${c.rolloutSteps}) must be a whole number >= 0`);
  for (const k of ['iterations', 'envs', 'minibatches', 'updateEpochs', 'hidden', 'bcEpochs'] as const) pos(k, true);
  for (const k of ['learningRate', 'clipCoef', 'maxGradNorm', 'rewardScale'] as const) pos(k, false);
  for (const k of ['gamma', 'gaeLambda'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new PpoConfigError(`${k}(=${c[k]}) must be in [0, 1]`);
  }
  for (const k of ['entCoef', 'vfCoef', 'minUnitMargin', 'bcEpisodes'] as const) {
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw new PpoConfigError(`${k}(=${c[k]}) must be a finite number >= 0`);
  }
  if (!Number.isInteger(c.seed)) throw new PpoConfigError(`seed(=${c.seed}) must be an integer`);
  if (c.credit !== 'time' && c.credit !== 'order') throw new PpoConfigError(`credit(=${c.credit}) must be time or order`);
  if (c.returnScale !== null && !(c.returnScale > 0)) throw new PpoConfigError(`returnScale(=${c.returnScale}) must be > 0 or null`);
  if (!(c.bcSmoothing >= 0 && c.bcSmoothing < 1)) throw new PpoConfigError(`bcSmoothing(=${c.bcSmoothing}) must be in [0, 1)`);
  if (c.stockCharge !== 'clearing' && c.stockCharge !== 'none') throw new PpoConfigError(`stockCharge(=${c.stockCharge}) must be clearing or none`);
  if (c.maxSeconds !== null && !(c.maxSeconds > 0)) throw new PpoConfigError(`maxSeconds(=${c.maxSeconds}) must be > 0 or null`);
  if (c.targetKl !== null && !(c.targetKl > 0)) throw new PpoConfigError(`targetKl(=${c.targetKl}) must be > 0 or null`);
  if (c.days !== null && !(Number.isInteger(c.days) && c.days > 0)) throw new PpoConfigError(`days(=${c.days}) must be a whole number > 0 or null`);
  return c;
}
