import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { api, createClient } from '../../src/serve/client.js';
import { decisionIds, integrityCheck } from '../../src/serve/audit-read.js';
import { defaultWorld, requestFromContext, simulatorContexts, tempDir } from './helpers.js';

const world = defaultWorld();
const reqs = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 31, days: 6, max: 30, every: 3 }).map((c) => requestFromContext(world, c));
const fixture = fileURLToPath(new URL('./fixtures/server-process.ts', import.meta.url));
const children: ChildProcess[] = [];

/**
 * Starts the server in a child process — node itself with tsx's loader, not the
 * tsx wrapper, so that the signal reaches the server and not a parent that
 * would leave it running — and resolves with it and its port.
 */
function spawnServer(auditPath: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify({ auditPath })], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
}

describe('kill -9 under load', () => {
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('every decision_id a client received is in the audit log after restart, and the database is sound', async () => {
    const auditPath = join(tempDir(), 'audit.sqlite');
    const { child, port } = await spawnServer(auditPath);
    const client = createClient(`127.0.0.1:${port}`);
    const a = api(client);
    const received: string[] = [];
    let failed = 0;
    let dead = false;
    const worker = async (w: number) => {
      // Bounded: stops at the first failure after the kill, or after 5,000 calls.
      for (let i = 0; i < 5000 && !dead; i++) {
        try {
          received.push((await a.recommend(reqs[(w + i) % reqs.length]!)).decisionId);
        } catch {
          failed++;
          if (dead) return;
        }
      }
    };
    const workers = Array.from({ length: 32 }, (_, w) => worker(w));
    for (let i = 0; i < 3000 && received.length < 1500; i++) await new Promise((r) => setTimeout(r, 5));
    expect(received.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    dead = true;
    await Promise.all(workers);
    client.close();
    const before = received.length;
    // It is really gone: nothing answers on its port.
    const probe = createClient(`127.0.0.1:${port}`);
    await expect(api(probe).recommend(reqs[0]!, { deadlineMs: 2000 })).rejects.toBeTruthy();
    probe.close();

    // Restart on the same log: it recovers, and keeps serving.
    const again = await spawnServer(auditPath);
    const c2 = createClient(`127.0.0.1:${again.port}`);
    const after = await api(c2).recommend(reqs[0]!);
    c2.close();
    again.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => again.child.once('exit', (c) => r(c)));
    expect(code).toBe(0);

    expect(integrityCheck(auditPath)).toBe('ok');
    const logged = decisionIds(auditPath);
    const missing = received.filter((id) => !logged.has(id));
    expect(missing).toEqual([]);
    expect(logged.has(after.decisionId)).toBe(true);
    expect(before).toBeGreaterThan(50);
  });
});
