import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFile, unwritableReason, writeFileAtomic, writeFilesAtomic, writeStreamedAtomic } from '../../src/sim/atomic-file.js';
import { writeLedger } from '../../src/sim/export.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { simulate } from '../../src/sim/engine.js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import type { Ledger } from '../../src/sim/ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'allocsim-atomic-'));

describe('atomic file writes', () => {
  it('a write that fails half way leaves the previous file and no temp file', () => {
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'keep');
    expect(() =>
      writeStreamedAtomic(file, (write) => {
        write('new first half');
        throw new Error('disk on fire');
      }),
    ).toThrow('disk on fire');
    expect(readFileSync(file, 'utf8')).toBe('keep');
    expect(readdirSync(dir).filter((f) => f.startsWith('a.txt'))).toEqual(['a.txt']);
    writeFileAtomic(file, 'replaced');
    expect(readFileSync(file, 'utf8')).toBe('replaced');
  });

  it('nothing is visible at the target until commit; abort drops the temp file', () => {
    const file = join(dir, 'b.txt');
    const out = new AtomicFile(file);
    out.write('x'.repeat(100_000));
    expect(existsSync(file)).toBe(false);
    out.abort();
    expect(existsSync(out.tmp)).toBe(false);
    const ok = new AtomicFile(file);
    ok.write(new Uint8Array([104, 105]));
    ok.commit();
    expect(readFileSync(file, 'utf8')).toBe('hi');
  });

  it('several files are all written or none', () => {
    const sub = join(dir, 'set');
    mkdirSync(sub);
    writeFileSync(join(sub, 'one.csv'), 'keep1');
    writeFileSync(join(sub, 'two.csv'), 'keep2');
    // The third target's folder does not exist: its temp file cannot be opened.
    expect(() =>
      writeFilesAtomic([
        { file: join(sub, 'one.csv'), data: 'new1' },
        { file: join(sub, 'two.csv'), data: 'new2' },
        { file: join(sub, 'missing', 'three.csv'), data: 'new3' },
      ]),
    ).toThrow(/ENOENT/);
    expect(readFileSync(join(sub, 'one.csv'), 'utf8')).toBe('keep1');
    expect(readFileSync(join(sub, 'two.csv'), 'utf8')).toBe('keep2');
    expect(readdirSync(sub).sort()).toEqual(['one.csv', 'two.csv']);
  });

  it('says why a target cannot be written, without touching it', () => {
    writeFileSync(join(dir, 'c.txt'), 'keep');
    expect(unwritableReason(join(dir, 'c.txt'))).toBeNull();
    expect(readFileSync(join(dir, 'c.txt'), 'utf8')).toBe('keep');
    expect(unwritableReason(join(dir, 'no-such', 'c.txt'))).toBe('ENOENT');
    expect(unwritableReason(dir)).toBe('it is a folder');
  });

  it('a ledger export that fails part way leaves the previous ledger file', () => {
    const world = buildWorld(loadScenario('default').scenario);
    const r = simulate(world, createRulePolicy('cheapest'), { seed: 1, days: 10 });
    const file = join(dir, 'run.csv');
    writeFileSync(file, 'keep\n');
    // A ledger whose rows fail after 10,000 entries (more than one written chunk).
    const failing = Object.create(r.ledger) as Ledger;
    failing.rows = function* (names) {
      let i = 0;
      for (const row of r.ledger.rows(names)) {
        if (++i > 10_000) throw new Error('row read failed');
        yield row;
      }
    };
    expect(() => writeLedger(failing, world, file, 'csv')).toThrow('row read failed');
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
    const n = writeLedger(r.ledger, world, file, 'csv');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(n + 1);
  });
});
