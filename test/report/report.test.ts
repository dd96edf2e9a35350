import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBenchmark, type BenchSummary } from '../../src/report/harness.js';
import { managerSummary, writeReport } from '../../src/report/report.js';
import { launchBrowser } from '../../src/report/browser.js';

const OUT = resolve('test-output');
let results = '';
let summary: BenchSummary;

beforeAll(async () => {
  results = mkdtempSync(join(tmpdir(), 'allocsim-report-'));
  const res = await runBenchmark({ scenario: 'default', strategies: ['nearest', 'reserve', 'lp-rolling', 'oracle'], seeds: 2, days: 6, workers: 0, out: results });
  summary = res.summary;
});

describe('HTML report', () => {
  it('opens in headless Chromium offline: no console errors, no requests, every chart drawn', async () => {
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, 'report.html');
    const written = await writeReport(results, file);
    expect(written.charts).toBe(6);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(file).href;
      await page.goto(url);
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      for (const id of ['kpi-bars', 'margin-fill', 'segments', 'inventory', 'backorders', 'oracle']) {
        const marks = await page.locator(`#chart-${id} svg path, #chart-${id} svg line`).count();
        expect(marks, id).toBeGreaterThan(3);
      }
      expect(await page.locator('#summary li').count()).toBe(summary.strategies.length);
      expect(await page.locator('#kpi-table tr').count()).toBe(4);
      await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    expect(statSync(join(OUT, 'report.png')).size).toBeGreaterThan(10_000);
  });

  it('writes a summary whose numbers come from the data', () => {
    const lines = managerSummary(summary);
    const best = ['nearest', 'reserve', 'lp-rolling'].sort((a, b) => summary.kpis[b]!.reward!.mean - summary.kpis[a]!.reward!.mean)[0]!;
    expect(lines[0]).toContain(`\`${best}\` earns the highest reward`);
    expect(lines[0]).toContain(`${(summary.kpis[best]!.reward!.mean / 1e3).toFixed(1)}k USD`);
    expect(lines[0]).toContain(`${summary.oracle!.pctOfOracle[best]!.mean.toFixed(1)}% of the hindsight optimum`);
    const reserve = lines.find((l) => l.startsWith('`reserve`'))!;
    const ct = summary.paired.reserve!.contractFillRate!;
    expect(reserve).toContain(ct.verdict === 'no difference' ? `(${(100 * ct.mean).toFixed(1)} points, not significant)` : `${Math.abs(100 * ct.mean).toFixed(1)} points`);
  });

  it('adds the learning curve when a trained policy took part', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-report-rl-'));
    const s = JSON.parse(readFileSync(join(results, 'summary.json'), 'utf8')) as BenchSummary;
    s.learningCurves = { 'rl:models/demo': [1, 2, 3].map((i) => ({ step: i * 1000, episodicReturn: 100 * i, reward: 100 * i })) };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
    for (const f of ['runs.csv', 'daily.csv']) writeFileSync(join(dir, f), readFileSync(join(results, f)));
    const r = await writeReport(dir, join(dir, 'r.html'));
    expect(r.charts).toBe(7);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('id="chart-learning"');
  });

  it('reports the demand forecast accuracy when the horizon allows a holdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-report-fc-'));
    const res = await runBenchmark({ scenario: 'electronics-launch', strategies: ['nearest'], seeds: 1, days: 21, workers: 0, out: dir });
    const f = res.summary.forecast!;
    expect(f).toMatchObject({ trainDays: 14, horizonDays: 7, seeds: [0] });
    expect(f.ets.wape).toBeGreaterThan(0);
    expect(f.etsLaunch).not.toBeNull();
    expect(summary.forecast).toBeUndefined(); // 6 days: no holdout
    await writeReport(dir, join(dir, 'r.html'));
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('id="forecast-table"');
    expect(html).toContain(`${(100 * f.ets.wape).toFixed(1)}%`);
  });

  it('the CLI refuses a missing results directory with one line and exit 2', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', '/nonexistent/results', '--out', '/tmp/x.html'], { stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('results(=/nonexistent/results)');
    expect(existsSync('/tmp/x.html')).toBe(false);
  });
});
