import { loadScenario, type ContractMode } from '../sim/scenario/index.js';

/**
 * Trains the small policy `npm start` shows being made: the default recipe
 * (hindsight imitation) with a short budget — one round after the expert's, one
 * episode each, two validation seeds — saved as a new version under `out` (log in
 * `out/training.jsonl`). `allocsim train` is the full-control command.
 */
export async function trainQuickPolicy(scenario: string, out: string, progress: boolean, contracts?: ContractMode): Promise<string> {
  const loaded = loadScenario(scenario, { contracts });
  const { selectBackend } = await import('../agent/backend.js');
  const backend = await selectBackend('auto');
  const { runRecipe } = await import('./recipe-run.js');
  const res = await runRecipe({
    loaded,
    out,
    backend,
    config: { rounds: 1, episodesPerRound: 1, validationSeeds: 2, seed: 1 },
    progress,
    label: 'train',
    echo: !progress || !process.stderr.isTTY,
  });
  return res.dir;
}
