import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SimError } from '../kernel/errors.js';
import { CONTRACT_MODES, ScenarioSchema, type ContractMode, type Scenario } from './schema.js';

/** A scenario that failed to load or validate; the message names the path and value. */
export class ScenarioError extends SimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScenarioError';
  }
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scenarios'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new ScenarioError('cannot find the allocsim package root (scenarios/ folder)');
    dir = up;
  }
}

/** The folder holding the shipped scenarios. */
export function scenariosDir(): string {
  return join(packageRoot(), 'scenarios');
}

/** Names of the shipped scenarios. */
export function listScenarios(): string[] {
  return readdirSync(scenariosDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const s = JSON.stringify(value);
  if (s === undefined) return String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(root)';
}

/**
 * Validates a parsed scenario object: the schema first, then the references
 * between sections (unique ids, known SKUs, warehouses, regions and modes).
 * Throws `ScenarioError` with `<path>: <problem> (got <value>)`.
 */
export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const result = ScenarioSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path as PropertyKey[];
    let msg = issue.message;
    if (issue.code === 'unrecognized_keys') msg = `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const got = issue.code === 'unrecognized_keys' ? '' : ` (got ${show(valueAt(raw, path))})`;
    throw new ScenarioError(`${source}: ${formatPath(path)}: ${msg}${got}`);
  }
  const s = result.data;
  checkReferences(s, source);
  return s;
}

function checkReferences(s: Scenario, source: string): void {
  const fail = (path: string, msg: string, value: unknown): never => {
    throw new ScenarioError(`${source}: ${path}: ${msg} (got ${show(value)})`);
  };
  const unique = (items: { id: string }[], section: string): Set<string> => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.id)) fail(`${section}[${i}].id`, 'duplicate id', it.id);
      seen.add(it.id);
    });
    return seen;
  };
  const regions = unique(s.regions, 'regions');
  const warehouses = unique(s.warehouses, 'warehouses');
  const modes = unique(s.modes, 'modes');
  unique(s.segments, 'segments');
  const skus = unique(s.skus.items, 'skus.items');
  if (s.skus.generate) {
    for (let i = 0; i < s.skus.generate.count; i++) skus.add(generatedSkuId(s.skus.generate.prefix, i, s.skus.generate.count));
  }
  if (skus.size === 0) fail('skus', 'at least one SKU is needed (items or generate)', s.skus);
  s.skus.items.forEach((k, i) => {
    if (k.price < k.unitCost) fail(`skus.items[${i}].price`, `must be >= unitCost (${k.unitCost})`, k.price);
  });
  s.lanes.forEach((l, i) => {
    if (!warehouses.has(l.warehouse)) fail(`lanes[${i}].warehouse`, 'unknown warehouse', l.warehouse);
    if (!regions.has(l.region)) fail(`lanes[${i}].region`, 'unknown region', l.region);
    if (!modes.has(l.mode)) fail(`lanes[${i}].mode`, 'unknown mode', l.mode);
  });
  s.segments.forEach((g, i) => {
    if (g.serviceLevel && !modes.has(g.serviceLevel)) fail(`segments[${i}].serviceLevel`, 'unknown mode', g.serviceLevel);
  });
  s.demand.promotions.forEach((p, i) => {
    if (p.sku !== undefined && !skus.has(p.sku)) fail(`demand.promotions[${i}].sku`, 'unknown SKU', p.sku);
    if (p.region !== undefined && !regions.has(p.region)) fail(`demand.promotions[${i}].region`, 'unknown region', p.region);
    if (p.endDay <= p.startDay) fail(`demand.promotions[${i}].endDay`, 'must be > startDay', p.endDay);
  });
  s.demand.launches.forEach((l, i) => {
    if (!skus.has(l.sku)) fail(`demand.launches[${i}].sku`, 'unknown SKU', l.sku);
  });
  s.replenishment.levels.forEach((l, i) => {
    if (!warehouses.has(l.warehouse)) fail(`replenishment.levels[${i}].warehouse`, 'unknown warehouse', l.warehouse);
    if (!skus.has(l.sku)) fail(`replenishment.levels[${i}].sku`, 'unknown SKU', l.sku);
    if (l.reorderPoint !== undefined && l.reorderPoint > l.orderUpTo) {
      fail(`replenishment.levels[${i}].reorderPoint`, `must be <= orderUpTo (${l.orderUpTo})`, l.reorderPoint);
    }
  });
  s.inbound.forEach((b, i) => {
    if (!warehouses.has(b.warehouse)) fail(`inbound[${i}].warehouse`, 'unknown warehouse', b.warehouse);
    if (!skus.has(b.sku)) fail(`inbound[${i}].sku`, 'unknown SKU', b.sku);
  });
  if (s.segments.every((g) => g.demandShare === 0)) fail('segments', 'at least one segment needs demandShare > 0', 0);
  if (s.regions.every((r) => r.demandWeight === 0)) fail('regions', 'at least one region needs demandWeight > 0', 0);
}

/** The id of the i-th generated SKU: prefix + zero-padded index. */
export function generatedSkuId(prefix: string, i: number, count: number): string {
  return `${prefix}-${String(i + 1).padStart(String(count).length, '0')}`;
}

/** A loaded scenario with where it came from and a content hash (for model registries). */
export interface LoadedScenario {
  scenario: Scenario;
  source: string;
  /** sha256 of the validated scenario, stable across formatting changes. */
  hash: string;
}

/** Settings a command may override on a scenario as it is loaded. */
export interface ScenarioOverrides {
  /** Replaces the scenario's `contracts` mode (the CLI's `--contracts`). */
  contracts?: ContractMode;
}

/** Checks a contract mode given as text; the error names the value. */
export function parseContractMode(text: string, name = 'contracts'): ContractMode {
  if (!(CONTRACT_MODES as readonly string[]).includes(text)) throw new ScenarioError(`${name}(=${text}) must be ${CONTRACT_MODES.join(' or ')}`);
  return text as ContractMode;
}

/** Parses YAML text into a validated scenario; overrides apply before hashing, so the hash names what runs. */
export function scenarioFromYaml(text: string, source = 'scenario', overrides: ScenarioOverrides = {}): LoadedScenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new ScenarioError(`${source}: not valid YAML: ${first}`, { cause: err });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(`${source}: must be a YAML mapping (got ${show(raw)})`);
  }
  const parsed = parseScenario(raw, source);
  const scenario = overrides.contracts ? { ...parsed, contracts: parseContractMode(overrides.contracts) } : parsed;
  const hash = createHash('sha256').update(JSON.stringify(scenario)).digest('hex');
  return { scenario, source, hash };
}

/**
 * Loads a scenario by shipped name (`default`) or by path to a YAML file.
 * Throws `ScenarioError` for an unknown name, a missing file or invalid content.
 */
export function loadScenario(nameOrPath: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.ya?ml$/.test(nameOrPath);
  let file: string;
  if (looksLikePath) {
    file = resolve(nameOrPath);
    if (!existsSync(file)) throw new ScenarioError(`scenario file not found: ${nameOrPath}`);
  } else {
    file = join(scenariosDir(), `${nameOrPath}.yaml`);
    if (!existsSync(file)) {
      throw new ScenarioError(`unknown scenario "${nameOrPath}" (shipped: ${listScenarios().join(', ')}; or give a path to a .yaml file)`);
    }
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read scenario ${nameOrPath}: ${(err as Error).message}`, { cause: err });
  }
  return scenarioFromYaml(text, looksLikePath ? nameOrPath : `${nameOrPath}.yaml`, overrides);
}

/** The scenario schema as JSON Schema (draft 2020-12), for editors. */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' });
}
