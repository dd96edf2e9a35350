import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { progressBar } from './progress.js';
import type { LoadedScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';
import type { HindsightConfig } from '../agent/hindsight/train.js';

/**
 * Runs the default training recipe for a command: the log (what was derived, each
 * round) goes to `<out>/training.jsonl` and, when `echo`, to stderr; a progress bar
 * shows the validation gain; the best checkpoint is saved as a new version of `out`.
 */
export async function runRecipe(o: {
  loaded: LoadedScenario;
  out: string;
  backend: string;
  config: Partial<HindsightConfig>;
  progress: boolean;
  label: string;
  echo: boolean;
}): Promise<{ dir: string; seconds: number; bestRound: number; rounds: number; log: string }> {
  const { trainAndSave } = await import('../agent/recipe.js');
  const { oraclePlanner } = await import('../plan/hindsight-plan.js');
  const world = buildWorld(o.loaded.scenario);
  mkdirSync(o.out, { recursive: true });
  const log = join(o.out, 'training.jsonl');
  writeFileSync(log, '');
  const bar = progressBar(o.label, o.progress);
  const vs = o.config.baseRule ?? 'fair-share';
  try {
    const res = await trainAndSave({
      world,
      planner: oraclePlanner(world),
      scenario: { name: o.loaded.scenario.name, hash: o.loaded.hash },
      out: o.out,
      backend: o.backend,
      config: o.config,
      log: (line) => {
        appendFileSync(log, `${JSON.stringify({ log: line })}\n`);
        if (o.echo) process.stderr.write(`${line}\n`);
      },
      onRound: (m, rounds) => {
        appendFileSync(log, `${JSON.stringify(m)}\n`);
        bar.update(m.round + 1, rounds + 1, `validation ${m.val_reward_vs_base >= 0 ? '+' : ''}${Math.round(m.val_reward_vs_base).toLocaleString('en-US')} vs ${vs}`);
      },
    });
    return { dir: res.dir, seconds: res.seconds, bestRound: res.bestRound, rounds: res.metrics.length - 1, log };
  } finally {
    bar.stop();
  }
}
