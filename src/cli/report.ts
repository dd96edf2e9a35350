import type { Command } from 'commander';
import { action, UsageError } from './errors.js';
import { writeReport } from '../report/report.js';
import { KPI_NAMES } from '../report/harness.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report (charts as inline SVG) from a bench results directory; --pdf also prints it to PDF')
    .argument('<results>', 'results directory written by allocsim bench --out')
    .option('--out <file>', 'HTML file to write', 'report.html')
    .option('--pdf [file]', 'also write a PDF of the report (default: the HTML file name with .pdf), through the packaged headless Chromium')
    .option('--png <file>', 'also write a full-page PNG of the report at 1400 px wide')
    .option('--objective <kpi>', 'KPI the recommendation is judged on (e.g. reward, grossMargin, fillRate)', 'reward')
    .action(
      action(async (results: string, opts: { out: string; pdf?: string | boolean; png?: string; objective: string }) => {
        if (!(KPI_NAMES as readonly string[]).includes(opts.objective)) throw new UsageError(`--objective(=${opts.objective}) must be a KPI: ${KPI_NAMES.join(', ')}`);
        const r = await writeReport(results, opts.out, { objective: opts.objective });
        process.stdout.write(`${r.file} (${r.charts} charts)\n`);
        if (opts.pdf) {
          const pdfFile = typeof opts.pdf === 'string' ? opts.pdf : opts.out.replace(/\.html?$/i, '') + '.pdf';
          const { writePdf } = await import('../report/print.js');
          const p = await writePdf(r.file, pdfFile);
          process.stdout.write(`${p.file} (PDF, ${Math.round(p.bytes / 1024).toLocaleString('en-US')} KB)\n`);
        }
        if (opts.png) {
          const { writePng } = await import('../report/print.js');
          process.stdout.write(`${(await writePng(r.file, opts.png)).file} (PNG, 1400 px wide)\n`);
        }
      }),
    );
}
