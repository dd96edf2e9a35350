import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe('generated proto types', () => {
  it('src/gen is what `npm run gen:proto` generates from the proto (never hand-edited)', () => {
    const out = tempDir('allocsim-gen-');
    const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['gen:proto'] as string;
    const args = script.split(/\s+/).slice(1).map((a) => (a === '--outDir=src/gen' ? `--outDir=${out}` : a));
    execFileSync(join(root, 'node_modules/.bin/proto-loader-gen-types'), args, { cwd: root, stdio: 'pipe' });
    const want = files(out).map((f) => relative(out, f)).sort();
    const have = files(join(root, 'src/gen')).map((f) => relative(join(root, 'src/gen'), f)).sort();
    expect(have).toEqual(want);
    for (const f of want) expect(readFileSync(join(root, 'src/gen', f), 'utf8')).toBe(readFileSync(join(out, f), 'utf8'));
  });
});
