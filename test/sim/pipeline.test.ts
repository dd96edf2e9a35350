import { describe, expect, it } from 'vitest';
import { INBOUND_BUCKET_HOURS, Pipeline } from '../../src/sim/pipeline.js';
import { RandomStreams } from '../../src/sim/kernel/random.js';

interface Receipt {
  cell: number;
  qty: number;
  eta: number;
}

/** The plain reference: every receipt in a list, buckets summed over it. */
function referenceView(receipts: readonly Receipt[], cell: number, now: number): { quantity: number; etaHours: number }[] {
  const edges = [...INBOUND_BUCKET_HOURS, Infinity];
  const q = edges.map(() => 0);
  const e = edges.map(() => 0);
  for (const r of receipts) {
    if (r.cell !== cell) continue;
    const b = edges.findIndex((edge) => r.eta - edge <= now);
    q[b]! += r.qty;
    e[b]! += r.qty * (r.eta - now);
  }
  return q.flatMap((x, b) => (x > 0 ? [{ quantity: x, etaHours: e[b]! / x }] : []));
}

describe('Pipeline: ETA buckets against a plain list', () => {
  it('agrees with the reference as receipts are added out of order and land in ETA order', () => {
    const rng = new RandomStreams(11).get('pipeline');
    const cells = 3;
    const p = new Pipeline(cells);
    let pending: Receipt[] = [];
    let now = 0;
    let checks = 0;
    let buckets = 0;
    const out: { quantity: number; etaHours: number }[] = [];
    for (let step = 0; step < 4000; step++) {
      now += rng.uniform() * 3;
      // What is due lands first, soonest first (as the kernel delivers it).
      pending.sort((a, b) => a.eta - b.eta);
      while (pending.length > 0 && pending[0]!.eta <= now) {
        const r = pending.shift()!;
        p.land(r.cell, r.qty, r.eta);
      }
      pending = pending.filter((r) => r.eta > now);
      // New receipts: lead times from a day to three weeks, so arrivals are not in ETA order.
      for (let k = Math.floor(rng.uniform() * 3); k > 0; k--) {
        const r = { cell: Math.floor(rng.uniform() * cells), qty: 1 + Math.floor(rng.uniform() * 50), eta: now + 24 + rng.uniform() * 480 };
        pending.push(r);
        p.add(r.cell, r.qty, r.eta, now);
      }
      for (let c = 0; c < cells; c++) {
        const want = referenceView(pending, c, now);
        const got = p.view(c, now, out);
        expect(got.map((v) => v.quantity)).toEqual(want.map((v) => v.quantity));
        got.forEach((v, i) => expect(v.etaHours).toBeCloseTo(want[i]!.etaHours, 6));
        expect(p.units[c]).toBe(want.reduce((a, v) => a + v.quantity, 0));
        checks++;
        buckets += got.length;
      }
    }
    expect(checks).toBe(12000);
    expect(buckets).toBeGreaterThan(3 * checks);
  });

  it('keeps each bucket mean inside its edges, so a policy reading ETAs sees the right bucket', () => {
    const p = new Pipeline(1);
    p.add(0, 5, 100 + 168, 100); // exactly at the 7-day edge: inside it
    p.add(0, 5, 100 + 168 + 1e-9, 100); // just past it
    const v = p.view(0, 100);
    expect(v).toHaveLength(2);
    expect(v[0]!.etaHours).toBeLessThanOrEqual(168);
    expect(v[1]!.etaHours).toBeGreaterThan(168);
  });
});
