import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  listScenarios,
  loadScenario,
  parseScenario,
  scenarioFromYaml,
  scenarioJsonSchema,
  scenariosDir,
} from '../../src/sim/scenario/index.js';

function defaultRaw(): Record<string, any> {
  return parse(readFileSync(join(scenariosDir(), 'default.yaml'), 'utf8'));
}

describe('scenario schema', () => {
  it('ships default, electronics-launch, drug-shortage and network-large, all valid', () => {
    const names = listScenarios();
    expect(names).toEqual(expect.arrayContaining(['default', 'electronics-launch', 'drug-shortage', 'network-large']));
    for (const n of names) expect(loadScenario(n).scenario.name).toBe(n);
  });

  it('names the path and the bad value', () => {
    const raw = defaultRaw();
    raw.warehouses[1].pickCapacityPerDay = -5;
    expect(() => parseScenario(raw, 'x.yaml')).toThrow('x.yaml: warehouses[1].pickCapacityPerDay: Too small: expected number to be >0 (got -5)');
  });

  it('reports unknown fields, wrong types and missing fields by path', () => {
    const a = defaultRaw();
    a.demand.ordersPerDya = 3;
    expect(() => parseScenario(a)).toThrow(/demand: unknown field "ordersPerDya"/);
    const b = defaultRaw();
    b.segments[0].contract.fillRateTarget = 'high';
    expect(() => parseScenario(b)).toThrow(/segments\[0\]\.contract\.fillRateTarget: .*\(got "high"\)/);
    const c = defaultRaw();
    delete c.horizonDays;
    expect(() => parseScenario(c)).toThrow(/horizonDays: .*\(got missing\)/);
    const d = defaultRaw();
    d.demand.weekly = [1, 1];
    expect(() => parseScenario(d)).toThrow(/demand\.weekly: /);
  });

  it('checks references between sections', () => {
    const a = defaultRaw();
    a.demand.promotions[0].sku = 'NOPE';
    expect(() => parseScenario(a)).toThrow('scenario: demand.promotions[0].sku: unknown SKU (got "NOPE")');
    const b = defaultRaw();
    b.warehouses[2].id = 'reno';
    expect(() => parseScenario(b)).toThrow('scenario: warehouses[2].id: duplicate id (got "reno")');
    const c = defaultRaw();
    c.segments[1].serviceLevel = 'teleport';
    expect(() => parseScenario(c)).toThrow(/segments\[1\]\.serviceLevel: unknown mode/);
    const d = defaultRaw();
    d.segments[0].contract = undefined;
    expect(() => parseScenario(d)).toThrow(/segments\[0\]\.contract: a contract segment needs contract terms/);
  });

  it('rejects malformed YAML and non-mappings with one line', () => {
    expect(() => scenarioFromYaml('name: [unclosed', 'bad.yaml')).toThrow(/^bad\.yaml: not valid YAML: /);
    expect(() => scenarioFromYaml('- 1\n- 2\n', 'list.yaml')).toThrow('list.yaml: must be a YAML mapping (got [1,2])');
    expect(() => loadScenario('no-such-scenario')).toThrow(/unknown scenario "no-such-scenario" \(shipped: .*default/);
  });

  it('exports a JSON Schema editors can use', () => {
    const js = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(js.properties)).toEqual(expect.arrayContaining(['warehouses', 'segments', 'demand', 'replenishment']));
    expect(js.required).toEqual(expect.arrayContaining(['name', 'horizonDays', 'regions']));
    const shipped = JSON.parse(readFileSync(join(scenariosDir(), 'scenario.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(js)));
  });

  it('hashes the validated content, not the formatting', () => {
    const text = readFileSync(join(scenariosDir(), 'default.yaml'), 'utf8');
    expect(scenarioFromYaml(`# a comment\n${text}`).hash).toBe(scenarioFromYaml(text).hash);
    expect(scenarioFromYaml(text.replace('ordersPerDay: 420', 'ordersPerDay: 421')).hash).not.toBe(scenarioFromYaml(text).hash);
  });
});
