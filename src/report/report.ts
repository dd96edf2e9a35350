import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchResults, BenchSummary } from './harness.js';
import { ResultsError } from './harness.js';
import type { Interval } from './stats.js';
import { renderSvg, STRATEGY_COLOURS } from './charts.js';
import type { BenchDetail, Band } from './bench-detail.js';
import { ESCALATION_CAUSES } from './detail.js';
import { formatMoney, formatNumber, moneyLabelExpr } from './format.js';
import { perSeedOf, recommend, type PerSeed, type Recommendation } from './recommend.js';

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
  let detail: BenchDetail | undefined;
  if (existsSync(file('detail.json'))) {
    try {
      detail = JSON.parse(readFileSync(file('detail.json'), 'utf8')) as BenchDetail;
    } catch (err) {
      throw new ResultsError(`results(=${dir}): detail.json is not valid JSON`, { cause: err });
    }
  }
  return { summary, runs: csvOf('runs.csv'), daily: csvOf('daily.csv'), detail };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (v: number, digits = 1) => `${(100 * v).toFixed(digits)}%`;
const inline = (text: string) => esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/** Per-seed KPI values from runs.csv, for comparing two challengers seed by seed. */
function perSeedFromRuns(s: BenchSummary, runs: Record<string, string>[]): PerSeed {
  const skip = new Set(['strategy', 'seed', 'policy']);
  return perSeedOf(
    s,
    runs.map((r) => ({
      strategy: r.strategy!,
      seed: Number(r.seed),
      kpis: Object.fromEntries(Object.entries(r).filter(([k]) => !skip.has(k)).map(([k, v]) => [k, Number(v)])),
    })),
  );
}

/**
 * Plain-language findings for a manager, every number taken from the summary:
 * the recommendation (a strategy is named better only when its paired 95%
 * interval on the objective excludes zero) with its trade-offs, and how close
 * the strategies come to the hindsight optimum. The CLI prints these lines.
 */
export function managerSummary(s: BenchSummary, options: { objective?: string; perSeed?: PerSeed } = {}): string[] {
  const r = recommend(s, options);
  return [r.headline, ...r.details, ...oracleLines(s)];
}

/** The summary lines the CLI prints after a bench (`bench`, `npm start`): `managerSummary` with per-seed data. */
export function benchSummaryLines(res: BenchResults, objective?: string): string[] {
  const rows = res.records.filter((r) => r.kpis).map((r) => ({ strategy: r.strategy, seed: r.seed, kpis: { ...r.kpis! } as Record<string, number> }));
  return managerSummary(res.summary, { objective, perSeed: perSeedOf(res.summary, rows) });
}

function oracleLines(s: BenchSummary): string[] {
  if (!s.oracle) return [];
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const best = [...sims].sort((a, b) => s.oracle!.pctOfOracle[b]!.mean - s.oracle!.pctOfOracle[a]!.mean)[0]!;
  const gap = s.oracle.reward.mean - s.kpis[best]!.reward!.mean;
  return [
    `With perfect hindsight (the oracle, an upper bound) the reward could reach ${formatMoney(s.oracle.reward.mean, s.currency)} per run; the closest strategy, \`${best}\`, reaches ${s.oracle.pctOfOracle[best]!.mean.toFixed(1)}% of it and leaves at most ${formatMoney(gap, s.currency)} per run on the table.`,
  ];
}

interface Chart {
  id: string;
  title: string;
  note?: string;
  svg: string;
}

/**
 * Writes one self-contained HTML report for a results directory: the
 * recommendation, KPI tables, and every chart as inline SVG rendered on the
 * server — no scripts, no fonts, no network requests. The file is written beside
 * its target and renamed into place, so a failed run leaves no half-written report.
 */
export async function writeReport(resultsDir: string, outFile: string, options: { objective?: string } = {}): Promise<{ file: string; charts: number; recommendation: Recommendation }> {
  const { summary: s, runs, detail } = readResults(resultsDir);
  const objective = options.objective ?? 'reward';
  if (!s.kpis[s.baseline]?.[objective]) throw new ResultsError(`objective(=${objective}) is not a KPI of the results (e.g. reward, grossMargin, fillRate)`);
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const cur = s.currency;
  const money = (v: number) => formatMoney(v, cur);
  const moneyAxis = { labelExpr: moneyLabelExpr(cur) };
  const colourOf = (x: string) => STRATEGY_COLOURS[sims.indexOf(x) % STRATEGY_COLOURS.length]!;
  const color = { field: 'strategy', type: 'nominal', sort: sims, title: null, scale: { domain: sims, range: sims.map(colourOf) } };
  const perSeed = perSeedFromRuns(s, runs);
  const rec = recommend(s, { objective, perSeed });
  const focus = rec.winner ?? s.baseline;
  const charts: Chart[] = [];
  const add = async (id: string, title: string, spec: Record<string, unknown>, note?: string) => charts.push({ id, title, note, svg: await renderSvg(spec) });
  const barHeight = (rows: number) => Math.max(60, 22 * rows);

  // 1. Differences against the baseline, paired by seed: mean and 95% interval, zero marked.
  const diffKpis: [string, string, 'money' | 'rate' | 'units'][] = [
    ['reward', 'Reward', 'money'],
    ['grossMargin', 'Gross margin', 'money'],
    ['penalties', 'Penalties', 'money'],
    ['fillRate', 'Fill rate (points)', 'rate'],
    ['onTimeRate', 'On-time rate (points)', 'rate'],
    ['contractFillRate', 'Contract fill (points)', 'rate'],
    ['lostSalesUnits', 'Lost units', 'units'],
    ['shippingCost', 'Shipping cost', 'money'],
    ['holdingCost', 'Holding cost', 'money'],
  ];
  const challengers = sims.filter((x) => x !== s.baseline);
  if (challengers.length) {
    const panel = ([k, label, kind]: (typeof diffKpis)[number]) => {
      const scale = kind === 'rate' ? 100 : 1;
      const values = challengers.map((x) => {
        const p = s.paired[x]![k]!;
        return { strategy: x, mean: p.mean * scale, lo: p.lo * scale, hi: p.hi * scale, verdict: p.verdict };
      });
      const axis = kind === 'money' ? moneyAxis : kind === 'rate' ? { format: '+.1f' } : { format: ',.0f' };
      return {
        title: label,
        width: 260,
        height: barHeight(challengers.length),
        data: { values },
        layer: [
          { mark: { type: 'rule', color: '#9ca3af', strokeDash: [4, 3] }, encoding: { x: { datum: 0 } } },
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: { field: 'strategy', type: 'nominal', sort: challengers, title: null }, x: { field: 'lo', type: 'quantitative', title: null, axis, scale: { zero: true, nice: true } }, x2: { field: 'hi' }, color } },
          { mark: { type: 'point', filled: true, size: 80 }, encoding: { y: { field: 'strategy', type: 'nominal', sort: challengers }, x: { field: 'mean', type: 'quantitative' }, color, shape: { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: ['better', 'no difference', 'worse'], range: ['triangle-up', 'circle', 'triangle-down'] } } } },
        ],
      };
    };
    await add(
      'diff',
      `Difference against the baseline ${s.baseline}, per run (paired by seed; dot: mean, line: 95% interval; a difference is real only when the line misses the dashed zero)`,
      { concat: diffKpis.map(panel), columns: 3, resolve: { scale: { x: 'independent' } } },
    );
  }

  // 2. Cost waterfall: revenue down to reward, per strategy.
  const steps = ['Revenue', 'Cost of goods', 'Shipping', 'Handling', 'Holding', 'Gross margin', 'Penalties', 'Reward'];
  const waterfall = (x: string) => {
    const k = s.kpis[x]!;
    const m = (n: string) => k[n]!.mean;
    const rows: { step: string; from: number; to: number; kind: string; label: string; strategy: string }[] = [];
    let level = 0;
    const move = (step: string, delta: number) => {
      rows.push({ step, from: level, to: level + delta, kind: delta >= 0 ? 'income' : 'cost', label: money(delta), strategy: x });
      level += delta;
    };
    const total = (step: string, v: number) => rows.push({ step, from: 0, to: v, kind: 'total', label: money(v), strategy: x });
    move('Revenue', m('revenue'));
    move('Cost of goods', -m('cogs'));
    move('Shipping', -m('shippingCost'));
    move('Handling', -m('handlingCost'));
    move('Holding', -m('holdingCost'));
    total('Gross margin', m('grossMargin'));
    level = m('grossMargin');
    // The reward weights margin and penalties; the last step closes the gap to the reward exactly.
    move('Penalties', m('reward') - m('grossMargin'));
    total('Reward', m('reward'));
    for (const r of rows) (r as { end?: number }).end = Math.max(r.from, r.to);
    return {
      title: x,
      width: 300,
      height: 8 * 24,
      data: { values: rows },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'step', type: 'ordinal', sort: steps, title: null },
            x: { field: 'from', type: 'quantitative', title: null, axis: { ...moneyAxis, tickCount: 4 }, scale: { nice: true } },
            x2: { field: 'to' },
            color: { field: 'kind', type: 'nominal', title: null, legend: null, scale: { domain: ['income', 'cost', 'total'], range: ['#9ca3af', '#f87171', colourOf(x)] } },
          },
        },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y: { field: 'step', type: 'ordinal', sort: steps }, x: { field: 'end', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    };
  };
  await add('waterfall', `From revenue to reward, per run (mean over seeds; grey: revenue, red: costs and penalties, coloured: totals)`, {
    concat: sims.map(waterfall),
    columns: 3,
    spacing: 60,
    resolve: { scale: { color: 'independent', x: 'shared' } },
  });

  // 3. Warehouses: the imbalance between them, per strategy.
  if (detail) {
    const whRows = sims.flatMap((x) => (detail.strategies[x]?.warehouses ?? []).map((w) => ({ strategy: x, ...w })));
    const metric = (field: string, title: string, axis: Record<string, unknown>) => ({
      title,
      width: 260,
      height: barHeight(s.warehouses.length * sims.length) ,
      data: { values: whRows },
      mark: 'bar',
      encoding: {
        y: { field: 'warehouse', type: 'nominal', sort: s.warehouses, title: null },
        yOffset: { field: 'strategy', sort: sims },
        x: { field, type: 'quantitative', title: null, axis },
        color,
      },
    });
    await add('warehouses', 'Warehouses (mean over seeds): how evenly the work and the stock are spread', {
      concat: [
        metric('utilisation', 'Pick utilisation', { format: '.0%' }),
        metric('meanPickBacklog', 'Pick backlog (units waiting to ship, day end)', { format: ',.0f' }),
        metric('shippedUnits', 'Units shipped', { format: ',.0f' }),
        metric('cost', 'Cost: shipping + handling + holding', moneyAxis),
        metric('stockoutDays', 'Stockout days (SKU × day)', { format: ',.0f' }),
        metric('daysOfCover', 'Days of cover (stock ÷ daily shipments)', { format: ',.1f' }),
      ],
      columns: 3,
    });
  }

  // 4. Contract fill against target, per contract segment and period.
  const contractSegs = s.segments.filter((g) => g.kind === 'contract').map((g) => g.id);
  if (detail && contractSegs.length) {
    const rows = sims.flatMap((x) =>
      (detail.strategies[x]?.contracts ?? []).map((c) => ({ strategy: x, segment: c.segment, period: `P${c.period} (to day ${c.endDay})`, fill: c.fill.mean, lo: c.fill.lo, hi: c.fill.hi, target: c.target })),
    );
    const lo = Math.min(...rows.map((r) => Math.min(r.lo, r.target)));
    const domain = [Math.max(0, Math.floor((lo - 0.02) * 50) / 50), 1];
    await add(
      'contracts',
      'Contract fill against its target, per contract segment and period (bars: mean over seeds, lines: 95% interval; dashed: target)',
      {
        data: { values: rows },
        facet: { row: { field: 'segment', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
        spec: {
          width: 700,
          height: 170,
          layer: [
            { mark: { type: 'bar', clip: true }, encoding: { x: { field: 'period', type: 'ordinal', title: null, axis: { labelAngle: 0 } }, xOffset: { field: 'strategy', sort: sims }, y: { field: 'fill', type: 'quantitative', title: 'contract fill', axis: { format: '.0%' }, scale: { domain } }, color } },
            { mark: { type: 'rule', color: '#111827', clip: true }, encoding: { x: { field: 'period', type: 'ordinal' }, xOffset: { field: 'strategy', sort: sims }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
            { mark: { type: 'rule', color: '#111827', strokeDash: [6, 4], strokeWidth: 2 }, encoding: { y: { field: 'target', type: 'quantitative', aggregate: 'max' } } },
          ],
        },
      },
    );
  }

  // 5. On-time and fill per segment, axes fitted to the data.
  const segLabel = (g: { id: string; kind: string }) => `${g.id} (${g.kind})`;
  const segLabels = s.segments.map(segLabel);
  const segRows = sims.flatMap((x) =>
    s.segments.map((g) => {
      const b = s.bySegment[x]![g.id]!;
      return { strategy: x, segment: segLabel(g), fill: b.fillRate.mean, fillLo: b.fillRate.lo, fillHi: b.fillRate.hi, onTime: b.onTimeRate.mean, onTimeLo: b.onTimeRate.lo, onTimeHi: b.onTimeRate.hi };
    }),
  );
  const segPanel = (field: 'fill' | 'onTime', title: string) => ({
    title,
    width: 420,
    height: barHeight(s.segments.length * sims.length),
    data: { values: segRows },
    encoding: { y: { field: 'segment', type: 'nominal', sort: segLabels, title: null }, yOffset: { field: 'strategy', sort: sims } },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: `${field}Lo`, type: 'quantitative', title: null, axis: { format: '.1%' }, scale: { zero: false, nice: false, padding: 8 } }, x2: { field: `${field}Hi` }, color } },
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field, type: 'quantitative' }, color } },
    ],
  });
  await add('segments', 'Service per customer segment (dot: mean over seeds, line: 95% interval; the axis is fitted to the data, not 0–100%)', {
    hconcat: [segPanel('fill', 'Fill rate'), segPanel('onTime', 'On-time rate')],
  });

  // 6. Daily series: median over seeds and the 10–90% band.
  if (detail) {
    const series = (key: 'fill' | 'backlog' | 'stockouts' | 'inventoryValue') =>
      sims.flatMap((x) => {
        const b: Band | undefined = detail.strategies[x]?.daily[key];
        return b ? b.median.map((m, d) => ({ strategy: x, day: d + 1, median: m, lo: b.lo[d]!, hi: b.hi[d]! })) : [];
      });
    const panel = (key: 'fill' | 'backlog' | 'stockouts' | 'inventoryValue', title: string, axis: Record<string, unknown>) => ({
      title,
      width: 520,
      height: 180,
      data: { values: series(key) },
      layer: [
        { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x: { field: 'day', type: 'quantitative', title: 'day' }, y: { field: 'median', type: 'quantitative', title: null, axis, scale: { zero: false } }, color } },
        { mark: { type: 'area', opacity: 0.15 }, encoding: { x: { field: 'day', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      ],
    });
    await add('daily', `Day by day (line: median over ${s.seeds.length} seeds; shaded: 10–90% of seeds)`, {
      concat: [
        panel('fill', 'Fill rate of the units ordered that day', { format: '.0%' }),
        panel('backlog', 'Backlog: units waiting to be placed (day end)', { format: ',.0f' }),
        panel('stockouts', 'Stockouts: warehouse × SKU cells empty (day end)', { format: ',.0f' }),
        panel('inventoryValue', 'Inventory value at cost (day end)', moneyAxis),
      ],
      columns: 2,
    });
  }

  // 7. Manual interventions and why.
  if (detail) {
    const rateRows = sims.map((x) => ({ strategy: x, rate: s.kpis[x]!.manualInterventionRate!.mean, lo: s.kpis[x]!.manualInterventionRate!.lo, hi: s.kpis[x]!.manualInterventionRate!.hi }));
    const causeRows = sims.flatMap((x) => ESCALATION_CAUSES.map((c) => ({ strategy: x, cause: c, orders: detail.strategies[x]?.escalations[c] ?? 0 })));
    await add('interventions', 'Manual interventions: orders escalated to a planner (unplaced past the segment\u2019s escalation time)', {
      hconcat: [
        {
          title: 'Share of orders escalated',
          width: 300,
          height: barHeight(sims.length),
          data: { values: rateRows },
          layer: [
            { mark: 'bar', encoding: { y: { field: 'strategy', type: 'nominal', sort: sims, title: null }, x: { field: 'rate', type: 'quantitative', title: null, axis: { format: '.1%' } }, color } },
            { mark: { type: 'rule', color: '#111827' }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
          ],
        },
        {
          title: 'Escalated orders per run, by cause at the moment of escalation',
          width: 420,
          height: barHeight(sims.length),
          data: { values: causeRows },
          mark: 'bar',
          encoding: {
            y: { field: 'strategy', type: 'nominal', sort: sims, title: null },
            x: { field: 'orders', type: 'quantitative', title: null, axis: { format: ',.0f' } },
            color: { field: 'cause', type: 'nominal', title: null, scale: { domain: [...ESCALATION_CAUSES], range: ['#6b7280', '#f59e0b', '#0ea5e9'] }, legend: { orient: 'bottom', columns: 1 } },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    });
  }

  // 8. Finance.
  if (detail) {
    const f = detail.strategies[focus]?.finance;
    if (f) {
      const weekRows = (['revenue', 'cashIn', 'cashOutPurchases', 'cashOutOperations'] as const).flatMap((k) =>
        f.weeks[k].map((v, w) => ({ week: w + 1, what: FIN_LABEL[k], value: k.startsWith('cashOut') ? -v : v })),
      );
      const netRows = f.weeks.netCash.map((v, w) => ({ week: w + 1, value: v }));
      await add(
        'finance-weeks',
        `Money by week for ${focus}${rec.winner ? ' (the recommended strategy)' : ' (the baseline)'}: revenue as recognised, cash in and out under the payment terms, net cash (line)`,
        {
          width: 900,
          height: 260,
          layer: [
            {
              data: { values: weekRows },
              mark: 'bar',
              encoding: {
                x: { field: 'week', type: 'ordinal', title: 'week', axis: { labelAngle: 0 } },
                xOffset: { field: 'what', sort: Object.values(FIN_LABEL) },
                y: { field: 'value', type: 'quantitative', title: null, axis: moneyAxis },
                color: { field: 'what', type: 'nominal', title: null, sort: Object.values(FIN_LABEL), scale: { domain: Object.values(FIN_LABEL), range: ['#94a3b8', '#16a34a', '#dc2626', '#f59e0b'] } },
              },
            },
            { data: { values: netRows }, mark: { type: 'line', point: true, color: '#111827' }, encoding: { x: { field: 'week', type: 'ordinal' }, y: { field: 'value', type: 'quantitative' } } },
          ],
        },
      );
      const netByStrategy = sims.flatMap((x) => {
        let cum = 0;
        return (detail.strategies[x]?.finance.weeks.netCash ?? []).map((v, w) => ({ strategy: x, week: w + 1, value: (cum += v) }));
      });
      await add('finance-net', 'Cumulative net cash by week, per strategy (cash in − supplier payments − operating payments)', {
        width: 520,
        height: 220,
        data: { values: netByStrategy },
        mark: { type: 'line', point: true },
        encoding: { x: { field: 'week', type: 'ordinal', title: 'week', axis: { labelAngle: 0 } }, y: { field: 'value', type: 'quantitative', title: null, axis: moneyAxis }, color },
      });
      const valueRows = (detail.strategies[focus]?.valueByWarehouse ?? []).flatMap((vals, wi) => vals.map((v, d) => ({ warehouse: s.warehouses[wi]!, day: d + 1, value: v })));
      await add('finance-inventory', `Working capital: inventory value at cost by warehouse, day by day, for ${focus} (mean over seeds)`, {
        width: 520,
        height: 220,
        data: { values: valueRows },
        mark: { type: 'area' },
        encoding: {
          x: { field: 'day', type: 'quantitative', title: 'day' },
          y: { field: 'value', type: 'quantitative', title: null, axis: moneyAxis, stack: 'zero' },
          color: { field: 'warehouse', type: 'nominal', title: null, sort: s.warehouses, scale: { scheme: 'tableau10' } },
        },
      });
    }
  }

  // 9. Margin against fill rate, per seed and mean.
  const scatter = runs.filter((r) => sims.includes(r.strategy!)).map((r) => ({ strategy: r.strategy, seed: Number(r.seed), fillRate: Number(r.fillRate), grossMargin: Number(r.grossMargin) }));
  const means = sims.map((x) => ({ strategy: x, fillRate: s.kpis[x]!.fillRate!.mean, grossMargin: s.kpis[x]!.grossMargin!.mean }));
  await add('margin-fill', 'Gross margin against fill rate (small dots: seeds; large: means)', {
    width: 560,
    height: 300,
    layer: [
      { data: { values: scatter }, mark: { type: 'point', opacity: 0.45, filled: true }, encoding: { x: { field: 'fillRate', type: 'quantitative', scale: { zero: false }, axis: { format: '.2%' }, title: 'fill rate' }, y: { field: 'grossMargin', type: 'quantitative', scale: { zero: false }, title: 'gross margin per run', axis: moneyAxis }, color } },
      { data: { values: means }, mark: { type: 'point', size: 220, filled: true, stroke: '#111827' }, encoding: { x: { field: 'fillRate', type: 'quantitative' }, y: { field: 'grossMargin', type: 'quantitative' }, color } },
    ],
  });

  // 10. Share of the hindsight optimum.
  if (s.oracle) {
    const po = sims.map((x) => ({ strategy: x, mean: s.oracle!.pctOfOracle[x]!.mean, lo: s.oracle!.pctOfOracle[x]!.lo, hi: s.oracle!.pctOfOracle[x]!.hi, label: `${s.oracle!.pctOfOracle[x]!.mean.toFixed(1)}%` }));
    const lo = Math.max(0, Math.floor(Math.min(...po.map((p) => p.lo)) - 2));
    await add('oracle', 'Reward as % of the hindsight oracle (an upper bound: 100% = perfect hindsight)', {
      data: { values: po },
      width: 560,
      height: barHeight(sims.length),
      layer: [
        { mark: { type: 'bar', clip: true }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims, title: null }, x: { field: 'mean', type: 'quantitative', title: '% of oracle', scale: { domain: [lo, 100] } }, color } },
        { mark: { type: 'rule', color: '#111827', clip: true }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims }, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
        { mark: { type: 'text', align: 'right', dx: -4, fontSize: 11, color: 'white' }, encoding: { y: { field: 'strategy', type: 'nominal', sort: sims }, x: { field: 'mean', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    });
  }

  // 11. Learning curves of trained policies: the scenario reward of the training episodes when
  // recorded (comparable with the table above), else the trainer's episodic return.
  const curveRows = Object.entries(s.learningCurves ?? {});
  const useReward = curveRows.length > 0 && curveRows.every(([, rows]) => rows.some((r) => r.reward !== null));
  const curves = curveRows.flatMap(([name, rows]) =>
    rows.map((r) => ({ strategy: name, step: r.step, value: useReward ? r.reward : r.episodicReturn })).filter((r) => r.value !== null),
  );
  if (curves.length) {
    const what = useReward ? 'scenario reward of the training episodes' : 'episodic return';
    await add('learning', `Learning curve of the trained policy: ${what} per PPO iteration`, {
      data: { values: curves },
      width: 560,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'environment steps', axis: { format: ',.0f' } },
        y: { field: 'value', type: 'quantitative', title: what, scale: { zero: false }, axis: useReward ? moneyAxis : { format: ',.0f' } },
        color: sims.some((x) => curveRows.some(([n]) => n === x)) ? color : { field: 'strategy', type: 'nominal', title: null },
      },
    });
  }

  const html = page(s, { rec, charts, detail, focus, colourOf, sims });
  mkdirSync(dirname(outFile) || '.', { recursive: true });
  const tmp = `${outFile}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, outFile);
  return { file: outFile, charts: charts.length, recommendation: rec };
}

const FIN_LABEL = { revenue: 'revenue recognised', cashIn: 'cash in (customers)', cashOutPurchases: 'cash out (suppliers)', cashOutOperations: 'cash out (shipping, handling, penalties)' } as const;

function ivCell(iv: Interval | undefined, fmt: (v: number) => string): string {
  if (!iv) return '<td></td>';
  const half = (iv.hi - iv.lo) / 2;
  return `<td>${fmt(iv.mean)}${iv.n > 1 ? ` <span class="ci">± ${fmt(half)}</span>` : ''}</td>`;
}

function page(
  s: BenchSummary,
  v: { rec: Recommendation; charts: Chart[]; detail: BenchDetail | undefined; focus: string; colourOf: (x: string) => string; sims: string[] },
): string {
  const { rec, charts, detail, focus, colourOf, sims } = v;
  const cur = s.currency;
  const money = (x: number) => formatMoney(x, cur);
  const name = (x: string) => `<span class="swatch" style="background:${colourOf(x)}"></span>${esc(x)}`;
  const chart = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c ? `<figure class="chart" id="chart-${c.id}"><figcaption>${esc(c.title)}</figcaption>\n${c.svg}\n</figure>` : '';
  };

  const kpiTable = [
    ['reward', 'Reward', money],
    ['grossMargin', 'Gross margin', money],
    ['grossMarginPct', 'Margin %', (x: number) => pct(x)],
    ['fillRate', 'Fill rate', (x: number) => pct(x)],
    ['contractFillRate', 'Contract fill', (x: number) => pct(x)],
    ['onTimeRate', 'On time', (x: number) => pct(x)],
    ['lostSalesUnits', 'Lost units', formatNumber],
    ['penalties', 'Penalties', money],
  ] as const;
  const head = `<tr><th>strategy</th>${kpiTable.map((k) => `<th>${k[1]}</th>`).join('')}${s.oracle ? '<th>% of oracle</th>' : ''}</tr>`;
  const body = sims
    .map((x) => `<tr><th>${name(x)}</th>${kpiTable.map(([k, , f]) => ivCell(s.kpis[x]![k], f)).join('')}${s.oracle ? ivCell(s.oracle.pctOfOracle[x], (p) => `${p.toFixed(1)}%`) : ''}</tr>`)
    .join('\n');
  const contractTarget = s.kpis[sims[0]!]!.contractFillTarget?.mean ?? 0;

  const pairedKpis = [['reward', 'Reward'], ['grossMargin', 'Gross margin'], ['fillRate', 'Fill rate'], ['onTimeRate', 'On time'], ['contractFillRate', 'Contract fill'], ['lostSalesUnits', 'Lost units'], ['penalties', 'Penalties']] as const;
  const pairedBody = sims
    .filter((x) => x !== s.baseline)
    .map(
      (x) =>
        `<tr><th>${name(x)}</th>${pairedKpis
          .map(([k]) => {
            const p = s.paired[x]![k]!;
            const rate = k === 'fillRate' || k === 'contractFillRate' || k === 'onTimeRate';
            const f = (y: number) => (rate ? `${y >= 0 ? '+' : '−'}${Math.abs(100 * y).toFixed(2)} pts` : k === 'lostSalesUnits' ? `${y >= 0 ? '+' : ''}${formatNumber(y)}` : `${y >= 0 ? '+' : ''}${money(y)}`);
            return `<td class="${p.verdict.replace(' ', '-')}">${f(p.mean)} <small>${p.verdict}</small><br><span class="ci">[${f(p.lo)}, ${f(p.hi)}]</span></td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');

  let warehouseTable = '';
  if (detail?.strategies[focus]) {
    const rows = detail.strategies[focus]!.warehouses;
    warehouseTable = `<table id="warehouse-table"><tr><th>warehouse (${esc(focus)})</th><th>Utilisation</th><th>Pick backlog</th><th>Units shipped</th><th>Cost</th><th>Stockout days</th><th>Days of cover</th><th>Inventory value</th><th>Stock age</th></tr>
${rows
  .map(
    (w) =>
      `<tr><th>${esc(w.warehouse)}</th><td>${pct(w.utilisation)}</td><td>${formatNumber(w.meanPickBacklog)}</td><td>${formatNumber(w.shippedUnits)}</td><td>${money(w.cost)}</td><td>${formatNumber(w.stockoutDays)}</td><td>${w.daysOfCover.toFixed(1)}</td><td>${money(w.meanValue)}</td><td>${w.meanAgeDays.toFixed(1)} days</td></tr>`,
  )
  .join('\n')}</table>`;
  }

  let financeTable = '';
  if (detail) {
    const t = detail.terms;
    const termsText = `Payment terms: ${s.segments.map((g, i) => `${esc(g.id)} pays ${t.customerDays[i] ?? 0} days after delivery`).join(', ')}; suppliers are paid ${t.supplierDays} days after receipt.`;
    const cols: [string, (x: string) => string][] = [
      ['Revenue recognised', (x) => money(detail.strategies[x]!.finance.totals.revenue)],
      ['Cash in', (x) => money(detail.strategies[x]!.finance.totals.cashIn)],
      ['Receivables open', (x) => money(detail.strategies[x]!.finance.totals.receivables)],
      ['Paid to suppliers', (x) => money(detail.strategies[x]!.finance.totals.cashOutPurchases)],
      ['Payables open', (x) => money(detail.strategies[x]!.finance.totals.payables)],
      ['Operating payments', (x) => money(detail.strategies[x]!.finance.totals.operations)],
      ['Net cash', (x) => { const f = detail.strategies[x]!.finance.totals; return money(f.cashIn - f.cashOutPurchases - f.operations); }],
      ['Closing inventory', (x) => money(detail.strategies[x]!.finance.totals.closingInventory)],
      ['Turnover (per year)', (x) => `${s.kpis[x]!.inventoryTurnover!.mean.toFixed(1)}×`],
      ['Stock age', (x) => `${s.kpis[x]!.meanInventoryAgeDays!.mean.toFixed(1)} days`],
    ];
    const ok = sims.filter((x) => detail.strategies[x]);
    financeTable = `<p class="meta">${termsText} Revenue is recognised on delivery; holding cost is a charge on the capital in stock, not a payment, so it is not in the cash figures. Over the horizon, cash in + receivables = revenue and supplier payments + payables = stock received at cost, entry by entry from the ledger.</p>
<table id="finance-table"><tr><th>strategy (per run, mean over seeds)</th>${cols.map((c) => `<th>${c[0]}</th>`).join('')}</tr>
${ok.map((x) => `<tr><th>${name(x)}</th>${cols.map(([, f]) => `<td>${f(x)}</td>`).join('')}</tr>`).join('\n')}</table>`;
  }

  const forecast = s.forecast
    ? `<h2>Demand forecast accuracy</h2>
<p class="meta">Exponential smoothing (trend, weekly season) per SKU × region, launch-aware for new SKUs, fitted on days 1–${s.forecast.trainDays} and scored on the next ${s.forecast.horizonDays} days per SKU × region × day (mean over seeds ${s.forecast.seeds.join(', ')}). The scenario's own demand plan is the true mean, so its error is the noise floor.</p>
<table id="forecast-table"><tr><th>forecast</th><th>WAPE</th><th>bias</th></tr>
<tr><th>exponential smoothing</th><td>${pct(s.forecast.ets.wape)}</td><td>${pct(s.forecast.ets.bias)}</td></tr>
${s.forecast.etsLaunch ? `<tr><th>… launch SKUs only</th><td>${pct(s.forecast.etsLaunch.wape)}</td><td>${pct(s.forecast.etsLaunch.bias)}</td></tr>` : ''}
<tr><th>demand plan (noise floor)</th><td>${pct(s.forecast.plan.wape)}</td><td>${pct(s.forecast.plan.bias)}</td></tr></table>`
    : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>allocsim report — ${esc(s.scenario)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5rem auto; max-width: 1320px; color: #111827; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.3rem; }
.meta { color: #4b5563; } .summary { background: #f3f4f6; border-left: 4px solid #2563eb; padding: 0.4rem 1.2rem 0.8rem; }
.summary.winner { border-left-color: #16a34a; } .summary.none { border-left-color: #6b7280; }
#headline { font-size: 1.15rem; font-weight: bold; } .summary li { margin: 0.35rem 0; }
code { background: #e5e7eb; padding: 0 0.25rem; border-radius: 3px; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; } th, td { border: 1px solid #e5e7eb; padding: 0.3rem 0.5rem; text-align: right; } td { white-space: nowrap; } th { white-space: normal; vertical-align: bottom; }
th:first-child { text-align: left; } .ci { color: #6b7280; font-size: 0.8em; } td.better { background: #ecfdf5; } td.worse { background: #fef2f2; }
.swatch { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 2px; margin-right: 0.35rem; vertical-align: baseline; }
figure { margin: 1.2rem 0; break-inside: avoid; } figcaption { font-weight: bold; margin-bottom: 0.4rem; } svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Allocation strategies on <code>${esc(s.scenario)}</code></h1>
<p class="meta">${esc(s.description)} — ${formatNumber(s.seeds.length)} seeds × ${formatNumber(s.days)} days, common random numbers (every strategy saw the same demand on a seed). Baseline for comparisons: <code>${esc(s.baseline)}</code>. Money in ${esc(cur)}, per run of ${formatNumber(s.days)} days.</p>
<section class="summary ${rec.winner ? 'winner' : 'none'}" id="summary"><h2>Recommendation</h2>
<p id="headline">${inline(rec.headline)}</p>
<ul id="details">
${rec.details.map((f) => `<li>${inline(f)}</li>`).join('\n')}
</ul>
${oracleLines(s).map((l) => `<p class="meta">${inline(l)}</p>`).join('\n')}
</section>
<h2>Key figures (mean ± half-width of the 95% interval over seeds)</h2>
<table id="kpi-table">${head}\n${body}</table>
${contractTarget > 0 ? `<p class="meta">Contract fill target (commitment-weighted): ${pct(contractTarget)}.</p>` : ''}
<h2>Against the baseline <code>${esc(s.baseline)}</code></h2>
<p class="meta">Paired by seed: each strategy's figure minus the baseline's on the same demand, averaged; in brackets the 95% interval. A difference is called better or worse only when the interval excludes zero.</p>
<table id="paired-table"><tr><th>strategy</th>${pairedKpis.map((k) => `<th>${k[1]}</th>`).join('')}</tr>\n${pairedBody}</table>
${chart('diff')}
<h2>Costs</h2>
${chart('waterfall')}
${detail ? `<h2>Warehouses</h2>\n${warehouseTable}\n${chart('warehouses')}` : ''}
<h2>Customers and contracts</h2>
${chart('contracts')}
${chart('segments')}
${detail ? `<h2>Over time</h2>\n${chart('daily')}\n<h2>Manual interventions</h2>\n${chart('interventions')}` : ''}
${detail ? `<h2>Finance</h2>\n${financeTable}\n${chart('finance-weeks')}\n${chart('finance-net')}\n${chart('finance-inventory')}` : ''}
<h2>Margin, service and the hindsight bound</h2>
${chart('margin-fill')}
${chart('oracle')}
${s.oracle ? `<p class="meta">The oracle is the hindsight linear programme (HiGHS) over the realised demand and scheduled supply: an upper bound, relaxed where supply reacts to the strategy (replenishment), for pick capacity and for the holding cost of replenished stock (see docs/report.md). Largest LP: ${formatNumber(s.oracle.lpColumns)} columns, ${formatNumber(s.oracle.lpRows)} rows.</p>` : ''}
${chart('learning')}
${forecast}
</body>
</html>
`;
}
