import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createRulePolicy } from '../../src/sim/policies/rules.js';
import { api, createClient } from '../../src/serve/client.js';
import { decisionIds, integrityCheck } from '../../src/serve/audit-read.js';
import { defaultWorld, requestFromContext, simulatorContexts, startTestServer, tempDir, type TestServer } from './helpers.js';
import { fakeModel } from './fakes.js';
import type { ModelProvider } from '../../src/serve/model.js';

const world = defaultWorld();
const reqs = simulatorContexts(world, createRulePolicy('cheapest'), { seed: 8, days: 5, max: 12, every: 2 }).map((c) => requestFromContext(world, c));

describe('operations', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('exposes Prometheus metrics: requests by method and status, latency, fallbacks by reason, active policy', async () => {
    const s = await startTestServer({ metricsPort: 0 });
    servers.push(s);
    for (const r of reqs.slice(0, 5)) await s.api.recommend(r);
    const bad = structuredClone(reqs[0]!);
    bad.order!.lines![0]!.quantity = -1;
    await expect(s.api.recommend(bad)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    expect(text).toMatch(/allocsim_requests_total\{method="Recommend",code="OK"\} 5/);
    expect(text).toMatch(/allocsim_requests_total\{method="Recommend",code="INVALID_ARGUMENT"\} 1/);
    expect(text).toMatch(/allocsim_fallbacks_total\{reason="no_model"\} 5/);
    expect(text).toMatch(/allocsim_request_duration_seconds_bucket\{le="[0-9.]+",method="Recommend"\}/);
    expect(text).toMatch(/allocsim_active_policy_info\{kind="rules",name="cheapest",version=""\} 1/);
    // Five answered decisions committed, whichever thread committed them.
    const committed = [...text.matchAll(/allocsim_audit_commit_decisions_sum\{thread="(serving|writer)"\} (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
    expect(committed).toBe(5);
  });

  it('SIGTERM-style shutdown drains in-flight calls and flushes the audit log', async () => {
    let started = 0;
    const provider: ModelProvider = {
      versions: async () => [{ name: 'm', version: 'v1' }],
      load: async () => {
        const m = fakeModel('m', 'v1', { behaviour: 'good' });
        // Every real decision takes 300 ms: calls are in flight when shutdown starts.
        return {
          ...m,
          decide: (ctx) => {
            if (ctx.order.id.startsWith('warm-')) return m.decide(ctx);
            started++;
            return new Promise((r) => setTimeout(() => r(m.decide(ctx)), 300));
          },
        };
      },
    };
    const s = await startTestServer({ policy: join(tempDir(), 'm'), provider, chain: { modelBudgetMs: 10_000 } });
    const calls = reqs.map((r) => s.api.recommend(r));
    // Shut down once every call is inside the model (bounded wait).
    for (let i = 0; i < 1000 && started < reqs.length; i++) await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(reqs.length);
    const closing = s.shutdown();
    const results = await Promise.allSettled(calls);
    await closing;
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const ids = results.map((r) => (r as PromiseFulfilledResult<{ decisionId: string; decidedBy?: { kind?: string } | null }>).value);
    for (const r of ids) expect(r.decidedBy?.kind).toBe('DECIDED_BY_KIND_MODEL');
    const logged = decisionIds(s.auditPath);
    for (const r of ids) expect(logged.has(r.decisionId)).toBe(true);
    expect(integrityCheck(s.auditPath)).toBe('ok');
    // After shutdown, calls are refused rather than hanging.
    await expect(s.api.recommend(reqs[0]!, { deadlineMs: 2000 })).rejects.toBeTruthy();
    s.client.close();
  });

  it('serves over TLS and mutual TLS; refuses clients without a certificate', async () => {
    const d = tempDir('allocsim-tls-');
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=allocsim-test-ca');
    writeFileSync(join(d, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    for (const who of ['server', 'client']) {
      ssl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
      ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '1', '-extfile', 'san.ext');
    }
    const f = (n: string) => readFileSync(join(d, n));
    const s = await startTestServer({ tls: { cert: f('server.crt'), key: f('server.key'), ca: f('ca.crt'), requireClientCert: true } });
    servers.push(s);
    const addr = `127.0.0.1:${s.port}`;
    const name = { 'grpc.ssl_target_name_override': 'localhost' };
    const good = createClient(addr, { ca: f('ca.crt'), cert: f('client.crt'), key: f('client.key'), channelOptions: name });
    const res = await api(good).recommend(reqs[0]!);
    expect(res.decisionId).not.toBe('');
    good.close();
    const noCert = createClient(addr, { ca: f('ca.crt'), channelOptions: name });
    await expect(api(noCert).recommend(reqs[0]!, { deadlineMs: 3000 })).rejects.toMatchObject({ code: expect.any(Number) });
    noCert.close();
    const plain = createClient(addr);
    await expect(api(plain).recommend(reqs[0]!, { deadlineMs: 3000 })).rejects.toMatchObject({ code: expect.any(Number) });
    plain.close();
  });
});
