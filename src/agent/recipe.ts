import type { World } from '../sim/model/world.js';
import { HINDSIGHT_DEFAULTS, trainHindsight, type DerivedReport, type HindsightConfig, type RoundMetrics } from './hindsight/train.js';
import type { HindsightPlanner } from './hindsight/plan.js';
import { saveModel } from './registry/index.js';

/** What `trainAndSave` needs besides the world. */
export interface RecipeOptions {
  world: World;
  /** The scenario's name and content hash, recorded with the model. */
  scenario: { name: string; hash: string };
  /** Model directory (`models/<name>`): a new version is written inside. */
  out: string;
  /** Overrides of the recipe's generic defaults. */
  config?: Partial<HindsightConfig>;
  backend: string;
  /** One line of the training log (what was derived, each round). */
  log: (line: string) => void;
  onRound?: (m: RoundMetrics, rounds: number) => void;
  /** Hindsight plans of seeds (the oracle's, from the command): needed for plan labels, the default. */
  planner?: HindsightPlanner;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The derivation in words, one line each: the log says what the recipe took from the scenario. */
export function describeDerived(d: DerivedReport, scenario: string): string[] {
  const lines: string[] = [];
  if (d.scarceSkus.length === 0) {
    lines.push(
      `warning: no SKU of ${scenario} is scarce (supply covered demand in both derivation runs of the base rule): ` +
        'the policy can only learn warehouse and mode choice; allocation under scarcity is not at stake here',
    );
  }
  for (const s of d.scarceSkus) {
    lines.push(`derived: ${s.sku} is scarce (supply ${fmt(s.supplyUnits)} vs demand ${fmt(s.demandUnits)} units per run); opportunity cost at half its demand ${s.chargeAtHalf.toFixed(2)} per unit`);
  }
  lines.push(`derived: reward weights margin ${d.marginWeight}, penalties ${d.penaltyWeight}; contracts ${d.hardContracts ? 'hard (commitments are constraints)' : 'soft (shortfall is a price)'}`);
  lines.push(`derived: steps kept for training: ${(d.scarceKeepRate * 100).toFixed(0)}% of scarce-SKU steps, ${(d.ordinaryKeepRate * 100).toFixed(0)}% of the others`);
  lines.push(
    d.labels === 'plan'
      ? 'derived: scarce-SKU decisions labelled by the hindsight plan of each seed (the oracle LP, per order)' +
          (d.replans > 1 ? `, solved again from the state each episode reached ${d.replans - 1} times an episode` : '') +
          '; a contract left short in validation raises its target in the plans' +
          (d.stakes ? "; each label weighted by its stake at the plan's bid and contract prices" : '') +
          (d.offPath ? "; where an episode has sold ahead of or behind the plan, the state's hindsight bid price decides" : '') +
          (d.catchUp ? '; a contract order is labelled serve while the episode is behind the plan on its commitment' : '')
      : 'derived: scarce-SKU decisions labelled by hindsight bid prices (the S-th most valuable unit still to come)',
  );
  lines.push(`derived: hindsight expert (sees the seed's future) ${fmt(d.expertReward)} vs base rule ${fmt(d.baseReward)} on the first training seed`);
  return lines;
}

/**
 * The default training recipe end to end: hindsight imitation with its generic
 * defaults, then the best validated checkpoint saved as a new version of `out`.
 * Returns the version directory.
 */
export async function trainAndSave(o: RecipeOptions): Promise<{ dir: string; seconds: number; metrics: RoundMetrics[]; bestRound: number }> {
  const started = performance.now();
  const hard = o.world.scenario.contracts !== 'soft';
  const cfg = { hardContracts: hard, ...o.config };
  const rounds = cfg.rounds ?? HINDSIGHT_DEFAULTS.rounds;
  const result = await trainHindsight(o.world, cfg, {
    ...(o.planner ? { planner: o.planner } : {}),
    onDerived: (d) => {
      for (const line of describeDerived(d, o.scenario.name)) o.log(line);
    },
    onRound: (m) => {
      o.log(
        `round ${m.round}/${rounds}: ${fmt(m.samples)} labelled steps (${fmt(m.aggregate)} in all), loss ${m.loss.toFixed(4)}, ` +
          `agreement ${(m.accuracy * 100).toFixed(1)}%; validation reward ${fmt(m.val_reward)} (${m.val_reward_vs_base >= 0 ? '+' : ''}${fmt(m.val_reward_vs_base)} vs ${cfg.baseRule ?? 'fair-share'}), ` +
          `contract fill ${(m.val_contract_fill * 100).toFixed(1)}%, periods below target ${m.val_contract_misses} (base ${m.base_contract_misses})` +
          `${m.contract_buffer > 0 ? `; plans' contract margin +${(m.contract_buffer * 100).toFixed(1)} points` : ''}; ${m.seconds.toFixed(0)} s`,
      );
      o.onRound?.(m, rounds);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const best = result.metrics.find((m) => m.round === result.bestRound)!;
  o.log(
    `kept the checkpoint of round ${result.bestRound} (${hard ? `fewest contract periods below target in validation, ${best.val_contract_misses}; then ` : ''}best validation reward, ${fmt(best.val_reward)})`,
  );
  const dir = saveModel(o.out, {
    params: result.params,
    spec: result.spec,
    config: result.config,
    meta: {
      name: o.out.replace(/\/+$/, '').split('/').pop()!,
      createdAt: new Date().toISOString(),
      scenario: o.scenario,
      baseRule: result.config.baseRule,
      minUnitMargin: 0,
      decisionMode: 'greedy',
      backend: o.backend,
      trainingSeconds: seconds,
      finalMetrics: { ...best },
      method: 'hindsight',
      derived: result.derived,
      bestRound: result.bestRound,
    },
    curve: result.metrics,
  });
  return { dir, seconds, metrics: result.metrics, bestRound: result.bestRound };
}
