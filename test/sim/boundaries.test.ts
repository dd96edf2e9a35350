import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each source file with the module specifiers it imports (static and dynamic). */
const imports = files(SRC).map((f) => {
  const text = readFileSync(f, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\()\s*'([^']+)'/g)].map((m) => m[1]!);
  return { file: relative(SRC, f).split('\\').join('/'), specs };
});

describe('module boundaries', () => {
  it('only the simulator itself and the agent environment import the engine; everyone else goes through sim/index', () => {
    const offenders = imports.filter(({ file, specs }) => !file.startsWith('sim/') && file !== 'agent/env/allocation-env.ts' && specs.some((s) => /(^|\/)sim\/engine(\.js)?$/.test(s)));
    expect(offenders.map((o) => o.file)).toEqual([]);
  });

  it('the service does not import the engine, and the learning code does not import the planners', () => {
    const serve = imports.filter(({ file, specs }) => file.startsWith('serve/') && specs.some((s) => /engine(\.js)?$/.test(s)));
    const agent = imports.filter(({ file, specs }) => file.startsWith('agent/') && specs.some((s) => /(^|\/)plan\//.test(s)));
    expect(serve.map((o) => o.file)).toEqual([]);
    expect(agent.map((o) => o.file)).toEqual([]);
  });

  it('sees the imports it checks (a scan that finds nothing would pass anything)', () => {
    expect(imports.find((i) => i.file === 'agent/env/allocation-env.ts')!.specs).toContain('../../sim/engine.js');
    expect(imports.find((i) => i.file === 'cli/simulate.ts')!.specs).toContain('../sim/index.js');
  });
});
