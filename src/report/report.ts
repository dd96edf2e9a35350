import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../sim/atomic-file.js';
import { dirname, join } from 'node:path';
import type { BenchSummary } from './harness.js';
import { ResultsError } from './harness.js';
import type { Interval } from './stats.js';
import { renderSvg } from './charts.js';

/** Parses CSV text as written by the harness (quoted cells may hold commas). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function readResults(dir: string) {
  const file = (name: string) => join(dir, name);
  if (!existsSync(file('summary.json'))) throw new ResultsError(`results(=${dir}) has no summary.json: run allocsim bench --out ${dir} first`);
  let summary: BenchSummary;
  try {
    summary = JSON.parse(readFileSync(file('summary.json'), 'utf8')) as BenchSummary;
  } catch (err) {
    throw new ResultsError(`results(=${dir}): summary.json is not valid JSON`, { cause: err });
  }
  if (!summary.kpis || !Array.isArray(summary.strategies)) throw new ResultsError(`results(=${dir}): summary.json lacks kpis or strategies`);
  const csvOf = (name: string) => (existsSync(file(name)) ? parseCsv(readFileSync(file(name), 'utf8')) : []);
  return { summary, runs: csvOf('runs.csv'), daily: csvOf('daily.csv') };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function money(v: number, currency: string): string {
  const a = Math.abs(v);
  const s = a >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : a >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0);
  return `${s} ${currency}`;
}
const pct = (v: number, digits = 1) => `${(100 * v).toFixed(digits)}%`;

/**
 * Plain-language findings for a manager, every number taken from the summary:
 * who earns most, how each strategy compares with the baseline on contract fill
 * and margin (called a difference only when its 95% interval excludes zero), and
 * how close the best comes to the hindsight optimum.
 */
export function managerSummary(s: BenchSummary): string[] {
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const out: string[] = [];
  const n = s.seeds.length;
  const best = [...sims].sort((a, b) => s.kpis[b]!.reward!.mean - s.kpis[a]!.reward!.mean)[0]!;
  const br = s.kpis[best]!.reward!;
  let line = `\`${best}\` earns the highest reward: ${money(br.mean, s.currency)} on average over ${n} seed${n === 1 ? '' : 's'} of ${s.days} days`;
  if (n > 1) line += ` (95% interval ${money(br.lo, s.currency)} to ${money(br.hi, s.currency)})`;
  if (s.oracle) line += `, ${s.oracle.pctOfOracle[best]!.mean.toFixed(1)}% of the hindsight optimum`;
  out.push(`${line}.`);
  const base = s.baseline;
  for (const x of sims) {
    if (x === base) continue;
    const p = s.paired[x]!;
    const ct = p.contractFillRate!;
    const gm = p.grossMargin!;
    const baseGm = s.kpis[base]!.grossMargin!.mean;
    const gmPct = baseGm !== 0 ? (100 * gm.mean) / Math.abs(baseGm) : 0;
    const reward = p.reward!;
    const hasContract = s.segments.some((g) => g.kind === 'contract');
    const parts: string[] = [];
    if (hasContract) {
      parts.push(
        ct.verdict === 'no difference'
          ? `fills about as much contract demand as \`${base}\` (${(100 * ct.mean).toFixed(1)} points, not significant)`
          : `fills ${Math.abs(100 * ct.mean).toFixed(1)} points ${ct.mean > 0 ? 'more' : 'less'} contract demand than \`${base}\``,
      );
    } else {
      const fr = p.fillRate!;
      parts.push(`fills ${Math.abs(100 * fr.mean).toFixed(1)} points ${fr.mean >= 0 ? 'more' : 'less'} demand than \`${base}\``);
    }
    parts.push(
      gm.verdict === 'no difference'
        ? `at about the same margin (${gmPct >= 0 ? '+' : ''}${gmPct.toFixed(1)}%, not significant)`
        : `at ${Math.abs(gmPct).toFixed(1)}% ${gm.mean > 0 ? 'higher' : 'lower'} margin`,
    );
    const rv = reward.verdict === 'no difference' ? 'no significant change in reward' : `reward ${reward.mean > 0 ? 'up' : 'down'} ${money(Math.abs(reward.mean), s.currency)} per run`;
    out.push(`\`${x}\` ${parts.join(' ')}; ${rv}.`);
  }
  if (s.oracle) {
    const gap = s.oracle.reward.mean - br.mean;
    out.push(
      `With perfect hindsight (the oracle, an upper bound) the reward could reach ${money(s.oracle.reward.mean, s.currency)}: the best strategy leaves at most ${money(gap, s.currency)} per run on the table.`,
    );
  }
  return out;
}

const inline = (text: string) => esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');

function ivRow(iv: Interval | undefined, fmt: (v: number) => string): string {
  if (!iv) return '<td></td>';
  const half = (iv.hi - iv.lo) / 2;
  return `<td>${fmt(iv.mean)}${iv.n > 1 ? ` <span class="ci">± ${fmt(half)}</span>` : ''}</td>`;
}

/**
 * Writes one self-contained HTML report for a results directory: the manager's
 * summary, KPI tables, and every chart as inline SVG rendered on the server —
 * no scripts, no fonts, no network requests.
 */
export async function writeReport(resultsDir: string, outFile: string): Promise<{ file: string; charts: number }> {
  const { summary: s, runs, daily } = readResults(resultsDir);
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const charts: { id: string; title: string; svg: string }[] = [];
  const add = async (id: string, title: string, spec: Record<string, unknown>) => charts.push({ id, title, svg: await renderSvg(spec) });
  const color = { field: 'strategy', type: 'nominal', sort: sims, title: 'strategy' };

  // 1. KPI bars with 95% intervals.
  const kpiRows = [
    ['reward', 'Reward', 'money'],
    ['grossMargin', 'Gross margin', 'money'],
    ['fillRate', 'Fill rate', 'rate'],
    ['contractFillRate', 'Contract fill rate', 'rate'],
    ['onTimeRate', 'On-time rate', 'rate'],
    ['penalties', 'Penalties', 'money'],
  ] as const;
  const bars = sims.flatMap((x) =>
    kpiRows.map(([k, label]) => ({ strategy: x, kpi: label, mean: s.kpis[x]![k]!.mean, lo: s.kpis[x]![k]!.lo, hi: s.kpis[x]![k]!.hi })),
  );
  await add('kpi-bars', 'KPIs by strategy (mean, 95% interval over seeds)', {
    data: { values: bars },
    facet: { field: 'kpi', type: 'nominal', sort: kpiRows.map((r) => r[1]), title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 220,
      height: 160,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'strategy', type: 'nominal', sort: sims, axis: { labelAngle: -30, title: null } }, y: { field: 'mean', type: 'quantitative', title: null, scale: { zero: false } }, color } },
        { mark: { type: 'rule', color: '#111827' }, encoding: { x: { field: 'strategy', type: 'nominal', sort: sims }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
  });

  // 2. Margin against fill rate, per seed and mean.
  const scatter = runs.filter((r) => sims.includes(r.strategy!)).map((r) => ({ strategy: r.strategy, seed: Number(r.seed), fillRate: Number(r.fillRate), grossMargin: Number(r.grossMargin) }));
  const means = sims.map((x) => ({ strategy: x, fillRate: s.kpis[x]!.fillRate!.mean, grossMargin: s.kpis[x]!.grossMargin!.mean }));
  await add('margin-fill', 'Gross margin against fill rate (dots: seeds; large: means)', {
    width: 520,
    height: 300,
    layer: [
      { data: { values: scatter }, mark: { type: 'point', opacity: 0.45, filled: true }, encoding: { x: { field: 'fillRate', type: 'quantitative', scale: { zero: false }, axis: { format: '.1%' }, title: 'fill rate' }, y: { field: 'grossMargin', type: 'quantitative', scale: { zero: false }, title: `gross margin (${s.currency})` }, color } },
      { data: { values: means }, mark: { type: 'point', size: 220, filled: true, stroke: '#111827' }, encoding: { x: { field: 'fillRate', type: 'quantitative' }, y: { field: 'grossMargin', type: 'quantitative' }, color } },
    ],
  });

  // 3. Fulfilment by customer segment.
  const segRows = sims.flatMap((x) => s.segments.map((g) => ({ strategy: x, segment: `${g.id} (${g.kind})`, fillRate: s.bySegment[x]![g.id]!.fillRate.mean, lo: s.bySegment[x]![g.id]!.fillRate.lo, hi: s.bySegment[x]![g.id]!.fillRate.hi })));
  await add('segments', 'Fill rate by customer segment', {
    data: { values: segRows },
    width: 520,
    height: 240,
    encoding: { y: { field: 'segment', type: 'nominal', title: null }, yOffset: { field: 'strategy', sort: sims } },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'fillRate', type: 'quantitative', axis: { format: '.0%' }, title: 'fill rate', scale: { domain: [0, 1] } }, color } },
      { mark: { type: 'rule', color: '#111827' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
    ],
  });

  // 4. Inventory on hand per warehouse over time.
  const series = (name: string) => daily.filter((r) => r.series === name).map((r) => ({ strategy: r.strategy, day: Number(r.day), value: Number(r.value) }));
  const onHand = daily.filter((r) => r.series!.startsWith('onHand:')).map((r) => ({ strategy: r.strategy, warehouse: r.series!.slice(7), day: Number(r.day), value: Number(r.value) }));
  await add('inventory', 'Inventory on hand per warehouse (units, mean over seeds)', {
    data: { values: onHand },
    facet: { field: 'warehouse', type: 'nominal', sort: s.warehouses, title: null },
    columns: 2,
    spec: { width: 300, height: 150, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: { field: 'day', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'units' }, color } },
  });

  // 5. Backorders and lost sales over time.
  const bl = [...series('backlogUnits').map((r) => ({ ...r, measure: 'Backlog (units waiting)' })), ...series('lostSalesUnits').map((r) => ({ ...r, measure: 'Lost sales (units per day)' }))];
  await add('backorders', 'Backorders and lost sales over time (mean over seeds)', {
    data: { values: bl },
    facet: { field: 'measure', type: 'nominal', title: null },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: { width: 300, height: 170, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: { field: 'day', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'units' }, color } },
  });

  // 6. Share of the hindsight optimum.
  if (s.oracle) {
    const po = sims.map((x) => ({ strategy: x, mean: s.oracle!.pctOfOracle[x]!.mean, lo: s.oracle!.pctOfOracle[x]!.lo, hi: s.oracle!.pctOfOracle[x]!.hi }));
    const lo = Math.max(0, Math.floor(Math.min(...po.map((p) => p.lo)) - 2));
    await add('oracle', 'Reward as % of the hindsight oracle (upper bound; 100% = perfect hindsight)', {
      data: { values: po },
      width: 520,
      height: 30 * sims.length + 20,
      layer: [
        { mark: { type: 'bar', clip: true }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims, title: null }, x: { field: 'mean', type: 'quantitative', title: '% of oracle', scale: { domain: [lo, 100] } }, color } },
        { mark: { type: 'rule', color: '#111827', clip: true }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
        { mark: { type: 'text', align: 'right', dx: -4, fontSize: 11, color: 'white' }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims }, x: { field: 'mean', type: 'quantitative' }, text: { field: 'mean', type: 'quantitative', format: '.1f' } } },
      ],
    });
  }

  // 7. Learning curves of trained policies: the scenario reward of the training episodes when
  // recorded (comparable with the table above), else the trainer's episodic return.
  const curveRows = Object.entries(s.learningCurves ?? {});
  const useReward = curveRows.length > 0 && curveRows.every(([, rows]) => rows.some((r) => r.reward !== null));
  const curves = curveRows.flatMap(([name, rows]) =>
    rows.map((r) => ({ strategy: name, step: r.step, value: useReward ? r.reward : r.episodicReturn })).filter((r) => r.value !== null),
  );
  if (curves.length) {
    const what = useReward ? `scenario reward of the training episodes (${s.currency})` : 'episodic return';
    await add('learning', `Learning curve of the trained policy: ${what} per PPO iteration`, {
      data: { values: curves },
      width: 520,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'step', type: 'quantitative', title: 'environment steps' }, y: { field: 'value', type: 'quantitative', title: what, scale: { zero: false } }, color: { field: 'strategy', type: 'nominal' } },
    });
  }

  const findings = managerSummary(s);
  const kpiTable = [
    ['reward', 'Reward', (v: number) => money(v, s.currency)],
    ['grossMargin', 'Gross margin', (v: number) => money(v, s.currency)],
    ['grossMarginPct', 'Margin %', (v: number) => pct(v)],
    ['fillRate', 'Fill rate', (v: number) => pct(v)],
    ['contractFillRate', 'Contract fill', (v: number) => pct(v)],
    ['onTimeRate', 'On time', (v: number) => pct(v)],
    ['lostSalesUnits', 'Lost units', (v: number) => v.toFixed(0)],
    ['penalties', 'Penalties', (v: number) => money(v, s.currency)],
  ] as const;
  const head = `<tr><th>strategy</th>${kpiTable.map((k) => `<th>${k[1]}</th>`).join('')}${s.oracle ? '<th>% of oracle</th>' : ''}</tr>`;
  const body = sims
    .map((x) => `<tr><th>${esc(x)}</th>${kpiTable.map(([k, , f]) => ivRow(s.kpis[x]![k], f)).join('')}${s.oracle ? ivRow(s.oracle.pctOfOracle[x], (v) => `${v.toFixed(1)}%`) : ''}</tr>`)
    .join('\n');
  const pairedKpis = [['reward', 'Reward'], ['grossMargin', 'Gross margin'], ['fillRate', 'Fill rate'], ['contractFillRate', 'Contract fill'], ['penalties', 'Penalties']] as const;
  const pairedBody = sims
    .filter((x) => x !== s.baseline)
    .map(
      (x) =>
        `<tr><th>${esc(x)}</th>${pairedKpis
          .map(([k]) => {
            const p = s.paired[x]![k]!;
            const rate = k === 'fillRate' || k === 'contractFillRate';
            const f = (v: number) => (rate ? `${(100 * v).toFixed(2)} pts` : money(v, s.currency));
            return `<td class="${p.verdict.replace(' ', '-')}">${f(p.mean)} <span class="ci">[${f(p.lo)}, ${f(p.hi)}]</span><br><small>${p.verdict}</small></td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');

  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>allocsim report — ${esc(s.scenario)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #111827; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.3rem; }
.meta { color: #4b5563; } .summary { background: #f3f4f6; border-left: 4px solid #2563eb; padding: 0.8rem 1.2rem; }
.summary li { margin: 0.35rem 0; } code { background: #e5e7eb; padding: 0 0.25rem; border-radius: 3px; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; } th, td { border: 1px solid #e5e7eb; padding: 0.3rem 0.5rem; text-align: right; }
th:first-child { text-align: left; } .ci { color: #6b7280; font-size: 0.8em; } td.better { background: #ecfdf5; } td.worse { background: #fef2f2; }
figure { margin: 1.2rem 0; } figcaption { font-weight: bold; margin-bottom: 0.4rem; } svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Allocation strategies on <code>${esc(s.scenario)}</code></h1>
<p class="meta">${esc(s.description)} — ${s.seeds.length} seeds × ${s.days} days, common random numbers (every strategy saw the same demand on a seed). Baseline for comparisons: <code>${esc(s.baseline)}</code>.</p>
<section class="summary" id="summary"><h2>Summary</h2><ul>
${findings.map((f) => `<li>${inline(f)}</li>`).join('\n')}
</ul></section>
<h2>Key figures (mean ± half-width of the 95% interval)</h2>
<table id="kpi-table">${head}\n${body}</table>
<h2>Against the baseline <code>${esc(s.baseline)}</code> (paired by seed; a difference is called only when its 95% interval excludes zero)</h2>
<table id="paired-table"><tr><th>strategy</th>${pairedKpis.map((k) => `<th>${k[1]}</th>`).join('')}</tr>\n${pairedBody}</table>
${s.oracle ? `<p class="meta">The oracle is the hindsight linear programme (HiGHS) over the realised demand and scheduled supply: an upper bound, relaxed where supply reacts to the strategy (replenishment), for pick capacity and for the holding cost of replenished stock (see docs/report.md). Largest LP: ${s.oracle.lpColumns} columns, ${s.oracle.lpRows} rows.</p>` : ''}
${
  s.forecast
    ? `<h2>Demand forecast accuracy</h2>
<p class="meta">Exponential smoothing (trend, weekly season) per SKU × region, launch-aware for new SKUs, fitted on days 0–${s.forecast.trainDays - 1} and scored on the next ${s.forecast.horizonDays} days per SKU × region × day (mean over seeds ${s.forecast.seeds.join(', ')}). The scenario's own demand plan is the true mean, so its error is the noise floor.</p>
<table id="forecast-table"><tr><th>forecast</th><th>WAPE</th><th>bias</th></tr>
<tr><th>exponential smoothing</th><td>${pct(s.forecast.ets.wape)}</td><td>${pct(s.forecast.ets.bias)}</td></tr>
${s.forecast.etsLaunch ? `<tr><th>… launch SKUs only</th><td>${pct(s.forecast.etsLaunch.wape)}</td><td>${pct(s.forecast.etsLaunch.bias)}</td></tr>` : ''}
<tr><th>demand plan (noise floor)</th><td>${pct(s.forecast.plan.wape)}</td><td>${pct(s.forecast.plan.bias)}</td></tr></table>`
    : ''
}
<h2>Charts</h2>
${charts.map((c) => `<figure class="chart" id="chart-${c.id}"><figcaption>${esc(c.title)}</figcaption>\n${c.svg}\n</figure>`).join('\n')}
</body>
</html>
`;
  mkdirSync(dirname(outFile) || '.', { recursive: true });
  writeFileAtomic(outFile, html);
  return { file: outFile, charts: charts.length };
}
