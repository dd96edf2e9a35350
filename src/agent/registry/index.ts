/**
 * The model registry: versioned checkpoints on disk, and the loader the CLI and
 * the gRPC service share.
 *
 * Layout: `models/<name>/<version>/` (versions `v1`, `v2`, … in save order) holds
 *   - `model.json` + `weights.bin`: the network in tfjs's artifact style
 *     (`weightsManifest` of float32 tensors in `weights.bin`, plus `hidden`);
 *   - `feature-spec.json`: feature names and order, normalisation, ranges seen in training;
 *   - `config.json`: the training config; `meta.json`: scenario name and hash, base
 *     rule, agent scope, final metrics, backend; `learning-curve.jsonl`: per-iteration metrics.
 *
 * API (no tfjs, no PPO code — safe for `src/serve`):
 *   - `loadModel(dir, { name?, mode? })` → `LoadedModel { policy, spec, meta, params, config, dir }`.
 *     `dir` is `models/<name>` (latest version) or `models/<name>/<version>`.
 *     `policy` is a `NetworkPolicy`: `decide(ctx)` (tensor-free, with per-candidate
 *     scores and the propensity of the chosen options) and `scoreBatch(ctxs)`.
 *     `mode` overrides the model's `decisionMode`: `greedy` (most probable option)
 *     or `sample` (draws seeded by order id and hour: same context, same decision).
 *     Missing or corrupt files, a wrong spec version or mismatched shapes raise
 *     `ModelLoadError` (name 'ModelLoadError'), naming the file and the problem.
 *   - `outOfRange(spec, obs)`: features of an encoded step outside the training ranges.
 *     File names in `weightsManifest` must stay inside the version folder.
 *   - `saveModel(root, artifacts)` → the new version's directory, published atomically
 *     (written into a temporary folder beside it, then renamed into place).
 *   - `resolveModelDir(dir)`, `listVersions(dir)`, `versionFingerprint(dir)`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, sep } from 'node:path';
import { createRulePolicy } from '../../sim/policies/rules.js';
import { CANDIDATE_FEATURES, CONTEXT_FEATURES, FEATURE_SPEC_VERSION, NC, NX, type FeatureSpec } from '../features/encoder.js';
import { Network, PARAM_NAMES, paramShapes, type NetworkParams } from '../network.js';
import { NetworkPolicy } from '../network-policy.js';

/** A model that cannot be loaded: missing or corrupt files, wrong version or shapes. */
export class ModelLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelLoadError';
  }
}

export const MODEL_FORMAT = 'allocsim-policy';
export const MODEL_FORMAT_VERSION = 1;

/** What `meta.json` records. */
export interface ModelMeta {
  name: string;
  version: string;
  createdAt: string;
  scenario: { name: string; hash: string };
  /** Rule that decides out-of-scope lines and sequences waves. */
  baseRule: string;
  /** Lines with a unit margin below this go to the base rule. */
  minUnitMargin: number;
  /** How the policy decides by default: `sample` (as trained, seeded per order and hour) or `greedy`. Absent = greedy. */
  decisionMode?: 'greedy' | 'sample';
  backend: string;
  trainingSeconds: number;
  finalMetrics: Record<string, number | null>;
  /** The training recipe (`hindsight` or `ppo`) and, for hindsight, what it derived and which round it kept. */
  method?: string;
  derived?: object;
  bestRound?: number;
}

export interface ModelArtifacts {
  params: NetworkParams;
  spec: FeatureSpec;
  config: object;
  meta: Omit<ModelMeta, 'version'>;
  curve: readonly object[];
}

export interface LoadedModel {
  policy: NetworkPolicy;
  spec: FeatureSpec;
  meta: ModelMeta;
  params: NetworkParams;
  config: Record<string, unknown>;
  /** The version directory loaded. */
  dir: string;
}

/** Version directories of a model, oldest first (`v1`, `v2`, …). */
export function listVersions(modelDir: string): string[] {
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory()) return [];
  return readdirSync(modelDir)
    .filter((d) => /^v\d+$/.test(d) && statSync(join(modelDir, d)).isDirectory())
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** The name the next version of a model directory gets (`v1` when it has none). */
export function nextVersion(modelDir: string): string {
  const versions = listVersions(modelDir);
  return `v${versions.length ? Number(versions[versions.length - 1]!.slice(1)) + 1 : 1}`;
}

/** `models/<name>` → its latest version directory; a version directory stays as is. */
export function resolveModelDir(dir: string): string {
  if (existsSync(join(dir, 'model.json'))) return dir;
  const versions = listVersions(dir);
  if (versions.length === 0) throw new ModelLoadError(`model(=${dir}) not found: no model.json and no v<N> version directories`);
  return join(dir, versions[versions.length - 1]!);
}

/**
 * Writes a new version under `root` (`models/<name>`); returns its directory.
 * Atomic: the files are written into a temporary folder beside the versions
 * (`.incoming-*`, which `listVersions` does not list) and the folder is renamed
 * into place, so a reader (the service's registry watch) sees a version whole or
 * not at all, and a failed save leaves no version behind. Two saves racing for
 * the same number: the rename of the second fails and it takes the next number.
 */
export function saveModel(root: string, a: ModelArtifacts): string {
  mkdirSync(root, { recursive: true });
  const tmp = mkdtempSync(join(root, '.incoming-'));
  try {
    const hidden = a.params.pb1.length;
    const shapes = paramShapes(hidden);
    const total = PARAM_NAMES.reduce((s, n) => s + a.params[n].length, 0);
    const bin = new Float32Array(total);
    let off = 0;
    for (const n of PARAM_NAMES) {
      bin.set(a.params[n], off);
      off += a.params[n].length;
    }
    const modelJson = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      hidden,
      weightsManifest: [{ paths: ['weights.bin'], weights: PARAM_NAMES.map((name) => ({ name, shape: shapes[name], dtype: 'float32' })) }],
    };
    writeFileSync(join(tmp, 'model.json'), `${JSON.stringify(modelJson, null, 2)}\n`);
    writeFileSync(join(tmp, 'weights.bin'), Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength));
    writeFileSync(join(tmp, 'feature-spec.json'), `${JSON.stringify(a.spec, null, 2)}\n`);
    writeFileSync(join(tmp, 'config.json'), `${JSON.stringify(a.config, null, 2)}\n`);
    writeFileSync(join(tmp, 'learning-curve.jsonl'), a.curve.map((m) => JSON.stringify(m)).join('\n') + (a.curve.length ? '\n' : ''));
    for (let attempt = 0; ; attempt++) {
      const version = nextVersion(root);
      // meta.json names the version, so it is written once the number is chosen.
      writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify({ ...a.meta, version }, null, 2)}\n`);
      const dir = join(root, version);
      try {
        renameSync(tmp, dir);
        return dir;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Another save took this number between the listing and the rename: take the next.
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 100) continue;
        throw err;
      }
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A fingerprint of a version folder's files (names, sizes, modification times).
 * It changes while a version is being written or repaired by hand: the service's
 * registry watch retries a version that failed to load once its fingerprint
 * changes, and leaves an unchanged broken one alone.
 */
export function versionFingerprint(versionDir: string): string {
  let names: string[];
  try {
    names = readdirSync(versionDir).sort();
  } catch {
    return '';
  }
  const parts: string[] = [];
  for (const n of names) {
    try {
      const st = statSync(join(versionDir, n));
      parts.push(`${n}:${st.size}:${st.mtimeMs}`);
    } catch {
      parts.push(`${n}:gone`);
    }
  }
  return parts.join('|');
}

/**
 * The file a `weightsManifest` entry names, inside the version folder: a plain
 * file name (no absolute path, no `..`, no separator), and not a link that
 * leads out of the folder. Throws `ModelLoadError` naming the entry otherwise.
 */
function weightFile(vdir: string, name: unknown, field: string): string {
  const plain = typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[\\/\0]/.test(name) && !isAbsolute(name);
  if (!plain) {
    throw new ModelLoadError(`model ${vdir}: model.json ${field}(=${JSON.stringify(name)}) must be a file name inside the version folder (no absolute path, "..", "/" or "\\")`);
  }
  const p = join(vdir, name);
  if (!existsSync(p)) throw new ModelLoadError(`model ${vdir}: ${name} is missing`);
  const real = realpathSync(p);
  const base = realpathSync(vdir);
  if (!real.startsWith(base + sep)) throw new ModelLoadError(`model ${vdir}: model.json ${field}(=${JSON.stringify(name)}) leads out of the version folder (to ${real})`);
  return p;
}

function readJson(dir: string, file: string): unknown {
  const p = join(dir, file);
  if (!existsSync(p)) throw new ModelLoadError(`model ${dir}: ${file} is missing`);
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(`model ${dir}: ${file} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function checkSpec(dir: string, raw: unknown): FeatureSpec {
  const s = raw as Partial<FeatureSpec>;
  if (!s || typeof s !== 'object') throw new ModelLoadError(`model ${dir}: feature-spec.json must be an object`);
  if (s.version !== FEATURE_SPEC_VERSION) throw new ModelLoadError(`model ${dir}: feature spec version(=${String(s.version)}) != ${FEATURE_SPEC_VERSION} (retrain the model)`);
  const same = (a: unknown, b: readonly string[]) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(s.candidateFeatures, CANDIDATE_FEATURES) || !same(s.contextFeatures, CONTEXT_FEATURES)) {
    throw new ModelLoadError(`model ${dir}: feature names in feature-spec.json do not match this encoder`);
  }
  const nums = (a: unknown, n: number, field: string, positive = false) => {
    if (!Array.isArray(a) || a.length !== n || a.some((x) => typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0))) {
      throw new ModelLoadError(`model ${dir}: feature-spec.json ${field} must be ${n} finite${positive ? ' positive' : ''} numbers`);
    }
  };
  nums(s.candidateMean, NC, 'candidateMean');
  nums(s.candidateStd, NC, 'candidateStd', true);
  nums(s.contextMean, NX, 'contextMean');
  nums(s.contextStd, NX, 'contextStd', true);
  if (!Array.isArray(s.candidateRange) || s.candidateRange.length !== NC || !Array.isArray(s.contextRange) || s.contextRange.length !== NX) {
    throw new ModelLoadError(`model ${dir}: feature-spec.json ranges must have ${NC} and ${NX} entries`);
  }
  const d = s.derived as Partial<FeatureSpec['derived']> | undefined;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (!d || typeof d !== 'object' || !finite(d.marginWeight) || !finite(d.penaltyWeight) || !d.charges || typeof d.charges !== 'object') {
    throw new ModelLoadError(`model ${dir}: feature-spec.json derived must hold marginWeight, penaltyWeight and charges`);
  }
  for (const [sku, curve] of Object.entries(d.charges)) {
    if (!Array.isArray(curve) || curve.length !== 101 || curve.some((x) => !finite(x) || (x as number) < 0)) {
      throw new ModelLoadError(`model ${dir}: feature-spec.json derived.charges[${sku}] must be 101 finite numbers >= 0`);
    }
  }
  return s as FeatureSpec;
}

/** Loads a model version (or the latest of `models/<name>`) as a policy. Throws `ModelLoadError`. */
export function loadModel(dir: string, options: { name?: string; mode?: 'greedy' | 'sample' } = {}): LoadedModel {
  const vdir = resolveModelDir(dir);
  const model = readJson(vdir, 'model.json') as { format?: unknown; formatVersion?: unknown; hidden?: unknown; weightsManifest?: unknown };
  if (model.format !== MODEL_FORMAT || model.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelLoadError(`model ${vdir}: model.json format(=${String(model.format)} v${String(model.formatVersion)}) is not ${MODEL_FORMAT} v${MODEL_FORMAT_VERSION}`);
  }
  const hidden = model.hidden;
  if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < 1) throw new ModelLoadError(`model ${vdir}: model.json hidden(=${String(hidden)}) must be a whole number >= 1`);
  const shapes = paramShapes(hidden);
  // tfjs's artifact layout: groups of tensors, each group's bytes spread over its files in order.
  const groups = model.weightsManifest;
  if (!Array.isArray(groups) || groups.length === 0) throw new ModelLoadError(`model ${vdir}: model.json weightsManifest must be a non-empty list of weight groups`);
  const specs: { name?: unknown; shape?: unknown }[] = [];
  const files: string[] = [];
  groups.forEach((g: unknown, gi) => {
    const group = g as { paths?: unknown; weights?: unknown } | null;
    if (!group || !Array.isArray(group.paths) || group.paths.length === 0 || !Array.isArray(group.weights)) {
      throw new ModelLoadError(`model ${vdir}: model.json weightsManifest[${gi}] must have paths (file names) and weights`);
    }
    group.paths.forEach((p: unknown, pi) => files.push(weightFile(vdir, p, `weightsManifest[${gi}].paths[${pi}]`)));
    specs.push(...(group.weights as { name?: unknown; shape?: unknown }[]));
  });
  if (specs.length !== PARAM_NAMES.length) throw new ModelLoadError(`model ${vdir}: model.json weightsManifest must list ${PARAM_NAMES.length} tensors`);
  specs.forEach((w, i) => {
    const want = shapes[PARAM_NAMES[i]!];
    if (w?.name !== PARAM_NAMES[i] || JSON.stringify(w.shape) !== JSON.stringify(want)) {
      throw new ModelLoadError(`model ${vdir}: tensor ${i} is ${String(w?.name)}${JSON.stringify(w?.shape)}, expected ${PARAM_NAMES[i]}${JSON.stringify(want)}`);
    }
  });
  const buf = files.length === 1 ? readFileSync(files[0]!) : Buffer.concat(files.map((f) => readFileSync(f)));
  const total = PARAM_NAMES.reduce((s, n) => s + shapes[n].reduce((a, b) => a * b, 1), 0);
  const what = files.map((f) => basename(f)).join(' + ');
  if (buf.byteLength !== total * 4) throw new ModelLoadError(`model ${vdir}: ${what} has ${buf.byteLength} bytes, expected ${total * 4}`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  for (let i = 0; i < all.length; i++) if (!Number.isFinite(all[i]!)) throw new ModelLoadError(`model ${vdir}: ${what} holds a non-finite weight at ${i}`);
  const params = {} as NetworkParams;
  let off = 0;
  for (const n of PARAM_NAMES) {
    const size = shapes[n].reduce((a, b) => a * b, 1);
    params[n] = all.slice(off, off + size);
    off += size;
  }
  const spec = checkSpec(vdir, readJson(vdir, 'feature-spec.json'));
  const meta = readJson(vdir, 'meta.json') as ModelMeta;
  if (!meta || typeof meta.baseRule !== 'string' || typeof meta.minUnitMargin !== 'number') {
    throw new ModelLoadError(`model ${vdir}: meta.json must record baseRule and minUnitMargin`);
  }
  const config = readJson(vdir, 'config.json') as Record<string, unknown>;
  let base;
  try {
    base = createRulePolicy(meta.baseRule);
  } catch (err) {
    throw new ModelLoadError(`model ${vdir}: meta.json baseRule(=${meta.baseRule}) is not a rule strategy`, { cause: err });
  }
  const name = options.name ?? `rl:${meta.name ?? basename(dir)}`;
  const policy = new NetworkPolicy(name, meta.version ?? basename(vdir), new Network(params, spec), { minUnitMargin: meta.minUnitMargin }, base, options.mode ?? meta.decisionMode ?? 'greedy');
  return { policy, spec, meta, params, config, dir: vdir };
}

/** Names of the features of one encoded step outside the ranges seen in training (with a tolerance). */
export function outOfRange(spec: FeatureSpec, step: { count: number; candidates: Float32Array; context: Float32Array }, tolerance = 1e-6): string[] {
  // One pass; the set of names is made only when a feature is out of range (the service checks every decision).
  let out: Set<string> | null = null;
  const cr = spec.candidateRange;
  for (let i = 0; i < step.count * NC; i++) {
    const f = i % NC;
    const r = cr[f]!;
    const v = step.candidates[i]!;
    if (v < r[0] - tolerance || v > r[1] + tolerance) (out ??= new Set()).add(spec.candidateFeatures[f]!);
  }
  const xr = spec.contextRange;
  for (let f = 0; f < NX; f++) {
    const r = xr[f]!;
    const v = step.context[f]!;
    if (v < r[0] - tolerance || v > r[1] + tolerance) (out ??= new Set()).add(spec.contextFeatures[f]!);
  }
  return out ? [...out] : [];
}
