import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { summaryTable } from './bench.js';
import { textTable } from './format.js';
import { selfCommand } from './worker.js';
import { nextVersion } from '../agent/registry/index.js';
import { runBenchmark } from '../report/harness.js';
import { decode } from '../queue/codec.js';
import { inRun, type TaskSpec } from '../queue/queue.js';
import { scenarioRef } from '../queue/scenario.js';
import { progressPrinter, submit } from '../queue/submit.js';
import { queueUrl } from '../queue/url.js';
import { runTaskData, type TrainPayload } from '../queue/worker.js';

/** Options of `train` that a sweep sets itself or that make no sense per training run. */
const NOT_FORWARDED = new Set(['out', 'sweep', 'queue', 'scenario', 'resume', 'validationSeeds', 'taskTimeout', 'progress']);
/** Validation seeds start here: far from the training seeds (seed + env index) and the teacher's (seed + 1,000,000 + episode). */
const VALIDATION_SEED_BASE = 900_000;

interface SweepPoint {
  /** `seed=2,lr=0.001` */
  key: string;
  /** Registry name: `<out name>-seed2-lr0.001` */
  name: string;
  args: string[];
}

/** `seed=1,2,3` or `seed=1..3` → option name and values. */
function parseSweep(spec: string, longNames: Set<string>): { name: string; values: string[] } {
  const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(spec.trim());
  if (!m) throw new UsageError(`--sweep(=${spec}) must look like seed=1,2,3 or seed=1..3 or lr=3e-4,1e-3`);
  const [, name, list] = m as unknown as [string, string, string];
  if (!longNames.has(name) || NOT_FORWARDED.has(camel(name))) throw new UsageError(`--sweep(=${spec}): ${name} is not a train option a sweep can vary`);
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(list);
  let values: string[];
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a || b - a > 99) throw new UsageError(`--sweep(=${spec}): range must go up, at most 100 values`);
    values = Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
  } else {
    values = list.split(',').map((v) => v.trim());
    if (values.some((v) => !v)) throw new UsageError(`--sweep(=${spec}) has an empty value`);
  }
  return { name, values };
}

function camel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every combination of the sweeps, each with the train arguments it runs with. */
function sweepPoints(cmd: Command, out: string, sweeps: string[]): SweepPoint[] {
  const longNames = new Set(cmd.options.map((o) => o.long?.replace(/^--/, '') ?? '').filter(Boolean));
  const axes = sweeps.map((s) => parseSweep(s, longNames));
  const dup = axes.find((a, i) => axes.findIndex((b) => b.name === a.name) !== i);
  if (dup) throw new UsageError(`--sweep: ${dup.name} is swept twice`);
  // The user's own train options, passed on unchanged to every run.
  const base: string[] = [];
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (NOT_FORWARDED.has(key) || axes.some((a) => camel(a.name) === key) || cmd.getOptionValueSource(key) !== 'cli') continue;
    base.push(o.long!, String(cmd.getOptionValue(key)));
  }
  let points: { key: string[]; name: string[]; args: string[] }[] = [{ key: [], name: [], args: [] }];
  for (const a of axes) {
    points = points.flatMap((p) => a.values.map((v) => ({ key: [...p.key, `${a.name}=${v}`], name: [...p.name, `${a.name}${v}`.replace(/[^A-Za-z0-9._-]/g, '_')], args: [...p.args, `--${a.name}`, v] })));
  }
  const root = basename(out.replace(/\/+$/, ''));
  return points.map((p) => ({ key: p.key.join(','), name: `${root}-${p.name.join('-')}`, args: [...base, ...p.args] }));
}

/** Writes a trained model as the next version of `models/<name>` (whole or not at all). */
function saveToRegistry(root: string, payload: TrainPayload): string {
  const version = nextVersion(root);
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.${version}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  for (const [file, b64] of Object.entries(payload.files)) {
    if (!/^[\w.-]+$/.test(file)) throw new Error(`model ${payload.name}: unexpected file name ${file}`);
    let bytes = Buffer.from(b64, 'base64');
    if (file === 'meta.json') bytes = Buffer.from(`${JSON.stringify({ ...(JSON.parse(bytes.toString('utf8')) as object), version }, null, 2)}\n`);
    writeFileSync(join(tmp, file), bytes);
  }
  renameSync(tmp, join(root, version));
  writeFileSync(join(root, 'training.jsonl'), payload.log);
  return join(root, version);
}

/**
 * `allocsim train --sweep ...`: one training run per point of the grid — as
 * jobs on `allocsim worker` processes with `--queue`, one after another here
 * without — each saved as a new version of `<out>-<point>`, then all compared
 * with the base rule on validation seeds none of them trained on.
 */
export async function runSweep(cmd: Command): Promise<void> {
  const opts = cmd.opts<{ scenario: string; out: string; sweep: string[]; queue?: string; validationSeeds: number; taskTimeout: number; baseRule: string; days?: number; progress: boolean }>();
  if (!opts.sweep.length) throw new UsageError('--queue on train needs --sweep (a single training runs here)');
  if (cmd.getOptionValueSource('resume') === 'cli') throw new UsageError('--resume cannot be combined with --sweep');
  const url = opts.queue ? queueUrl(opts.queue) : undefined;
  const points = sweepPoints(cmd, opts.out, opts.sweep);
  const scenario = scenarioRef(opts.scenario);
  const specs: TaskSpec[] = points.map((p) => ({ kind: 'train', key: p.key, scenario, args: p.args, name: p.name }));
  const printer = progressPrinter(process.stderr);
  process.stderr.write(`sweep: ${points.length} training run${points.length === 1 ? '' : 's'} (${points.map((p) => p.key).join('; ')})${url ? ' through the queue' : ' here, one after another'}\n`);

  const payloads = new Map<string, TrainPayload>();
  const failed = new Map<string, string>();
  if (url) {
    const fingerprint = createHash('sha256').update(JSON.stringify({ kind: 'train', scenario: scenario.hash, specs: specs.map((s) => [s.key, (s as { args: string[] }).args]) })).digest('hex');
    const res = await submit({ url, kind: 'train', fingerprint, resume: false, tasks: specs, timeoutSeconds: opts.taskTimeout, log: (l) => printer.log(l), onProgress: (p) => printer.update(p) });
    printer.end();
    for (const [k, v] of res.results) payloads.set(k, decode<TrainPayload>(v));
    for (const [k, v] of res.failed) failed.set(k, v);
  } else {
    for (const s of specs) {
      try {
        payloads.set(s.key, decode<TrainPayload>(await runTaskData(inRun(s, 'local'), { resolver: '', cli: selfCommand(), log: (l) => process.stderr.write(`${l}\n`) })));
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        failed.set(s.key, msg);
        process.stderr.write(`task ${s.key} failed: ${msg}\n`);
      }
    }
  }

  const saved: { point: SweepPoint; dir: string; payload: TrainPayload }[] = [];
  for (const p of points) {
    const payload = payloads.get(p.key);
    if (!payload) continue;
    const dir = saveToRegistry(join(dirname(opts.out), p.name), payload);
    saved.push({ point: p, dir, payload });
    process.stdout.write(`saved ${dir} (${p.key}, ${payload.seconds.toFixed(0)} s)\n`);
  }
  if (saved.length === 0) throw new UsageError(`every training run of the sweep failed (${failed.size}); see the messages above`);

  const seeds = Array.from({ length: opts.validationSeeds }, (_, i) => VALIDATION_SEED_BASE + i);
  const strategies = [opts.baseRule, ...saved.map((s) => `rl:${join(dirname(opts.out), s.point.name)}`)];
  process.stderr.write(`sweep: comparing on validation seeds ${seeds[0]}..${seeds[seeds.length - 1]}\n`);
  const bench = await runBenchmark({ scenario: opts.scenario, strategies, seeds, days: opts.days, resolver: new URL('./policy.js', import.meta.url).href });
  process.stdout.write(`\n${bench.summary.scenario}: ${saved.length} model${saved.length === 1 ? '' : 's'} vs ${opts.baseRule} on ${seeds.length} validation seeds × ${bench.summary.days} days\n\n`);
  process.stdout.write(summaryTable(bench.summary));
  const final = (s: (typeof saved)[number]) => {
    const meta = JSON.parse(readFileSync(join(s.dir, 'meta.json'), 'utf8')) as { finalMetrics?: { kpi_reward?: number | null } };
    const r = meta.finalMetrics?.kpi_reward;
    return typeof r === 'number' ? Math.round(r).toLocaleString('en-US') : '';
  };
  process.stdout.write(`\n${textTable(['model', 'settings', 'training s', 'last training reward'], saved.map((s) => [s.dir, s.point.key, s.payload.seconds.toFixed(0), final(s)]))}`);
  if (failed.size) throw new UsageError(`${failed.size} of ${points.length} training runs failed (reported above); the others are saved`);
}
