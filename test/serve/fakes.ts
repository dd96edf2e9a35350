import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nearest } from '../../src/sim/policies/rules.js';
import type { DecisionContext } from '../../src/sim/policies/contract.js';
import { ModelLoadFailedError, type LoadedModel, type ModelAnswer, type ModelProvider } from '../../src/serve/model.js';
import { compareVersions } from '../../src/serve/registry-provider.js';

/** How a fake model behaves on real (non warm-up) requests. */
export type FakeBehaviour = 'good' | 'nan' | 'throw' | 'slow' | 'slow-sync' | 'ood' | 'unsure' | 'invalid' | 'out-of-scope';

export interface FakeSpec {
  behaviour: FakeBehaviour;
  /** Per-candidate score bonus, to tell versions apart. */
  tag?: number;
}

const isWarm = (ctx: DecisionContext) => ctx.order.id.startsWith('warm-');

/** A fake model: decides like `nearest`, with scores that separate candidates clearly, then misbehaves as told. */
export function fakeModel(name: string, version: string, spec: FakeSpec): LoadedModel {
  const base = nearest();
  const decide = (ctx: DecisionContext): ModelAnswer => {
    const d = base.decide(ctx);
    // Scores 0, -3, -6, ... by distance rank: a clear top choice.
    d.scores = ctx.order.lines.map((l) => {
      const order = l.candidates.map((c, i) => ({ i, km: c.distanceKm })).sort((a, b) => a.km - b.km);
      const s = new Array<number>(l.candidates.length).fill(0);
      order.forEach((x, rank) => (s[x.i] = -3 * rank + (spec.tag ?? 0)));
      return s;
    });
    d.propensity = 0.9;
    const features = ctx.order.lines.map((l) => [l.quantity, l.candidates.length]);
    if (isWarm(ctx)) return { decision: d, features };
    switch (spec.behaviour) {
      case 'nan':
        d.scores = d.scores.map((row) => row.map(() => NaN));
        break;
      case 'throw':
        throw new Error('tensor shape mismatch [1,15] vs [1,16]');
      case 'unsure':
        d.scores = d.scores.map((row) => row.map(() => 0.5));
        break;
      case 'slow-sync': {
        // Blocks for 30 ms: a synchronous model cannot be interrupted, only judged.
        const until = performance.now() + 30;
        while (performance.now() < until) {
          /* busy */
        }
        break;
      }
      case 'invalid':
        for (const l of d.lines) for (const a of l.allocations) a.quantity += 1_000_000;
        break;
      case 'out-of-scope':
        // As the network policy answers when its base rule decided every line.
        d.decidedBy = { kind: 'rules', name: 'nearest', reason: 'outside the scope of model m' };
        break;
      default:
        break;
    }
    return { decision: d, features };
  };
  return {
    name,
    version,
    checkInputs(ctx) {
      if (spec.behaviour === 'ood' && !isWarm(ctx)) return `line 0 quantity(=${ctx.order.lines[0]!.quantity}) outside the training range [0, 0]`;
      return null;
    },
    decide(ctx) {
      if (spec.behaviour === 'slow' && !isWarm(ctx)) {
        // Answers after 5 s: far beyond any budget the tests give.
        return new Promise<ModelAnswer>((res) => setTimeout(() => res(decide(ctx)), 5_000).unref());
      }
      return decide(ctx);
    },
  };
}

/**
 * A file-backed fake registry: `<root>/<name>/<version>/model.json` holds a
 * `FakeSpec`. A missing folder means no versions; unparsable JSON is a corrupt
 * model that fails to load.
 */
export function fakeProvider(root: string): ModelProvider & { loads: number } {
  const p = {
    loads: 0,
    async versions(name: string) {
      let entries: string[] = [];
      try {
        entries = readdirSync(join(root, name));
      } catch {
        return [];
      }
      return entries.sort(compareVersions).map((version) => ({ name, version }));
    },
    async load(name: string, version: string): Promise<LoadedModel> {
      p.loads++;
      let spec: FakeSpec;
      try {
        spec = JSON.parse(readFileSync(join(root, name, version, 'model.json'), 'utf8')) as FakeSpec;
      } catch (err) {
        throw new ModelLoadFailedError(`model ${name}@${version}: cannot read model.json: ${(err as Error).message}`);
      }
      return fakeModel(name, version, spec);
    },
  };
  return p;
}

/** Writes a fake model version into a registry folder. */
export function writeFakeModel(root: string, name: string, version: string, spec: FakeSpec | string): void {
  const dir = join(root, name, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), typeof spec === 'string' ? spec : JSON.stringify(spec));
}
