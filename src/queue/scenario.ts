import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadScenario } from '../sim/scenario/index.js';
import type { ScenarioRef } from './queue.js';

/** True when `loadScenario` reads `nameOrPath` as a file rather than a shipped name. */
function isPath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.ya?ml$/.test(nameOrPath);
}

/** How a task carries a scenario: a shipped name as is, a file as its text (workers need not have it). */
export function scenarioRef(nameOrPath: string): ScenarioRef {
  const loaded = loadScenario(nameOrPath);
  if (!isPath(nameOrPath)) return { name: nameOrPath, hash: loaded.hash };
  return { yaml: readFileSync(resolve(nameOrPath), 'utf8'), source: basename(nameOrPath), hash: loaded.hash };
}

/**
 * The scenario argument a worker passes on: the shipped name, or a file it
 * writes under its temp dir (named by content). Throws when the scenario
 * loads differently here than where it was submitted (another allocsim version).
 */
export function materialiseScenario(ref: ScenarioRef): string {
  let arg: string;
  if (ref.yaml !== undefined) {
    const digest = createHash('sha256').update(ref.yaml).digest('hex').slice(0, 16);
    const dir = join(tmpdir(), 'allocsim-scenarios', digest);
    arg = join(dir, ref.source && /\.ya?ml$/.test(ref.source) ? ref.source : 'scenario.yaml');
    if (!existsSync(arg)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${arg}.${process.pid}.tmp`;
      writeFileSync(tmp, ref.yaml);
      renameSync(tmp, arg);
    }
  } else {
    arg = ref.name!;
  }
  const here = loadScenario(arg).hash;
  if (here !== ref.hash) {
    throw new Error(`scenario ${ref.name ?? ref.source}: loads differently on this worker (hash ${here.slice(0, 12)} != ${ref.hash.slice(0, 12)}); run the same allocsim version everywhere`);
  }
  return arg;
}
