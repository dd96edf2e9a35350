import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the CLI from source; no broker is needed: every case fails before connecting. */
function cli(...args: string[]): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, ALLOCSIM_DEBUG: '', ALLOCSIM_QUEUE: '' } });
  return { code: r.status ?? -1, stderr: r.stderr };
}

function expectUsageError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe('queue options: bad input is one line and exit 2', () => {
  it('bench --resume without --queue; a queue URL of another kind, its password hidden', () => {
    expectUsageError(cli('bench', '--strategies', 'nearest', '--seeds', '1', '--out', 'x', '--resume'), /--resume needs --queue/);
    const r = cli('bench', '--strategies', 'nearest', '--seeds', '1', '--out', 'x', '--queue', 'redis://u:topsecret99@h:6379');
    expectUsageError(r, /--queue\(=redis:\/\/\*\*\*@h:6379\) must be a postgres:\/\/ URL/);
    expect(r.stderr).not.toContain('topsecret99');
  });

  it('worker without a queue URL; train --sweep over an unknown or fixed option', () => {
    expectUsageError(cli('worker'), /environment variable ALLOCSIM_QUEUE is not set/);
    expectUsageError(cli('train', '--scenario', 'default', '--out', 'models/x', '--sweep', 'colour=1,2'), /--sweep\(=colour=1,2\): colour is not a train option/);
    expectUsageError(cli('train', '--scenario', 'default', '--out', 'models/x', '--sweep', 'out=a,b'), /out is not a train option a sweep can vary/);
    expectUsageError(cli('train', '--scenario', 'default', '--out', 'models/x', '--sweep', 'seed'), /--sweep\(=seed\) must look like seed=1,2,3/);
    expectUsageError(cli('train', '--scenario', 'default', '--out', 'models/x', '--queue', 'env:NOPE'), /--queue on train needs --sweep/);
  });
});
