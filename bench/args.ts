import { parseArgs } from 'node:util';

/** One command-line option of a benchmark. */
export interface BenchOption {
  type: 'string' | 'boolean';
  default?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Must parse as a positive number. */
  positive?: boolean;
  help: string;
}

type Values<T extends Record<string, BenchOption>> = { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string };

/**
 * The benchmark's options, parsed strictly with node:util's parseArgs: `--help`
 * prints the usage and the options and exits 0; an unknown option, a missing
 * value or a value outside its choices is a one-line error and exit code 2.
 */
export function benchArgs<T extends Record<string, BenchOption>>(script: string, usage: string, options: T): Values<T> {
  const fail = (msg: string): never => {
    process.stderr.write(`${script}: ${msg} (see --help)\n`);
    process.exit(2);
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { help: { type: 'boolean' }, ...Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type }])) },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    return fail((err as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, ''));
  }
  if (parsed.values.help) {
    const lines = [usage.trim(), '', 'Options:'];
    for (const [k, o] of Object.entries(options)) {
      const arg = o.type === 'string' ? ` <${o.choices ? o.choices.join('|') : 'value'}>` : '';
      lines.push(`  --${k}${arg}`.padEnd(36) + o.help + (o.default !== undefined ? ` (default: ${o.default})` : ''));
    }
    lines.push('  --help'.padEnd(36) + 'this text');
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exit(0);
  }
  const out: Record<string, string | boolean> = {};
  for (const [k, o] of Object.entries(options)) {
    const v = parsed.values[k] as string | boolean | undefined;
    if (o.type === 'boolean') {
      out[k] = v === true;
      continue;
    }
    const s = (v as string | undefined) ?? o.default ?? '';
    if (o.choices && !o.choices.includes(s)) fail(`--${k} must be one of ${o.choices.join(', ')} (got ${s})`);
    // An option left out (no default) is '': only a given value must be positive.
    if (o.positive && s !== '' && !(Number(s) > 0)) fail(`--${k} must be a positive number (got ${s})`);
    out[k] = s;
  }
  return out as Values<T>;
}
