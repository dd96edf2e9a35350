import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { AuditLog, AuditPack, packFeatures, unpackFeatures, unpackRecords, type AuditRecord } from '../../src/serve/audit.js';
import { decisionIds, integrityCheck, readDecisions } from '../../src/serve/audit-read.js';
import { tempDir } from './helpers.js';

function rec(id: string, features: Buffer | null = null): AuditRecord {
  return {
    id, tsMs: Date.now(), method: 'Recommend', orderId: `o-${id}`, decidedBy: 'rules', policyName: 'cheapest', policyVersion: '',
    fallbackReason: 'no_model', fallbackDetail: '', mode: 'normal', explored: false, propensity: 1, latencyUs: 10,
    snapshotId: id, request: '{}', features, scores: '[[1]]', decision: '[]', shadow: null,
  };
}

describe('packed audit records', () => {
  it('read back column for column: text in any script, nulls, features, patched latency', () => {
    const a = { ...rec('d-1', packFeatures([[0.5, -1], [3]])), orderId: 'commande-é-注文-🚚', fallbackDetail: 'x'.repeat(70_000), explored: true, propensity: 0.25 };
    const b = { ...rec('d-2'), request: '', scores: null, policyVersion: 'v12' };
    const c = { ...rec('d-3'), scores: [[-12.292195874320598, 0, -0, 1e-300], [], [NaN, Infinity]] };
    // An order's wire bytes, and decision lines that travel packed.
    const lines = [{ allocations: [{ warehouse: 'W-北', quantity: 3, mode: 'ground' }, { warehouse: 'W2', quantity: 1.5, mode: 'air' }], backordered: 2 }, { allocations: [], backordered: 0 }];
    const e = { ...rec('d-5'), request: Uint8Array.from([10, 3, 65, 66, 67, 0, 255]), decision: lines };
    const pack = new AuditPack(8); // tiny: the growth path runs
    pack.add(a).add(b).add(c).add(e);
    pack.setLatency(777);
    const rows: unknown[][] = [];
    unpackRecords(pack.finish(), (v) => rows.push(v));
    const columns = (r: AuditRecord) => [r.id, r.tsMs, r.method, r.orderId, r.decidedBy, r.policyName, r.policyVersion, r.fallbackReason, r.fallbackDetail,
      r.mode, r.explored ? 1 : 0, r.propensity, 777, r.snapshotId, typeof r.request === 'string' ? r.request : Buffer.from(r.request), r.features,
      typeof r.scores === 'object' && r.scores ? JSON.stringify(r.scores) : r.scores, typeof r.decision === 'string' ? r.decision : JSON.stringify(r.decision), r.shadow];
    expect(rows).toEqual([columns(a), columns(b), columns(c), columns(e)]);
    expect(rows[3]![17]).toBe('[{"allocations":[{"warehouse":"W-北","quantity":3,"mode":"ground"},{"warehouse":"W2","quantity":1.5,"mode":"air"}],"backordered":2},{"allocations":[],"backordered":0}]');
    // Score rows travel as float64 and come out as the JSON the serving thread would have written.
    expect(rows[2]![16]).toBe('[[-12.292195874320598,0,0,1e-300],[],[null,null]]');
    // A record that cannot be written (a number where text belongs) leaves the pack as it was.
    // It changes a repeating column before it fails: the next record must not be read as repeating it.
    expect(() => pack.add({ ...rec('d-4'), policyVersion: 'v99', request: 42 as unknown as string })).toThrow();
    expect(pack.size).toBe(4);
    // Feature rows given as parts are packed straight into the pack, as packFeatures packs them.
    const rows2 = [{ parts: [Float32Array.of(1, 2.5), [3]] }, [], [-4]];
    const f = { ...rec('d-6'), policyVersion: 'v99', features: rows2 };
    pack.add(f).add(e);
    const back: unknown[][] = [];
    unpackRecords(pack.finish(), (v) => back.push(v));
    expect(back.map((r) => r[6])).toEqual(['', 'v12', '', '', 'v99', '']);
    expect(back[4]![15]).toEqual(packFeatures([[1, 2.5, 3], [], [-4]]));
    expect(unpackFeatures(back[4]![15] as Buffer)).toEqual([[1, 2.5, 3], [], [-4]]);
  });
});

for (const thread of [false, true]) {
  describe(`audit log (${thread ? 'writer thread' : 'inline'})`, () => {
    it('commits concurrent appends in groups, resolves each once durable, closes cleanly', async () => {
      const path = join(tempDir(), 'audit.sqlite');
      const log = new AuditLog({ path, thread });
      await log.opened();
      const f = packFeatures([[1, 2.5, -3], []]);
      await Promise.all(Array.from({ length: 500 }, (_, i) => log.append({ id: `s${i}`, json: '{}' }, [rec(`d${i}`, i === 0 ? f : null)])));
      expect(log.committed).toBe(500);
      expect(log.commits).toBeLessThan(500);
      await log.close();
      await expect(log.append({ id: 'x', json: '{}' }, [rec('x')])).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
      expect(decisionIds(path).size).toBe(500);
      expect(integrityCheck(path)).toBe('ok');
      const rows: Record<string, unknown>[] = [];
      readDecisions(path, 0, (r) => rows.push(r));
      expect(rows[0]!.id).toBe('d0');
      expect(unpackFeatures(rows[0]!.features as Buffer)).toEqual([[1, 2.5, -3], []]);
    });

    it('batch packs and single records of one group commit in request order, each with its latency', async () => {
      const path = join(tempDir(), 'audit.sqlite');
      const log = new AuditLog({ path, thread });
      await log.opened();
      const batch1 = new AuditPack(8).add(rec('g-2')).add(rec('g-3'));
      batch1.setLatency(5);
      const batch2 = new AuditPack(8).add(rec('g-6'));
      batch2.setLatency(7);
      // Same turn of the event loop: one group commit.
      await Promise.all([
        log.append({ id: 's1', json: '{}' }, [rec('g-1')]),
        log.append({ id: 's2', json: '{}' }, batch1),
        log.append({ id: 's3', json: '{}' }, [rec('g-4')]),
        log.append({ id: 's4', json: '{}' }, [rec('g-5')]),
        log.append({ id: 's5', json: '{}' }, batch2),
      ]);
      expect(log.commits).toBe(1);
      await log.close();
      const rows: [unknown, unknown][] = [];
      readDecisions(path, 0, (r) => rows.push([r.id, r.latency_us]));
      expect(rows).toEqual([['g-1', 10], ['g-2', 5], ['g-3', 5], ['g-4', 10], ['g-5', 10], ['g-6', 7]]);
    });

    it('a failing write rejects the requests of its group (they are not answered as durable)', async () => {
      const path = join(tempDir(), 'audit.sqlite');
      const log = new AuditLog({ path, thread });
      await log.opened();
      await log.append({ id: 's1', json: '{}' }, [rec('first')]);
      // A decision without its method violates NOT NULL: that whole group fails, the next succeeds.
      const bad = { ...rec('bad'), method: null as unknown as string };
      await expect(log.append({ id: 's2', json: '{}' }, [rec('lost'), bad])).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
      await log.append({ id: 's3', json: '{}' }, [rec('ok')]);
      await log.close();
      expect([...decisionIds(path)].sort()).toEqual(['first', 'ok']);
    });
  });
}

describe('audit log with a writer thread: small groups on the serving thread', () => {
  it('commit there while the writer is idle, go to the writer behind a commit in flight, and keep their order', async () => {
    const path = join(tempDir(), 'audit.sqlite');
    const log = new AuditLog({ path, thread: true });
    await log.opened();
    for (const id of ['a1', 'a2']) await log.append({ id: `s-${id}`, json: '{}' }, [rec(id)]);
    expect(log.servingThreadCommits).toBe(2);
    // A large group goes to the writer; a small one gathered while it commits must follow it there.
    const big = new AuditPack();
    for (let i = 0; i < 2000; i++) big.add({ ...rec(`big${i}`), request: 'r'.repeat(200) });
    const first = log.append({ id: 's-big', json: '{}' }, big);
    await new Promise((r) => setImmediate(r)); // the large group has been sent
    const second = log.append({ id: 's-b1', json: '{}' }, [rec('b1')]);
    await Promise.all([first, second]);
    expect(log.servingThreadCommits).toBe(2);
    await log.append({ id: 's-c1', json: '{}' }, [rec('c1')]);
    expect(log.servingThreadCommits).toBe(3);
    expect(log.commits).toBe(5);
    await log.close();
    const ids: unknown[] = [];
    readDecisions(path, 0, (r) => ids.push(r.id));
    expect(ids).toEqual(['a1', 'a2', ...Array.from({ length: 2000 }, (_, i) => `big${i}`), 'b1', 'c1']);
    expect(integrityCheck(path)).toBe('ok');
  });

  it('if the checkpointer thread dies, every group goes to the writer, which checkpoints inside its commits', async () => {
    const path = join(tempDir(), 'audit.sqlite');
    const log = new AuditLog({ path, thread: true });
    await log.opened();
    await log.append({ id: 's-a1', json: '{}' }, [rec('a1')]);
    expect(log.servingThreadCommits).toBe(1);
    const checkpointer = (log as unknown as { checkpointer: { terminate(): Promise<number> } }).checkpointer;
    await checkpointer.terminate();
    await new Promise((r) => setTimeout(r, 50)); // its exit event
    for (const id of ['a2', 'a3']) await log.append({ id: `s-${id}`, json: '{}' }, [rec(id)]);
    expect(log.servingThreadCommits).toBe(1);
    expect(log.commits).toBe(3);
    await log.close();
    expect([...decisionIds(path)].sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('not with sync full: every commit (and its fsync) stays off the event loop', async () => {
    const path = join(tempDir(), 'audit.sqlite');
    const log = new AuditLog({ path, thread: true, sync: 'full' });
    await log.opened();
    for (const id of ['a1', 'a2', 'a3']) await log.append({ id: `s-${id}`, json: '{}' }, [rec(id)]);
    expect(log.commits).toBe(3);
    expect(log.servingThreadCommits).toBe(0);
    await log.close();
    expect([...decisionIds(path)].sort()).toEqual(['a1', 'a2', 'a3']);
  });
});

describe('audit log checkpoints', () => {
  it('with a writer thread, a checkpointer thread folds the WAL into the database while the server runs', async () => {
    const path = join(tempDir(), 'audit.sqlite');
    const log = new AuditLog({ path, thread: true });
    await log.opened();
    const before = statSync(path).size;
    // About 1 MB of decisions; the writer itself never checkpoints (wal_autocheckpoint = 0).
    const big = 'r'.repeat(500);
    const pack = new AuditPack();
    for (let i = 0; i < 2000; i++) pack.add({ ...rec(`d${i}`), request: big });
    await log.append({ id: 's', json: '{}' }, pack);
    let size = before;
    for (let t = 0; t < 50 && size < before + 500_000; t++) {
      await new Promise((r) => setTimeout(r, 100));
      size = statSync(path).size;
    }
    expect(size).toBeGreaterThan(before + 500_000);
    await log.close();
    expect(decisionIds(path).size).toBe(2000);
    expect(integrityCheck(path)).toBe('ok');
  });
});
