import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { runBenchmark, type BenchResults, type BenchSummary } from '../../src/report/harness.js';
import { benchSummaryLines, writeReport } from '../../src/report/report.js';
import { launchBrowser } from '../../src/report/browser.js';

/**
 * The report read as a manager reads it: rendered in the packaged headless
 * Chromium at 1400 px, assertions on the text and marks the page shows.
 * Two benches: one where no strategy beats the baseline, one where one does.
 */
const OUT = resolve('test-output');
let tie = '';
let win = '';
let tieRes: BenchResults;
let winRes: BenchResults;
let browser: Browser;

beforeAll(async () => {
  tie = mkdtempSync(join(tmpdir(), 'allocsim-report-tie-'));
  win = mkdtempSync(join(tmpdir(), 'allocsim-report-win-'));
  // nearest against reserve over 10 days: the reward intervals include zero.
  tieRes = await runBenchmark({ scenario: 'default', strategies: ['nearest', 'reserve', 'oracle'], seeds: 3, days: 10, workers: 0, out: tie });
  // A baseline that holds 60 days of contract demand back from everyone else loses sales: nearest beats it.
  winRes = await runBenchmark({ scenario: 'default', strategies: ['reserve:protectDays=60', 'nearest', 'fair-share'], seeds: 3, days: 10, workers: 0, out: win });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens a report; records console errors, page errors and every request. */
async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[]; url: string }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  return { page, errors, requests, url };
}

const CHARTS = ['diff', 'waterfall', 'warehouses', 'contracts', 'segments', 'daily', 'interventions', 'finance-weeks', 'finance-net', 'finance-inventory', 'margin-fill'];

async function expectReadable(page: Page): Promise<void> {
  for (const id of CHARTS) {
    const marks = await page.locator(`#chart-${id} svg path, #chart-${id} svg line, #chart-${id} svg rect`).count();
    expect(marks, id).toBeGreaterThan(3);
  }
  // No label cut: Vega ends a truncated label with an ellipsis.
  const texts = await page.locator('svg text').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  expect(texts.length).toBeGreaterThan(100);
  expect(texts.filter((t) => t.includes('…'))).toEqual([]);
  // One money format: "$2.30 M", "$13.0 k", "$3,854" — never "k USD" or a bare 6-digit amount.
  const body = await page.locator('body').innerText();
  expect(body).not.toMatch(/\d(k|M) USD|USD \d/);
  const cells = await page.locator('#kpi-table tr:nth-child(2) td').allInnerTexts();
  expect(cells[0]).toMatch(/^−?\$\d{1,3}(,\d{3})*(\.\d+)?( k| M)? ± /);
  // Each strategy has one colour: the table's swatches differ, and match the charts' legend symbols.
  const swatches = await page.locator('#kpi-table .swatch').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.background));
  expect(new Set(swatches).size).toBe(swatches.length);
}

describe('HTML report in a browser', () => {
  it('says that no strategy is better when no paired interval excludes zero, and what differs', async () => {
    for (const [x, p] of Object.entries(tieRes.summary.paired)) expect(p.reward!.verdict, x).toBe('no difference');
    const file = join(tie, 'report.html');
    const r = await writeReport(tie, file);
    expect(r.recommendation.winner).toBeNull();
    const { page, errors, requests, url } = await open(file);
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      const headline = await page.locator('#headline').innerText();
      expect(headline).toMatch(/^No strategy is better than nearest on reward: over 3 seeds no paired difference excludes zero/);
      const details = await page.locator('#details li').allInnerTexts();
      expect(details.some((d) => d.startsWith('Closest: reserve') && d.includes('includes zero'))).toBe(true);
      expect(details.some((d) => d.startsWith('reserve against nearest:'))).toBe(true);
      await expectReadable(page);
      expect(await page.locator('#chart-oracle svg path').count()).toBeGreaterThan(3);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: join(OUT, 'report-tie.png'), fullPage: true });
    } finally {
      await page.close();
    }
    expect(statSync(join(OUT, 'report-tie.png')).size).toBeGreaterThan(50_000);
  });

  it('names the significantly better strategy with its trade-offs', async () => {
    const p = winRes.summary.paired.nearest!.reward!;
    expect(p.lo).toBeGreaterThan(0);
    const file = join(win, 'report.html');
    await writeReport(win, file);
    const { page, errors, requests, url } = await open(file);
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      const headline = await page.locator('#headline').innerText();
      expect(headline).toMatch(/^nearest is better than reserve:protectDays=60 on reward: \+\$\d+(\.\d) k per run \(95% interval \+\$[\d.]+ k to \+\$[\d.]+ k, 3 seeds, paired\)\.$/);
      const details = await page.locator('#details li').allInnerTexts();
      const line = (start: string) => details.find((d) => d.startsWith(start)) ?? '';
      const fill = winRes.summary.paired.nearest!.fillRate!;
      expect(line('Service:')).toContain(`fill rate ${(100 * fill.mean).toFixed(1)} points higher`);
      expect(line('Lost sales:')).toMatch(/^Lost sales: [\d,]+ fewer lost units per run/);
      expect(line('Contract commitments:')).toMatch(/filled against a target of 95\.0%, [\d.]+ periods? per run below target.*; commitment fill [^;]+\.$/);
      expect(line('Penalties')).toMatch(/^Penalties \$[\d,.]+( k)? lower/);
      expect(line('Cost lines that moved:')).toContain('cost of goods');
      // fair-share also beats the baseline: the page says how it compares with the winner, seed by seed.
      expect(details.some((d) => d.startsWith('fair-share also beats reserve:protectDays=60'))).toBe(true);
      await expectReadable(page);
      await page.screenshot({ path: join(OUT, 'report-winner.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('prints the same recommendation on the command line as the page shows', () => {
    const lines = benchSummaryLines(winRes);
    expect(lines[0]).toMatch(/^`nearest` is better than `reserve:protectDays=60` on reward/);
    expect(benchSummaryLines(tieRes)[0]).toMatch(/^No strategy is better than `nearest`/);
  });

  it('allocsim report --pdf writes a PDF whose pages render', () => {
    const html = join(tie, 'cli.html');
    const pdf = join(tie, 'cli.pdf');
    writeFileSync(pdf, 'keep');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', tie, '--out', html, '--pdf', pdf], { stdio: 'pipe' }).toString();
    expect(out).toContain(`${pdf} (PDF,`);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = bytes.toString('latin1');
    const pages = Number(/\/Type \/Pages[^>]*\/Count (\d+)/.exec(text)?.[1] ?? /\/Count (\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    // Render every page when poppler's pdftoppm is on the machine (it is not a dependency).
    const probe = spawnSync('pdftoppm', ['-v']);
    if (!probe.error) {
      const dir = mkdtempSync(join(tmpdir(), 'allocsim-pdf-'));
      execFileSync('pdftoppm', ['-r', '40', '-png', pdf, join(dir, 'page')]);
      for (let i = 1; i <= pages; i++) {
        const png = join(dir, `page-${String(i).padStart(String(pages).length, '0')}.png`);
        expect(statSync(png).size, png).toBeGreaterThan(2_000);
      }
      rmSync(dir, { recursive: true });
    }
  });

  it('a failed PDF run leaves the existing file alone and says why in one line', () => {
    const pdf = join(tie, 'kept.pdf');
    writeFileSync(pdf, 'keep');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', tie, '--out', join(tie, 'kept.html'), '--pdf', pdf], {
      env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
    });
    expect(r.status).not.toBe(0);
    const stderr = r.stderr.toString().trim().split('\n');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain('CHROMIUM_PATH(=/nonexistent/chromium) does not exist');
    expect(readFileSync(pdf, 'utf8')).toBe('keep');
  });

  it('adds the learning curve when a trained policy took part', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-report-rl-'));
    const s = JSON.parse(readFileSync(join(tie, 'summary.json'), 'utf8')) as BenchSummary;
    const before = await writeReport(tie, join(dir, 'plain.html'));
    s.learningCurves = { 'rl:models/demo': [1, 2, 3].map((i) => ({ step: i * 1000, episodicReturn: 100 * i, reward: 100 * i })) };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
    for (const f of ['runs.csv', 'daily.csv', 'detail.json']) writeFileSync(join(dir, f), readFileSync(join(tie, f)));
    const r = await writeReport(dir, join(dir, 'r.html'));
    expect(r.charts).toBe(before.charts + 1);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('id="chart-learning"');
  });

  it('reports the demand forecast accuracy when the horizon allows a holdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocsim-report-fc-'));
    const res = await runBenchmark({ scenario: 'electronics-launch', strategies: ['nearest'], seeds: 1, days: 21, workers: 0, out: dir });
    const f = res.summary.forecast!;
    expect(f).toMatchObject({ trainDays: 14, horizonDays: 7, seeds: [0] });
    expect(f.ets.wape).toBeGreaterThan(0);
    expect(f.etsLaunch).not.toBeNull();
    expect(tieRes.summary.forecast).toBeUndefined(); // 10 days: no holdout
    await writeReport(dir, join(dir, 'r.html'));
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('id="forecast-table"');
    expect(html).toContain(`${(100 * f.ets.wape).toFixed(1)}%`);
  });

  it('the CLI refuses a missing results directory and an unknown objective with one line and exit 2', () => {
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', ...args], { stdio: 'pipe' });
        return { status: 0, stderr: '' };
      } catch (err) {
        const e = err as { status: number; stderr: Buffer };
        return { status: e.status, stderr: e.stderr.toString() };
      }
    };
    const missing = run(['/nonexistent/results', '--out', '/tmp/x.html']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('results(=/nonexistent/results)');
    expect(existsSync('/tmp/x.html')).toBe(false);
    const bad = run([tie, '--out', join(tie, 'bad.html'), '--objective', 'happiness']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--objective(=happiness) must be a KPI');
    expect(existsSync(join(tie, 'bad.html'))).toBe(false);
  });
});
