import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { action, intOption, UsageError } from './errors.js';
import { addContractsOption } from './contracts.js';
import { progressBar } from './progress.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import { RULE_NAMES } from '../sim/policies/rules.js';

interface TrainCliOptions {
  method: string;
  rounds: number;
  episodes: number;
  labels: string;
  stakes: boolean;
  offPath: boolean;
  catchUp: boolean;
  replans: number;
  validationSeeds: number;
  scenario: string;
  out: string;
  iterations: number;
  seed: number;
  envs: number;
  backend: string;
  rolloutSteps: number;
  stockCharge: string;
  gaeLambda: string;
  bcEpisodes: number;
  bcEpochs: number;
  bcSmoothing: string;
  minUnitMargin: string;
  baseRule: string;
  credit: string;
  lr?: string;
  entCoef: string;
  gamma: string;
  epochs: number;
  minibatches: number;
  targetKl?: string;
  days?: number;
  maxMinutes?: string;
  decisionMode: string;
  resume?: string;
  progress: boolean;
  contracts?: ContractMode;
}

function numberOption(name: string, value: string, min: number, max = Infinity): number {
  const v = Number(value);
  if (!value.trim() || !Number.isFinite(v) || v < min || v > max) throw new UsageError(`${name}(=${value}) must be a number in [${min}, ${max}]`);
  return v;
}

export function register(program: Command): void {
  addContractsOption(program.command('train'))
    .description(
      'train a network policy and save it as a new version. The default recipe (hindsight) derives what it needs from the scenario, ' +
        'imitates hindsight-optimal decisions on played episodes (DAgger) and keeps the checkpoint that scored best on validation seeds; ' +
        '--method ppo is the earlier PPO trainer',
    )
    .requiredOption('--scenario <name|path>', 'scenario to train on')
    .requiredOption('--out <dir>', 'model directory, e.g. models/launch (a new version v<N> is written inside)')
    .option('--method <m>', 'hindsight (default) or ppo', 'hindsight')
    .option('--rounds <n>', 'hindsight: rounds in which the network plays and hindsight labels what it saw', intOption('--rounds', 0), 6)
    .option('--labels <kind>', 'hindsight: plan (imitate the hindsight plan of each seed) or prices (hindsight bid prices)', 'plan')
    .option('--no-stakes', "hindsight (plan labels): count every plan label alike instead of by its stake at the plan's prices")
    .option('--no-off-path', "hindsight (plan labels): follow the plan even where the episode has sold ahead of or behind it")
    .option('--no-catch-up', "hindsight (plan labels): follow the plan even where the episode is behind it on a contract commitment")
    .option('--replans <n>', "hindsight (plan labels): plans per episode — the seed's plan from its start and n − 1 more solved again from the states the episode reached, evenly spaced; 1: the plan from the start only", intOption('--replans', 1), 8)
    .option('--episodes <n>', 'hindsight: episodes played per round', intOption('--episodes', 1), 2)
    .option('--validation-seeds <n>', 'seeds (seed + 2000000 + v) the kept checkpoint is chosen on; with --sweep, the seeds the models are compared on', intOption('--validation-seeds', 1), 12)
    .option('--iterations <n>', 'ppo: PPO iterations', intOption('--iterations', 1), 20)
    .option('--seed <n>', 'seed: episodes use seed + i; derivation and teacher runs seed + 1000000 + e; validation seed + 2000000 + v', intOption('--seed'), 1)
    .option('--envs <n>', 'parallel environment copies', intOption('--envs', 1), 2)
    .option('--backend <b>', 'tfjs backend: auto, tensorflow, wasm or cpu', 'auto')
    .option('--rollout-steps <n>', 'steps per env copy per iteration; 0 = one whole episode per copy', intOption('--rollout-steps', 0), 512)
    .option('--bc-episodes <n>', 'behaviour-cloning warm start from the base rule: teacher episodes (0 = none)', intOption('--bc-episodes', 0), 0)
    .option('--bc-epochs <n>', 'behaviour-cloning epochs', intOption('--bc-epochs', 1), 4)
    .option('--bc-smoothing <x>', 'behaviour-cloning label smoothing (keeps exploration), 0..1', '0.1')
    .option('--min-unit-margin <x>', 'lines with a unit margin below this are decided by the base rule', '0')
    .option('--base-rule <rule>', 'rule for out-of-scope lines, wave order and the warm start', 'fair-share')
    .option('--credit <mode>', 'reward credit: time (as entries land) or order (to the order\'s decision)', 'time')
    .option('--lr <x>', 'Adam learning rate (default 1e-3 for hindsight, 3e-4 for ppo)')
    .option('--ent-coef <x>', 'entropy bonus coefficient', '0.01')
    .option('--gamma <x>', 'discount per agent step', '0.99')
    .option('--gae-lambda <x>', 'GAE lambda', '0.95')
    .option('--stock-charge <mode>', 'with --credit order: clearing (charge allocations the scarce SKU\'s market-clearing margin) or none', 'none')
    .option('--epochs <n>', 'PPO update epochs per iteration', intOption('--epochs', 1), 4)
    .option('--minibatches <n>', 'minibatches per epoch', intOption('--minibatches', 1), 4)
    .option('--target-kl <x>', 'stop an iteration\'s epochs above this approx_kl')
    .option('--days <n>', 'train on this many days instead of the scenario horizon', intOption('--days', 1))
    .option('--decision-mode <mode>', 'how the saved policy decides by default: sample (as trained) or greedy', 'sample')
    .option('--max-minutes <x>', 'wall-clock budget: no new iteration starts after this many minutes')
    .option('--resume <dir>', 'continue from a saved model version (its normalisation is kept)')
    .option('--no-progress', 'never show a progress bar')
    .option('--sweep <name=values>', 'train once per value (repeat for a grid): seed=1,2,3, seed=1..3, lr=3e-4,1e-3; models go to <out>-<point>', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--queue <url>', 'with --sweep: run the trainings on `allocsim worker` processes (postgres://... or env:NAME)')
    .option('--task-timeout <s>', 'with --queue: a training running longer is taken for lost and run again', intOption('--task-timeout', 1), 4 * 3600)
    .action(
      action(async (opts: TrainCliOptions & { sweep: string[]; queue?: string }, cmd: Command) => {
        if (opts.sweep.length || opts.queue) return (await import('./train-sweep.js')).runSweep(cmd);
        return runTrain(opts);
      }),
    );
}

async function runTrain(opts: TrainCliOptions): Promise<void> {
  if (opts.method === 'hindsight') return runHindsight(opts);
  if (opts.method !== 'ppo') throw new UsageError(`--method(=${opts.method}) must be hindsight or ppo`);
  if (!RULE_NAMES.includes(opts.baseRule)) throw new UsageError(`--base-rule(=${opts.baseRule}) must be one of ${RULE_NAMES.join(', ')}`);
  if (opts.decisionMode !== 'sample' && opts.decisionMode !== 'greedy') throw new UsageError(`--decision-mode(=${opts.decisionMode}) must be sample or greedy`);
  if (opts.credit !== 'time' && opts.credit !== 'order') throw new UsageError(`--credit(=${opts.credit}) must be time or order`);
  const minUnitMargin = numberOption('--min-unit-margin', opts.minUnitMargin, 0);
  const learningRate = numberOption('--lr', opts.lr ?? '3e-4', 1e-8, 1);
  const entCoef = numberOption('--ent-coef', opts.entCoef, 0, 10);
  const gamma = numberOption('--gamma', opts.gamma, 0, 1);
  const gaeLambda = numberOption('--gae-lambda', opts.gaeLambda, 0, 1);
  if (opts.stockCharge !== 'clearing' && opts.stockCharge !== 'none') throw new UsageError(`--stock-charge(=${opts.stockCharge}) must be clearing or none`);
  const targetKl = opts.targetKl === undefined ? null : numberOption('--target-kl', opts.targetKl, 1e-8);
  const loaded = loadScenario(opts.scenario, { contracts: opts.contracts });
  const world = buildWorld(loaded.scenario);
  // Heavy modules (tfjs) load only for this command.
  const { selectBackend } = await import('../agent/backend.js');
  const backend = await selectBackend(opts.backend);
  const { trainPpo } = await import('../agent/ppo/train.js');
  const { saveModel, loadModel } = await import('../agent/registry/index.js');
  const resume = opts.resume ? loadModel(opts.resume) : undefined;
  mkdirSync(opts.out, { recursive: true });
  const log = join(opts.out, 'training.jsonl');
  writeFileSync(log, '');
  const bar = progressBar(`train ${loaded.scenario.name}`, opts.progress);
  const started = performance.now();
  const config = {
    iterations: opts.iterations,
    envs: opts.envs,
    rolloutSteps: opts.rolloutSteps,
    seed: opts.seed,
    learningRate,
    gamma,
    gaeLambda,
    entCoef,
    stockCharge: opts.stockCharge as 'clearing' | 'none',
    updateEpochs: opts.epochs,
    minibatches: opts.minibatches,
    targetKl,
    credit: opts.credit as 'time' | 'order',
    baseRule: opts.baseRule,
    minUnitMargin: resume ? resume.meta.minUnitMargin : minUnitMargin,
    bcEpisodes: opts.bcEpisodes,
    bcEpochs: opts.bcEpochs,
    bcSmoothing: numberOption('--bc-smoothing', opts.bcSmoothing, 0, 0.99),
    days: opts.days ?? null,
    maxSeconds: opts.maxMinutes === undefined ? null : numberOption('--max-minutes', opts.maxMinutes, 0.01) * 60,
    ...(resume
      ? {
          hidden: resume.params.pb1.length,
          returnScale: typeof resume.config.returnScale === 'number' ? resume.config.returnScale : null,
          stockChargePerSku: (resume.config.stockChargePerSku as Record<string, number[]> | null | undefined) ?? null,
        }
      : {}),
  };
  let result;
  try {
    result = await trainPpo({
      world,
      config,
      ...(resume ? { resume: { params: resume.params, spec: resume.spec } } : {}),
      onWarmStart: (m) => {
        appendFileSync(log, `${JSON.stringify({ warm_start: true, ...m })}\n`);
        if (!opts.progress || !process.stderr.isTTY) process.stderr.write(`warm start: ${m.steps} teacher steps, loss ${m.loss.toFixed(4)}, accuracy ${(m.accuracy * 100).toFixed(1)}%\n`);
      },
      onIteration: (m) => {
        appendFileSync(log, `${JSON.stringify(m)}\n`);
        const reward =
          (m.kpi_reward === null ? '' : `reward ${Math.round(m.kpi_reward).toLocaleString('en-US')}`) +
          (m.kpi_reward_vs_base === null ? '' : ` (${m.kpi_reward_vs_base >= 0 ? '+' : ''}${Math.round(m.kpi_reward_vs_base).toLocaleString('en-US')} vs ${opts.baseRule})`);
        bar.update(m.iteration, opts.iterations, reward);
        if (!opts.progress || !process.stderr.isTTY) {
          process.stderr.write(`iter ${m.iteration}/${opts.iterations} ${reward} approx_kl ${m.approx_kl.toFixed(4)} clipfrac ${m.clipfrac.toFixed(3)} ev ${m.explained_variance.toFixed(3)} sps ${m.sps}\n`);
        }
      },
    });
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const last = result.metrics[result.metrics.length - 1];
  const dir = saveModel(opts.out, {
    params: result.params,
    spec: result.spec,
    config: result.config,
    meta: {
      name: opts.out.replace(/\/+$/, '').split('/').pop()!,
      createdAt: new Date().toISOString(),
      scenario: { name: loaded.scenario.name, hash: loaded.hash },
      baseRule: result.config.baseRule,
      minUnitMargin: result.config.minUnitMargin,
      decisionMode: opts.decisionMode as 'sample' | 'greedy',
      backend,
      trainingSeconds: seconds,
      finalMetrics: last ? { ...last } : {},
    },
    curve: result.metrics,
  });
  process.stdout.write(`saved ${dir} (${result.metrics.length} iterations, ${seconds.toFixed(0)} s on ${backend}); learning curve in ${log}\n`);
}

/** The default recipe: hindsight imitation, its log on stderr and in training.jsonl, the best checkpoint saved. */
async function runHindsight(opts: TrainCliOptions): Promise<void> {
  const learningRate = opts.lr === undefined ? undefined : numberOption('--lr', opts.lr, 1e-8, 1);
  const maxSeconds = opts.maxMinutes === undefined ? null : numberOption('--max-minutes', opts.maxMinutes, 0.01) * 60;
  if (!RULE_NAMES.includes(opts.baseRule)) throw new UsageError(`--base-rule(=${opts.baseRule}) must be one of ${RULE_NAMES.join(', ')}`);
  if (opts.labels !== 'plan' && opts.labels !== 'prices') throw new UsageError(`--labels(=${opts.labels}) must be plan or prices`);
  const loaded = loadScenario(opts.scenario, { contracts: opts.contracts });
  const { selectBackend } = await import('../agent/backend.js');
  const backend = await selectBackend(opts.backend);
  const { runRecipe } = await import('./recipe-run.js');
  const res = await runRecipe({
    loaded,
    out: opts.out,
    backend,
    config: {
      seed: opts.seed,
      rounds: opts.rounds,
      episodesPerRound: opts.episodes,
      labels: opts.labels,
      stakes: opts.stakes,
      offPath: opts.offPath,
      catchUp: opts.catchUp,
      replans: opts.replans,
      validationSeeds: opts.validationSeeds,
      baseRule: opts.baseRule,
      days: opts.days ?? null,
      maxSeconds,
      ...(learningRate !== undefined ? { learningRate } : {}),
    },
    progress: opts.progress,
    label: `train ${loaded.scenario.name}`,
    echo: true,
  });
  process.stdout.write(`saved ${res.dir} (round ${res.bestRound} of ${res.rounds}, ${res.seconds.toFixed(0)} s on ${backend}); training log in ${res.log}\n`);
}
