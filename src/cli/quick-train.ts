import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { progressBar } from './progress.js';
import { loadScenario } from '../sim/scenario/index.js';
import { buildWorld } from '../sim/model/world.js';

/**
 * Trains the small policy `npm start` shows being made: the default recipe
 * (hindsight imitation) with a short budget — one round after the expert's, one
 * episode each, two validation seeds — saved as a new version under `out` (log in
 * `out/training.jsonl`). `allocsim train` is the full-control command.
 */
export async function trainQuickPolicy(scenario: string, out: string, progress: boolean): Promise<string> {
  const loaded = loadScenario(scenario);
  const world = buildWorld(loaded.scenario);
  const { selectBackend } = await import('../agent/backend.js');
  const backend = await selectBackend('auto');
  const { trainAndSave } = await import('../agent/recipe.js');
  mkdirSync(out, { recursive: true });
  const log = join(out, 'training.jsonl');
  writeFileSync(log, '');
  const bar = progressBar('train', progress);
  try {
    const res = await trainAndSave({
      world,
      scenario: { name: loaded.scenario.name, hash: loaded.hash },
      out,
      backend,
      config: { rounds: 1, episodesPerRound: 1, validationSeeds: 2, seed: 1 },
      log: (line) => {
        appendFileSync(log, `${JSON.stringify({ log: line })}\n`);
        if (!progress || !process.stderr.isTTY) process.stderr.write(`${line}\n`);
      },
      onRound: (m, rounds) => {
        appendFileSync(log, `${JSON.stringify(m)}\n`);
        bar.update(m.round + 1, rounds + 1, `validation ${m.val_reward_vs_base >= 0 ? '+' : ''}${Math.round(m.val_reward_vs_base).toLocaleString('en-US')}`);
      },
    });
    return res.dir;
  } finally {
    bar.stop();
  }
}
