import { encodeStep, type EncodedStep } from '../agent/features/encoder.js';
import { listVersions, loadModel, outOfRange, type LoadedModel as RegistryModel } from '../agent/registry/index.js';
import type { DecisionContext } from '../sim/policies/contract.js';
import { registryPath } from './auth.js';
import type { FeatureRow } from './audit.js';
import { ModelLoadFailedError, type LoadedModel, type ModelAnswer, type ModelProvider, type ModelVersionInfo } from './model.js';

/**
 * Model versions from the agent's registry (`<root>/<name>/v<N>/`, see
 * src/agent/registry). Loading and validation are the registry's; this adapter
 * adds the service's view: the input-range check against the feature spec's
 * training ranges, and the encoded features for the audit log.
 */
export function registryProvider(root: string): ModelProvider {
  return {
    async versions(name: string): Promise<ModelVersionInfo[]> {
      return listVersions(registryPath(root, 'name', name)).map((version) => ({ name, version }));
    },
    async load(name: string, version: string): Promise<LoadedModel> {
      const dir = registryPath(root, 'version', name, version);
      let m: RegistryModel;
      try {
        m = loadModel(dir, { name });
      } catch (err) {
        throw new ModelLoadFailedError(`model ${name}@${version}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      }
      return adapt(name, version, m);
    },
  };
}

const NO_FEATURES = new Float32Array(0);

/** The registry's loaded model as the service's `LoadedModel`. */
export function adapt(name: string, version: string, m: RegistryModel): LoadedModel {
  const spec = m.spec;
  // The first step of each line, encoded once for the range check and reused by the decision
  // and the audit log. The chain calls checkInputs then decide for one context at a time, so the
  // last context's encoding is all that is kept (a WeakMap's entries cost the collector more).
  let lastCtx: DecisionContext | null = null;
  let lastSteps: (EncodedStep | null)[] = [];
  const encode = (ctx: DecisionContext): (EncodedStep | null)[] => {
    if (ctx !== lastCtx) {
      lastSteps = ctx.order.lines.map((line, i) => (line.quantity <= 0 || line.candidates.length === 0 ? null : encodeStep(ctx, i, [], line.quantity, spec.derived)));
      lastCtx = ctx;
    }
    return lastSteps;
  };
  return {
    name,
    version,
    checkInputs(ctx: DecisionContext): string | null {
      const steps = encode(ctx);
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        if (!step) continue;
        const bad = outOfRange(spec, { count: step.open.length, candidates: step.candidates, context: step.context });
        if (bad.length) return `line ${i}: ${bad.slice(0, 4).join(', ')}${bad.length > 4 ? ` and ${bad.length - 4} more` : ''} outside the training ranges`;
      }
      return null;
    },
    decide(ctx: DecisionContext): ModelAnswer {
      const decision = m.policy.decide(ctx, encode(ctx));
      // Per line: the context features, then each open candidate's (float32, as the network saw them).
      const features = encode(ctx).map((step): FeatureRow => (step ? { parts: [step.context, step.candidates] } : NO_FEATURES));
      // Lines the network did not score (outside its scope, decided by the base rule) keep all-zero rows.
      const rows = decision.scores ?? [];
      const scored = rows.every(isScored) ? undefined : rows.map(isScored);
      return { decision, features, scored };
    },
  };
}

/** True when the network scored the line: some score is not 0. */
function isScored(row: readonly number[]): boolean {
  for (let j = 0; j < row.length; j++) if (row[j] !== 0) return true;
  return false;
}

/** Orders version folder names: numeric parts numerically (v2 < v10), the rest as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
