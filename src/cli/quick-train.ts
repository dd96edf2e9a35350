import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { progressBar } from './progress.js';
import { loadScenario, type ContractMode } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';


/**
 * Trains the small policy `npm start` includes in its comparison and saves it as
 * a new version under `out` (learning curve in `out/training.jsonl`). It is meant
 * to take a minute or two; `allocsim train` is the full-control command.
 */
export async function trainQuickPolicy(scenario: string, out: string, progress: boolean, contracts?: ContractMode): Promise<string> {
  const loaded = loadScenario(scenario, { contracts });
  const world = buildWorld(loaded.scenario);
  const { selectBackend } = await import('../agent/backend.js');
  const backend = await selectBackend('auto');
  const { trainPpo } = await import('../agent/ppo/train.js');
  const { QUICK_CONFIG } = await import('../agent/quick.js');
  const iterations = QUICK_CONFIG.iterations ?? 6;
  const { saveModel } = await import('../agent/registry/index.js');
  mkdirSync(out, { recursive: true });
  const log = join(out, 'training.jsonl');
  writeFileSync(log, '');
  const bar = progressBar('train', progress);
  const started = performance.now();
  let result;
  try {
    result = await trainPpo({
      world,
      config: { ...QUICK_CONFIG },
      onWarmStart: (m) => appendFileSync(log, `${JSON.stringify({ warm_start: true, ...m })}\n`),
      onIteration: (m) => {
        appendFileSync(log, `${JSON.stringify(m)}\n`);
        bar.update(m.iteration, iterations, m.kpi_reward === null ? '' : `reward ${Math.round(m.kpi_reward).toLocaleString('en-US')}`);
      },
    });
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const last = result.metrics[result.metrics.length - 1];
  return saveModel(out, {
    params: result.params,
    spec: result.spec,
    config: result.config,
    meta: {
      name: out.replace(/\/+$/, '').split('/').pop()!,
      createdAt: new Date().toISOString(),
      scenario: { name: loaded.scenario.name, hash: loaded.hash },
      baseRule: result.config.baseRule,
      minUnitMargin: result.config.minUnitMargin,
      backend,
      trainingSeconds: seconds,
      finalMetrics: last ? { ...last } : {},
    },
    curve: result.metrics,
  });
}
