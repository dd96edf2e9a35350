import type { Command } from 'commander';
import { action } from './errors.js';
import { writeReport } from '../report/report.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report (charts as inline SVG) from a bench results directory')
    .argument('<results>', 'results directory written by allocsim bench --out')
    .option('--out <file>', 'HTML file to write', 'report.html')
    .action(
      action(async (results: string, opts: { out: string }) => {
        const r = await writeReport(results, opts.out);
        process.stdout.write(`${r.file} (${r.charts} charts)\n`);
      }),
    );
}
