import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'allocsim-cli-'));

/** Runs the CLI from source, as a user would run the built one. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, ALLOCSIM_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('allocsim CLI', () => {
  it('simulate --format json is byte-identical for the same seed (timing aside) and has the promised fields', () => {
    const a = cli('simulate', '--scenario', 'default', '--strategy', 'reserve', '--seed', '4', '--days', '20', '--format', 'json', '--ledger', join(tmp, 'a.jsonl'));
    const b = cli('simulate', '--scenario', 'default', '--strategy', 'reserve', '--seed', '4', '--days', '20', '--format', 'json', '--ledger', join(tmp, 'b.jsonl'));
    expect(a.code).toBe(0);
    const strip = (s: string) => s.replace(/"wallSeconds": [^,\n]+/, '').replace(/"eventsPerSecond": [^,\n]+/, '');
    expect(strip(b.stdout)).toBe(strip(a.stdout));
    const out = JSON.parse(a.stdout);
    expect(out).toMatchObject({ scenario: 'default', strategy: 'reserve', seed: 4 });
    for (const k of ['fillRate', 'orderFillRate', 'onTimeRate', 'revenue', 'grossMargin', 'shippingCost', 'holdingCost', 'lostSalesUnits', 'manualInterventionRate']) {
      expect(typeof out.kpis[k]).toBe('number');
    }
    expect(out.run.events).toBeGreaterThan(out.run.orders);
    expect(out.run.wallSeconds).toBeGreaterThan(0);
    expect(readFileSync(join(tmp, 'b.jsonl'), 'utf8')).toBe(readFileSync(join(tmp, 'a.jsonl'), 'utf8'));
    const first = JSON.parse(readFileSync(join(tmp, 'a.jsonl'), 'utf8').split('\n')[0]!);
    expect(first).toMatchObject({ seq: 0, kind: 'OPENING', warehouse: 'reno' });
    const c = cli('simulate', '--seed', '5', '--days', '20', '--format', 'json');
    expect(strip(c.stdout)).not.toBe(strip(a.stdout));
  });

  it('writes the ledger as CSV and prints a table by default', () => {
    const r = cli('simulate', '--days', '5', '--ledger', join(tmp, 'l.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fill rate/);
    expect(r.stdout).toMatch(/reconciled/);
    expect(readFileSync(join(tmp, 'l.csv'), 'utf8').split('\n')[0]).toBe('seq,kind,timeHours,order,sku,warehouse,segment,mode,qty,amount,aux,flag');
  });

  it('lists and validates scenarios', () => {
    const s = cli('scenarios');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/default/);
    expect(s.stdout).toMatch(/network-large/);
    const v = cli('validate', 'scenarios/electronics-launch.yaml');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/ok — electronics-launch/);
  });

  it('bad input gets one line naming what is wrong and exit code 2', () => {
    expectUsageError(cli('simulate', '--scenario', 'atlantis'), /unknown scenario "atlantis"/);
    expectUsageError(cli('simulate', '--strategy', 'teleport'), /unknown strategy "teleport"/);
    expectUsageError(cli('simulate', '--seed', 'abc'), /--seed\(=abc\) must be a whole number/);
    expectUsageError(cli('simulate', '--days', '-3'), /--days\(=-3\) must be a whole number >= 1/);
    expectUsageError(cli('simulate', '--format', 'xml'), /--format\(=xml\) must be table or json/);
    expectUsageError(cli('simulate', '--bogus'), /unknown option '--bogus'/);
    writeFileSync(join(tmp, 'broken.yaml'), 'name: x\nhorizonDays: [\n');
    expectUsageError(cli('simulate', '--scenario', join(tmp, 'broken.yaml')), /not valid YAML/);
    const neg = readFileSync('scenarios/default.yaml', 'utf8').replace('ordersPerDay: 420', 'ordersPerDay: -420');
    writeFileSync(join(tmp, 'neg.yaml'), neg);
    expectUsageError(cli('validate', join(tmp, 'neg.yaml')), /demand\.ordersPerDay: .*\(got -420\)/);
    const negInbound = readFileSync('scenarios/electronics-launch.yaml', 'utf8').replace('quantity: 3200', 'quantity: -3200');
    writeFileSync(join(tmp, 'neg2.yaml'), negInbound);
    expectUsageError(cli('simulate', '--scenario', join(tmp, 'neg2.yaml')), /inbound\[0\]\.quantity: .*\(got -3200\)/);
    expectUsageError(cli('validate', join(tmp, 'missing.yaml')), /scenario file not found/);
    expectUsageError(cli('simulate', '--ledger', join(tmp, 'no-such-dir', 'l.jsonl')), /--ledger\(=.*\) cannot be written: ENOENT/);
    expectUsageError(cli('simulate', '--ledger', join(tmp, 'l.txt')), /must end in \.jsonl or \.csv/);
  });
});
