import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'allocsim-cli-'));

/** Runs the CLI from source, as a user would run the built one. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  return cliEnv({}, ...args);
}

function cliEnv(env: Record<string, string>, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, ALLOCSIM_DEBUG: '', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('allocsim CLI', () => {
  it('train refuses a scenario that offers nothing to learn: one line, exit 2, no model saved', () => {
    const yaml = join(tmp, 'empty.yaml');
    writeFileSync(
      yaml,
      [
        'name: empty',
        'horizonDays: 3',
        'regions: [{ id: r, lat: 0, lon: 0 }]',
        'warehouses: [{ id: w, lat: 0, lon: 0.1, pickCapacityPerDay: 10 }]',
        'modes: [{ id: ground, costPerUnitKm: 0.01, speedKmPerHour: 60 }]',
        'skus: { items: [{ id: A, unitCost: 1, price: 2 }] }',
        'segments: [{ id: s, kind: standard, demandShare: 1 }]',
        'demand: { distribution: poisson, ordersPerDay: 0 }',
        'replenishment: { policy: base-stock, review: continuous, leadTimeHours: 24, orderUpToDays: 1 }',
      ].join('\n'),
    );
    const out = join(tmp, 'empty-model');
    expectUsageError(cli('train', '--scenario', yaml, '--out', out, '--no-progress'), /nothing to learn|no decision to learn from/);
    expect(readdirSync(out).filter((f) => f.startsWith('v'))).toEqual([]);
  });

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
    expectUsageError(cli('simulate', '--format', 'xml'), /--format\(=xml\) must be table, json or csv/);
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

  it('a failed run leaves the user\'s files as they were (ledger, bench results)', () => {
    const ledger = join(tmp, 'run.jsonl');
    writeFileSync(ledger, 'keep\n');
    expectUsageError(cli('simulate', '--scenario', 'nope', '--ledger', ledger), /unknown scenario "nope"/);
    expect(readFileSync(ledger, 'utf8')).toBe('keep\n');
    // A results folder where summary.json cannot be written: refused before the run, runs.csv untouched.
    const out = join(tmp, 'bench-out');
    mkdirSync(join(out, 'summary.json'), { recursive: true });
    writeFileSync(join(out, 'runs.csv'), 'keep\n');
    expectUsageError(cli('bench', '--strategies', 'nearest', '--seeds', '1', '--days', '3', '--workers', '0', '--out', out), /summary\.json cannot be written: it is a folder/);
    expect(readFileSync(join(out, 'runs.csv'), 'utf8')).toBe('keep\n');
    expect(readdirSync(out).sort()).toEqual(['runs.csv', 'summary.json']);
  });

  it('--format is table, json or csv on every command that prints results; -v prints the version', () => {
    expectUsageError(cli('scenarios', '--format', 'xml'), /^allocsim: error: --format\(=xml\) must be table, json or csv$/);
    const csv = cli('scenarios', '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('name,warehouses,regions,skus,days,ordersPerDay,description');
    expect(lines.some((l) => l.startsWith('network-large,40,'))).toBe(true);
    expect(JSON.parse(cli('scenarios', '--format', 'json').stdout).map((r: { name: string }) => r.name)).toContain('electronics-launch');
    const sim = cli('simulate', '--days', '3', '--format', 'csv');
    const [header, row] = sim.stdout.trim().split('\n');
    expect(header!.split(',').slice(0, 5)).toEqual(['scenario', 'strategy', 'seed', 'days', 'orders']);
    expect(row!.split(',').slice(0, 4)).toEqual(['default', 'cheapest', '1', '3']);
    for (const cmd of [['evaluate', '--scenario', 'default', '--policy', 'nearest', '--seeds', '2'], ['oracle'], ['validate', 'default'], ['bench', '--out', tmp]]) {
      expectUsageError(cli(...cmd, '--format', 'yaml'), /--format\(=yaml\) must be table, json or csv/);
    }
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(cli('-v').stdout.trim()).toBe(version);
    expect(cli('--version').stdout.trim()).toBe(version);
  });

  it('benches held-out seeds: one --seeds syntax (count, range, list) everywhere', () => {
    const out = join(tmp, 'held-out');
    const r = cli('bench', '--strategies', 'nearest,cheapest', '--seeds', '9001,9003', '--days', '3', '--workers', '0', '--no-progress', '--out', out, '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).seeds).toEqual([9001, 9003]);
    expect(readFileSync(join(out, 'runs.csv'), 'utf8').split('\n').slice(1, 3).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['nearest,9001', 'cheapest,9001']);
    expectUsageError(cli('bench', '--seeds', '20..10', '--out', out), /--seeds\(=20\.\.10\) has the range 20\.\.10, which runs backwards/);
    expectUsageError(cli('evaluate', '--scenario', 'default', '--policy', 'nearest', '--seeds', '1'), /--seeds\(=1\) names 1 seed; at least 2 needed/);
  });

  it('a horizon too long for memory is refused up front; long work prints progress lines when stderr is not a terminal', () => {
    const t = performance.now();
    const r = cli('simulate', '--days', '100000');
    expectUsageError(r, /^allocsim: error: --days\(=100000\) needs about [\d,]+ MB .*over the --max-memory limit of 2,048 MB; at most [\d,]+ days fit$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expectUsageError(cli('bench', '--days', '100000', '--out', join(tmp, 'never')), /--days\(=100000\) needs about .* --max-memory limit/);
    expect(performance.now() - t).toBeLessThan(60_000);
    // Every update printed (interval 0): the spawned CLI's stderr is a pipe, not a terminal.
    const p = cliEnv({ ALLOCSIM_PROGRESS_SECONDS: '0' }, 'simulate', '--days', '3', '--format', 'json');
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(/^simulate default × cheapest: 33% \(1\/3 days\), .* elapsed, ETA /m);
    expect(p.stderr).toMatch(/^simulate default × cheapest: 100% \(3\/3 days\)/m);
    JSON.parse(p.stdout); // progress never reaches stdout
    // --no-progress silences it.
    expect(cliEnv({ ALLOCSIM_PROGRESS_SECONDS: '0' }, 'simulate', '--days', '3', '--no-progress').stderr).toBe('');
  });

  it('serve warns on stderr when an admin token would cross the network without TLS', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '0.0.0.0', '--port', '0', '--audit', join(tmp, 'audit.sqlite'), '--watch-ms', '0'], {
      env: { ...process.env, ALLOCSIM_ADMIN_TOKEN: 'a-token-of-twenty-chars' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('serving on') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/serving on 0\.0\.0\.0:\d+/);
    expect(stderr).toMatch(/^allocsim: warning: serving on 0\.0\.0\.0 without TLS with an admin token/m);
  });
});
