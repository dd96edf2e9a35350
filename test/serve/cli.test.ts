import { describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { register as registerRecommend } from '../../src/cli/recommend.js';
import { register as registerDecisions, parseSince } from '../../src/cli/decisions.js';
import { numberOption } from '../../src/cli/serve.js';
import { tempDir } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function runInProcess(register: (p: Command) => void, args: string[]): Promise<string> {
  const program = new Command('allocsim').exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'allocsim', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('allocsim serve / recommend / decisions export', () => {
  it('serves, answers recommend as JSON, exports the decision, and exits 0 on SIGTERM', async () => {
    const d = tempDir();
    const audit = join(d, 'audit.sqlite');
    // node itself with tsx's loader (not the tsx wrapper): SIGTERM reaches the server.
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', '--port', '0', '--audit', audit, '--watch-ms', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('serve did not start')), 60_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /serving on [\d.]+:(\d+)/.exec(line);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
    });
    const order = join(d, 'order.json');
    writeFileSync(
      order,
      JSON.stringify({
        order: { id: 'SO-1', customer: 'acme', segment: 'premium', shipTo: 'us-northeast', createdHours: 10, lines: [{ sku: 'SKU-01', quantity: 3, unitPrice: 80 }] },
        snapshot: { nowHours: 12, stock: [{ warehouse: 'columbus', sku: 'SKU-01', available: 2 }, { warehouse: 'reno', sku: 'SKU-01', available: 40 }] },
      }),
    );
    const printed = JSON.parse(await runInProcess(registerRecommend, ['recommend', '--addr', `127.0.0.1:${port}`, '--order', order])) as {
      orderId: string;
      decisionId: string;
      lines: { allocations: { warehouse: string; quantity: number }[]; backordered: number }[];
    };
    expect(printed.orderId).toBe('SO-1');
    const placed = printed.lines[0]!.allocations.reduce((a, x) => a + x.quantity, 0);
    expect(placed + printed.lines[0]!.backordered).toBe(3);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code).toBe(0);
    const jsonl = await runInProcess(registerDecisions, ['decisions', 'export', '--db', audit, '--format', 'jsonl']);
    const rows = jsonl.trim().split('\n').map((l) => JSON.parse(l) as { id: string; request: { id: string }; fallback_reason: string });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: printed.decisionId, request: { id: 'SO-1' }, fallback_reason: 'no_model' });
    const csvFile = join(d, 'out.csv');
    await runInProcess(registerDecisions, ['decisions', 'export', '--db', audit, '--format', 'csv', '--out', csvFile, '--since', '2000-01-01T00:00:00Z']);
    const csv = readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^id,ts_ms,method,order_id/);
    expect(csv).toHaveLength(2);
    const none = await runInProcess(registerDecisions, ['decisions', 'export', '--db', audit, '--format', 'jsonl', '--since', String(Date.now() + 60_000)]);
    expect(none).toBe('');
  });

  it('option parsers name the option and value', () => {
    expect(() => parseSince('yesterday')).toThrow(/--since\(=yesterday\)/);
    expect(parseSince('1000')).toBe(1000);
    expect(() => numberOption('--epsilon', '2', 0, 1)).toThrow(/--epsilon\(=2\) must be a number in \[0, 1\]/);
    expect(numberOption('--epsilon', '0.1', 0, 1)).toBe(0.1);
  });
});
