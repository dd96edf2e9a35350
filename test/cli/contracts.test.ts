import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

/** Runs the CLI from source, as a user would run the built one. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, ALLOCSIM_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('--contracts', () => {
  it.each(['simulate', 'bench', 'evaluate', 'train', 'start', 'serve', 'oracle'])('%s: a bad value is one line naming it, exit 2', (command) => {
    const r = cli(command, '--contracts', 'firm');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('allocsim: error: --contracts(=firm) must be hard or soft');
  });

  it('reaches the planners, and the tables show contract fill against target', () => {
    const soft = cli('oracle', '--scenario', 'electronics-launch', '--days', '12', '--contracts', 'soft', '--format', 'json');
    expect(soft.code).toBe(0);
    expect(JSON.parse(soft.stdout)).toMatchObject({ contracts: 'soft', contractsFeasible: null });
    const hard = cli('oracle', '--scenario', 'electronics-launch', '--days', '12');
    expect(hard.stdout).toMatch(/contracts hard: committed fill \d+\.\d%, \d+ of 1 periods below target/);
    const sim = cli('simulate', '--scenario', 'electronics-launch', '--days', '12', '--strategy', 'reserve', '--contracts', 'soft');
    expect(sim.code).toBe(0);
    expect(sim.stdout).toMatch(/contract fill \(committed\) \/ target\s+periods missed/);
    expect(sim.stdout).toMatch(/carriers \(contract\).*\d+\.\d% \/ 95\.0%\s+[01]\s*$/m);
  });
});
