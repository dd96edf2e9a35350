import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KPI_NAMES, readLearningCurve, runBenchmark } from '../../src/report/harness.js';
import { parseCsv } from '../../src/report/report.js';
import { splitStrategies } from '../../src/cli/bench.js';

const FILES = ['runs.csv', 'segments.csv', 'daily.csv', 'oracle.csv', 'summary.json', 'detail.json'];
const args = { scenario: 'default', strategies: ['nearest', 'reserve', 'oracle'], seeds: 2, days: 6 } as const;

describe('benchmark harness', () => {
  it('writes identical files on re-runs, in this thread and on worker threads', async () => {
    const root = mkdtempSync(join(tmpdir(), 'allocsim-bench-'));
    const seen: number[] = [];
    await runBenchmark({ ...args, workers: 0, out: join(root, 'a'), onProgress: (p) => seen.push(p.done) });
    await runBenchmark({ ...args, workers: 0, out: join(root, 'b') });
    const threaded = await runBenchmark({ ...args, workers: 2, out: join(root, 'c') });
    expect(threaded.workers).toBe(2);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    for (const f of FILES) {
      const a = readFileSync(join(root, 'a', f), 'utf8');
      expect(readFileSync(join(root, 'b', f), 'utf8'), f).toBe(a);
      expect(readFileSync(join(root, 'c', f), 'utf8'), f).toBe(a);
    }
    const runs = parseCsv(readFileSync(join(root, 'a', 'runs.csv'), 'utf8'));
    expect(runs.map((r) => `${r.strategy}/${r.seed}`)).toEqual(['nearest/0', 'reserve/0', 'nearest/1', 'reserve/1']);
    for (const k of KPI_NAMES) expect(Number.isFinite(Number(runs[0]![k])), k).toBe(true);
    expect(Number(runs[0]!.rewardPctOfOracle)).toBeLessThanOrEqual(100);
    const summary = JSON.parse(readFileSync(join(root, 'a', 'summary.json'), 'utf8'));
    expect(summary.baseline).toBe('nearest');
    expect(Object.keys(summary.paired)).toEqual(['reserve']);
    expect(summary.oracle.pctOfOracle.nearest.n).toBe(2);
  });

  it('runs from the CLI on a worker thread that resolves specs with the CLI resolver', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'allocsim-cli-bench-')), 'r');
    const stdout = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'bench', '--strategies', 'nearest,lp-rolling:window=3', '--seeds', '1', '--days', '2', '--workers', '1', '--out', out, '--no-progress'],
      { encoding: 'utf8' },
    );
    expect(stdout).toContain('lp-rolling:window=3');
    expect(stdout).toContain('on 1 worker thread');
    const runs = parseCsv(readFileSync(join(out, 'runs.csv'), 'utf8'));
    expect(runs.map((r) => r.strategy)).toEqual(['nearest', 'lp-rolling:window=3']);
  });

  it('splits a strategy list, keeping parameter lists together', () => {
    expect(splitStrategies('nearest, lp-rolling:window=3,weight=0.5,rl:models/quick,oracle')).toEqual(['nearest', 'lp-rolling:window=3,weight=0.5', 'rl:models/quick', 'oracle']);
    expect(() => splitStrategies('nearest,,reserve')).toThrow(/--strategies\(=nearest,,reserve\) has an empty entry/);
  });

  it('rejects bad input naming the field and value', async () => {
    await expect(runBenchmark({ ...args, strategies: ['nearest', 'bogus'], workers: 0 })).rejects.toThrow(/unknown strategy "bogus"/);
    await expect(runBenchmark({ ...args, strategies: ['nearest', 'nearest'], workers: 0 })).rejects.toThrow(/"nearest" is listed twice/);
    await expect(runBenchmark({ ...args, seeds: 0, workers: 0 })).rejects.toThrow(/seeds\(=0\)/);
    await expect(runBenchmark({ ...args, days: 0, workers: 0 })).rejects.toThrow(/days\(=0\)/);
    await expect(runBenchmark({ ...args, baseline: 'cheapest', workers: 0 })).rejects.toThrow(/baseline\(=cheapest\)/);
    await expect(runBenchmark({ ...args, scenario: 'no-such-scenario', workers: 0 })).rejects.toThrow(/no-such-scenario/);
  });

  it('reads the learning curve of the latest version of a trained model', () => {
    const root = mkdtempSync(join(tmpdir(), 'allocsim-models-'));
    for (const [v, ret] of [['v1', 5], ['v2', 7], ['v10', 9]] as const) {
      mkdirSync(join(root, 'quick', v), { recursive: true });
      const rows = [1, 2].map((i) => JSON.stringify({ iteration: i, global_step: 100 * i, episodic_return: ret * i, kpi_reward: i === 1 ? null : 1 }));
      writeFileSync(join(root, 'quick', v, 'learning-curve.jsonl'), `${rows.join('\n')}\n`);
    }
    expect(readLearningCurve(join(root, 'quick'))).toEqual([
      { step: 100, episodicReturn: 9, reward: null },
      { step: 200, episodicReturn: 18, reward: 1 },
    ]);
    expect(readLearningCurve(join(root, 'quick', 'v1'))![1]!.episodicReturn).toBe(10);
    expect(readLearningCurve(join(root, 'missing'))).toBeUndefined();
  });
});
