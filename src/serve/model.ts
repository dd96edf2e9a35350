import type { FeatureRow } from './audit.js';
import type { Decision, DecisionContext } from '../sim/policies/contract.js';

/** Why the model did not decide a request (wire: `FALLBACK_REASON_<UPPER>`). */
export type FallbackReason = 'none' | 'no_model' | 'model_error' | 'deadline' | 'out_of_distribution' | 'low_confidence' | 'forced' | 'out_of_scope';

/** The reasons a model stage can give for stepping aside. */
export type UnavailableReason = Exclude<FallbackReason, 'none' | 'forced'>;

/**
 * A stage of the fallback chain cannot answer this request. The chain moves on
 * to the next stage only for this error; anything else is a bug and propagates
 * (hono's SmartRouter pattern).
 */
export class UnavailableError extends Error {
  constructor(
    readonly reason: UnavailableReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'UnavailableError';
  }
}

/**
 * Makes an `UnavailableError` without capturing a stack trace: stepping aside is
 * expected control flow on the hot path, and a stack costs more than a decision.
 */
export function unavailable(reason: UnavailableReason, detail: string, options?: { cause?: unknown }): UnavailableError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new UnavailableError(reason, detail, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A model version failed to load, validate or warm; the previous one stays active. */
export class ModelLoadFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelLoadFailedError';
  }
}

/** What a model answers for one context. */
export interface ModelAnswer {
  /** Must carry per-line, per-candidate `scores` and the chosen action's `propensity`. */
  decision: Decision;
  /** The encoded observation the model saw (for the audit log), per line. */
  features?: readonly FeatureRow[];
  /** Per line, whether the model scored it (false: decided by a base rule inside the model); default all true. */
  scored?: boolean[];
}

/**
 * One loaded model version, as the service needs it: a readiness-checked policy
 * with an input-range check. Implemented over the agent's registry and by the
 * fakes in the tests.
 */
export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  /**
   * Null when every input lies inside the ranges the model was trained on;
   * otherwise a short description of the first one that does not
   * (e.g. `line 0 candidate reno distanceKm(=9000) outside [0, 4500]`).
   */
  checkInputs(ctx: DecisionContext): string | null;
  /** Decides one context. May be synchronous or asynchronous; may throw. */
  decide(ctx: DecisionContext): ModelAnswer | Promise<ModelAnswer>;
  /** Frees resources (tensors) once the version no longer takes traffic. */
  dispose?(): void;
}

/** A version a provider can load. */
export interface ModelVersionInfo {
  name: string;
  version: string;
}

/**
 * Where model versions come from (the registry directory). `versions` lists what
 * is there, oldest first; `load` reads and validates one, throwing
 * `ModelLoadFailedError` when it is missing, corrupt or incompatible.
 */
export interface ModelProvider {
  versions(name: string): Promise<ModelVersionInfo[]>;
  load(name: string, version: string): Promise<LoadedModel>;
}
