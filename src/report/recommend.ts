import type { BenchSummary } from './harness.js';
import { pairedDifference, directionOf, type PairedDifference } from './stats.js';
import { formatMoney, formatNumber } from './format.js';

/**
 * The recommendation a manager reads first. A strategy is named better than the
 * baseline only when its paired 95% interval on the objective excludes zero; its
 * trade-offs are then stated in plain words (service, lost units, contract fill
 * against target, penalties, the cost lines that moved). When nothing is
 * significantly better, it says so and lists what does differ.
 */
export interface Recommendation {
  objective: string;
  /** The strategy named better, or null when none is. */
  winner: string | null;
  headline: string;
  /** Plain-language lines under the headline (trade-offs, or what differs). */
  details: string[];
}

/** Per strategy, per KPI: the value on each seed, in the summary's seed order (for comparing two challengers). */
export type PerSeed = Record<string, Record<string, number[]>>;

type Kind = 'rate' | 'money' | 'units' | 'days';
const LABELS: Record<string, [string, Kind]> = {
  reward: ['reward', 'money'],
  grossMargin: ['gross margin', 'money'],
  revenue: ['revenue', 'money'],
  fillRate: ['fill rate', 'rate'],
  onTimeRate: ['on-time rate', 'rate'],
  contractFillRate: ['contract fill', 'rate'],
  contractCommitmentFillRate: ['commitment fill', 'rate'],
  lostSalesUnits: ['lost units', 'units'],
  penalties: ['penalties', 'money'],
  latePenalty: ['late penalties', 'money'],
  lostSalePenalty: ['lost-sale penalties', 'money'],
  contractPenalty: ['contract penalties', 'money'],
  cogs: ['cost of goods', 'money'],
  shippingCost: ['shipping', 'money'],
  handlingCost: ['handling', 'money'],
  holdingCost: ['holding', 'money'],
  manualInterventionRate: ['manual interventions', 'rate'],
  meanDeliveryDays: ['delivery time', 'days'],
};
const COST_LINES = ['cogs', 'shippingCost', 'handlingCost', 'holdingCost', 'latePenalty', 'lostSalePenalty', 'contractPenalty'];
const DIFFERS = ['fillRate', 'onTimeRate', 'contractFillRate', 'lostSalesUnits', 'penalties', 'grossMargin', 'revenue', ...COST_LINES, 'manualInterventionRate', 'meanDeliveryDays'];

const significant = (p: PairedDifference | undefined) => !!p && p.n >= 2 && (p.lo > 0 || p.hi < 0);

/** "+$1.20 M", "3.1 points", "250 units": a signed amount of a KPI. */
function amount(kpi: string, v: number, currency: string, signed = true): string {
  const kind = LABELS[kpi]?.[1] ?? 'units';
  const sign = signed ? (v > 0 ? '+' : v < 0 ? '−' : '') : '';
  const a = Math.abs(v);
  if (kind === 'rate') return `${sign}${(100 * a).toFixed(1)} points`;
  if (kind === 'money') return `${sign}${formatMoney(a, currency)}`;
  if (kind === 'days') return `${sign}${a.toFixed(2)} days`;
  return `${sign}${formatNumber(a)}`;
}

/** "on-time rate 2.3 points lower", "250 more lost units", "shipping $12.3 k higher". */
function change(kpi: string, p: PairedDifference, currency: string): string {
  const [label, kind] = LABELS[kpi] ?? [kpi, 'units'];
  if (!significant(p)) return `${label} about the same`;
  const up = p.mean > 0;
  if (kind === 'units') return `${formatNumber(Math.abs(p.mean))} ${up ? 'more' : 'fewer'} ${label} per run`;
  return `${label} ${amount(kpi, p.mean, currency, false)} ${up ? 'higher' : 'lower'}`;
}

function interval(kpi: string, p: PairedDifference, currency: string): string {
  return `95% interval ${amount(kpi, p.lo, currency)} to ${amount(kpi, p.hi, currency)}`;
}

export function recommend(s: BenchSummary, options: { objective?: string; perSeed?: PerSeed } = {}): Recommendation {
  const objective = options.objective ?? 'reward';
  const sims = s.strategies.filter((x) => x !== 'oracle');
  const base = s.baseline;
  const n = s.seeds.length;
  const cur = s.currency;
  const [objLabel] = LABELS[objective] ?? [objective];
  const dir = directionOf(objective);
  const gain = (x: string) => (dir === 'lower' ? -1 : 1) * s.paired[x]![objective]!.mean;
  const challengers = sims.filter((x) => x !== base);
  const better = challengers.filter((x) => s.paired[x]![objective]!.verdict === 'better').sort((a, b) => gain(b) - gain(a));
  const seedsText = `${n} seed${n === 1 ? '' : 's'}`;

  const worse = challengers.filter((x) => s.paired[x]![objective]!.verdict === 'worse');
  if (better.length === 0 && challengers.length > 0 && worse.length === challengers.length) {
    // The baseline beats every challenger: it is the one named better, against the closest.
    const closest = [...challengers].sort((a, b) => gain(b) - gain(a))[0]!;
    const flip = (p: PairedDifference): PairedDifference => ({ ...p, mean: -p.mean, lo: -p.hi, hi: -p.lo, verdict: p.verdict === 'better' ? 'worse' : p.verdict === 'worse' ? 'better' : p.verdict });
    const against = Object.fromEntries(Object.entries(s.paired[closest]!).map(([kpi, p]) => [kpi, flip(p)]));
    const p = against[objective]!;
    const headline =
      `\`${base}\` (the baseline) is better than every other strategy on ${objLabel}: each paired interval excludes zero; ` +
      `against the closest, \`${closest}\`, ${amount(objective, p.mean, cur)} per run (${interval(objective, p, cur)}, ${seedsText}, paired).`;
    return { objective, winner: base, headline, details: tradeOffs(s, base, closest, against) };
  }

  if (better.length === 0) {
    const details: string[] = [];
    if (challengers.length) {
      const closest = [...challengers].sort((a, b) => gain(b) - gain(a))[0]!;
      const p = s.paired[closest]![objective]!;
      details.push(
        n < 2
          ? `One seed gives no interval: run at least two seeds (ten or more to see small differences).`
          : p.verdict === 'no difference'
            ? `Closest: \`${closest}\`, ${objLabel} ${amount(objective, p.mean, cur)} per run (${interval(objective, p, cur)}: it includes zero, so the data cannot tell it from \`${base}\`).`
            : `Every challenger is significantly worse; the closest, \`${closest}\`, by ${amount(objective, p.mean, cur)} per run (${interval(objective, p, cur)}).`,
      );
    }
    for (const x of challengers) {
      const moved = DIFFERS.filter((k) => significant(s.paired[x]![k]));
      details.push(
        moved.length
          ? `\`${x}\` against \`${base}\`: ${moved.map((k) => change(k, s.paired[x]![k]!, cur)).join('; ')}.`
          : `\`${x}\` against \`${base}\`: no measured difference (service, lost units, contract fill, penalties and costs all within noise).`,
      );
    }
    const headline =
      `No strategy is better than \`${base}\` on ${objLabel}: over ${seedsText} no paired difference excludes zero` +
      (worse.length ? ` (${worse.map((x) => `\`${x}\``).join(', ')} ${worse.length === 1 ? 'is' : 'are'} significantly worse).` : '.');
    return { objective, winner: null, headline, details };
  }

  const winner = better[0]!;
  const p = s.paired[winner]![objective]!;
  const headline = `\`${winner}\` is better than \`${base}\` on ${objLabel}: ${amount(objective, p.mean, cur)} per run (${interval(objective, p, cur)}, ${seedsText}, paired).`;
  const details = tradeOffs(s, winner, base, s.paired[winner]!);
  for (const other of better.slice(1)) {
    const a = options.perSeed?.[winner]?.[objective];
    const b = options.perSeed?.[other]?.[objective];
    if (a && b && a.length === b.length) {
      const q = pairedDifference(a, b, dir);
      details.push(
        significant(q)
          ? `\`${other}\` also beats \`${base}\`, but \`${winner}\` beats it too: ${amount(objective, q.mean, cur)} per run (${interval(objective, q, cur)}).`
          : `\`${other}\` also beats \`${base}\`; the data does not separate it from \`${winner}\` (${amount(objective, q.mean, cur)} per run, ${interval(objective, q, cur)}).`,
      );
    } else {
      details.push(`\`${other}\` also beats \`${base}\` (${amount(objective, s.paired[other]![objective]!.mean, cur)} per run); \`${winner}\` has the larger mean gain.`);
    }
  }
  return { objective, winner, headline, details };
}

/** The trade-offs of `winner` against `other` in plain words; `d` holds the paired differences winner − other. */
function tradeOffs(s: BenchSummary, winner: string, other: string, d: Record<string, PairedDifference>): string[] {
  const k = s.kpis;
  const cur = s.currency;
  const details: string[] = [];
  details.push(`Service: ${change('fillRate', d.fillRate!, cur)}, ${change('onTimeRate', d.onTimeRate!, cur)} (${pct(k[winner]!.fillRate!.mean)} fill and ${pct(k[winner]!.onTimeRate!.mean)} on time, against ${pct(k[other]!.fillRate!.mean)} and ${pct(k[other]!.onTimeRate!.mean)}).`);
  details.push(`Lost sales: ${significant(d.lostSalesUnits) ? change('lostSalesUnits', d.lostSalesUnits!, cur) : 'about the same'} (${formatNumber(k[winner]!.lostSalesUnits!.mean)} units per run against ${formatNumber(k[other]!.lostSalesUnits!.mean)}).`);
  if (s.segments.some((g) => g.kind === 'contract')) {
    // The target applies to the committed units (the ordered ones up to the commitment), so the
    // comparison is commitment fill against target, with the periods that closed below it.
    const target = k[winner]!.contractFillTarget!.mean;
    const cf = (x: string) => k[x]!.contractCommitmentFillRate?.mean ?? k[x]!.contractFillRate!.mean;
    const missed = (x: string) => {
      const m = k[x]!.contractPeriodsMissed?.mean;
      return m === undefined ? '' : `, ${m.toFixed(1)} period${m === 1 ? '' : 's'} per run below target`;
    };
    details.push(
      `Contract commitments: ${pct(cf(winner))} filled against a target of ${pct(target)}${missed(winner)}; \`${other}\` ${pct(cf(other))}${missed(other)}; ${d.contractCommitmentFillRate ? change('contractCommitmentFillRate', d.contractCommitmentFillRate, cur) : change('contractFillRate', d.contractFillRate!, cur)}.`,
    );
  }
  details.push(`${capital(change('penalties', d.penalties!, cur))} (${formatMoney(k[winner]!.penalties!.mean, cur)} per run against ${formatMoney(k[other]!.penalties!.mean, cur)}).`);
  const moved = COST_LINES.filter((c) => significant(d[c]));
  details.push(moved.length ? `Cost lines that moved: ${moved.map((c) => change(c, d[c]!, cur)).join('; ')}.` : 'No cost line moved significantly.');
  return details;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** Per-seed KPI values from task records or runs.csv rows (`strategy`, `seed`, KPI columns). */
export function perSeedOf(s: BenchSummary, rows: readonly { strategy: string; seed: number; kpis: Record<string, number> }[]): PerSeed {
  const out: PerSeed = {};
  for (const x of s.strategies) {
    if (x === 'oracle') continue;
    const mine = s.seeds.map((seed) => rows.find((r) => r.strategy === x && r.seed === seed));
    if (mine.some((r) => !r)) continue;
    out[x] = {};
    for (const k of Object.keys(mine[0]!.kpis)) out[x]![k] = mine.map((r) => r!.kpis[k]!);
  }
  return out;
}
