import { Option, type Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { UsageError } from './errors.js';

/**
 * Option parsers shared by every command, so that one option means the same
 * thing everywhere: `--format`, `--seeds`, whole numbers. Each throws a
 * `UsageError` naming the option and the value (exit code 2).
 */

/** What a command that prints results can print: an aligned table, JSON, or CSV with a header row. */
export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A parser for `--format` accepting one of `choices`. */
export function formatParser<F extends string>(choices: readonly F[], option = '--format'): (value: string) => F {
  return (value: string): F => {
    if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${option}(=${value}) must be ${orList(choices)}`);
    return value as F;
  };
}

/** Adds `--format <format>` (table, json or csv; default table) to a command. */
export function formatOption(command: Command, defaultFormat: OutputFormat = 'table'): Command {
  return command.option('--format <format>', `output: ${orList(OUTPUT_FORMATS)}`, formatParser(OUTPUT_FORMATS), defaultFormat);
}

/** "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Writes rows as CSV (a header row first) to stdout. */
export function printCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  process.stdout.write(stringify([header as string[], ...(rows as unknown[][])], { cast: { boolean: (b) => String(b) } }));
}

/** Writes a value as indented JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Most seeds one `--seeds` may name. */
export const MAX_SEEDS = 100_000;

/**
 * The one seed syntax of every command:
 * - `5` — a count: seeds 0, 1, 2, 3, 4;
 * - `9001..9020` — an inclusive range (a single seed is `7..7`);
 * - `1,4,7` — a list, whose items may be ranges (`1,4,10..12`).
 * Seeds are whole numbers >= 0, each named once; the order given is kept.
 */
export function parseSeeds(text: string, option = '--seeds', minCount = 1): number[] {
  const bad = (why: string) => new UsageError(`${option}(=${text}) ${why}; use a count (5 = seeds 0..4), a range (9001..9020) or a list (1,4,7)`);
  const t = text.trim();
  const whole = (s: string): number => {
    if (!/^\d+$/.test(s)) throw bad(`has "${s}", not a whole number >= 0`);
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw bad(`has ${s}, too large`);
    return n;
  };
  let seeds: number[] = [];
  if (/^\d+$/.test(t)) {
    const n = whole(t);
    if (n > MAX_SEEDS) throw bad(`names more than ${MAX_SEEDS.toLocaleString('en-US')} seeds`);
    seeds = Array.from({ length: n }, (_, i) => i);
  } else {
    for (const item of t.split(',').map((x) => x.trim())) {
      if (item === '') throw bad('has an empty item');
      const range = /^(\S+?)\s*\.\.\s*(\S+)$/.exec(item);
      if (range) {
        const a = whole(range[1]!);
        const b = whole(range[2]!);
        if (b < a) throw bad(`has the range ${item}, which runs backwards`);
        if (b - a + 1 + seeds.length > MAX_SEEDS) throw bad(`names more than ${MAX_SEEDS.toLocaleString('en-US')} seeds`);
        for (let s = a; s <= b; s++) seeds.push(s);
      } else {
        seeds.push(whole(item));
      }
    }
  }
  const seen = new Set<number>();
  for (const s of seeds) {
    if (seen.has(s)) throw bad(`names seed ${s} twice`);
    seen.add(s);
  }
  if (seeds.length < minCount) throw bad(`names ${seeds.length} seed${seeds.length === 1 ? '' : 's'}; at least ${minCount} needed`);
  return seeds;
}

/** A commander parser for `--seeds` (see `parseSeeds`). */
export function seedsOption(option = '--seeds', minCount = 1): (value: string) => number[] {
  return (value: string) => parseSeeds(value, option, minCount);
}

/** How `--seeds` is described in every command's help. */
export const SEEDS_HELP = 'seeds: a count (5 = seeds 0..4), a range (9001..9020) or a list (1,4,7)';

/**
 * Adds `--seeds <seeds>` to a command: parsed by `parseSeeds`, with `defaultText`
 * (same syntax) when given, else required.
 */
export function addSeedsOption(command: Command, o: { defaultText?: string; minCount?: number; help?: string } = {}): Command {
  const opt = new Option('--seeds <seeds>', o.help ? `${o.help}; ${SEEDS_HELP}` : SEEDS_HELP).argParser(seedsOption('--seeds', o.minCount ?? 1));
  if (o.defaultText !== undefined) opt.default(parseSeeds(o.defaultText, '--seeds', o.minCount ?? 1), o.defaultText);
  else opt.makeOptionMandatory();
  return command.addOption(opt);
}

/** Shown beside a seed list in text output: "0..4" for a run of consecutive seeds, else the list. */
export function describeSeeds(seeds: readonly number[]): string {
  const consecutive = seeds.length > 1 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return consecutive ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(',');
}
