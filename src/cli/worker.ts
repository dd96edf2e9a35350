import type { Command } from 'commander';
import { action, UsageError } from './errors.js';
import { queueUrl } from '../queue/url.js';

interface WorkerCliOptions {
  queue?: string;
  poll: string;
}

/** The command line that runs this CLI again (node, its flags such as a TS loader, the entry script). */
export function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('take tasks (bench runs, training runs of a sweep) from a queue and run them, one at a time, until stopped (SIGINT/SIGTERM finish the task in hand)')
    .option('--queue <url>', 'postgres://user:password@host:5432/db, or env:NAME to read it from a variable (default env:ALLOCSIM_QUEUE)')
    .option('--poll <seconds>', 'seconds between polls when idle (a new task wakes the worker sooner)', '2')
    .action(
      action(async (opts: WorkerCliOptions) => {
        const url = queueUrl(opts.queue ?? 'env:ALLOCSIM_QUEUE');
        const poll = Number(opts.poll);
        if (!Number.isFinite(poll) || poll < 0.1 || poll > 600) throw new UsageError(`--poll(=${opts.poll}) must be a number of seconds in [0.1, 600]`);
        const { runWorker } = await import('../queue/worker.js');
        const { redactUrl } = await import('../queue/url.js');
        const stop = new AbortController();
        const onSignal = () => {
          process.stderr.write('worker: stopping after the task in hand\n');
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        process.stderr.write(`worker ${process.pid}: taking tasks from ${redactUrl(url)}\n`);
        const { ran } = await runWorker({
          url,
          resolver: new URL('./policy.js', import.meta.url).href,
          cli: selfCommand(),
          log: (line) => process.stderr.write(`${line}\n`),
          signal: stop.signal,
          pollSeconds: poll,
        });
        process.stderr.write(`worker ${process.pid}: stopped after ${ran} task${ran === 1 ? '' : 's'}\n`);
      }),
    );
}
