import { describe, expect, it } from 'vitest';
import { Kernel, Priority, RandomStreams } from '../../src/sim/kernel/index.js';

describe('Kernel', () => {
  it('runs events in (time, priority, sequence) order', () => {
    const k = new Kernel(2); // tiny capacity: forces the heap to grow
    const seen: string[] = [];
    const log = (tag: string) => () => seen.push(`${k.now}:${tag}`);
    k.at(5, Priority.CLOSE, log('close@5'));
    k.at(5, Priority.SUPPLY, log('supply@5'));
    k.at(1, Priority.WAVE, log('wave@1'));
    k.at(5, Priority.WAVE, log('wave@5-a'));
    k.at(5, Priority.WAVE, log('wave@5-b'));
    k.at(3, Priority.ARRIVAL, log('arrival@3'));
    k.at(5, Priority.ARRIVAL, log('arrival@5'));
    k.run();
    expect(seen).toEqual(['1:wave@1', '3:arrival@3', '5:supply@5', '5:arrival@5', '5:wave@5-a', '5:wave@5-b', '5:close@5']);
    expect(k.processed).toBe(7);
  });

  it('keeps FIFO order among many ties', () => {
    const k = new Kernel(4);
    const seen: number[] = [];
    for (let i = 0; i < 500; i++) k.at(10, Priority.FLOW, (x: number) => seen.push(x), i);
    k.run();
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('orders a random schedule like a stable sort by (time, priority)', () => {
    const rng = new RandomStreams(7).get('test');
    const k = new Kernel(8);
    const expected: { t: number; p: number; i: number }[] = [];
    const seen: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = rng.int(50);
      const p = rng.int(6);
      expected.push({ t, p, i });
      k.at(t, p, (x: number) => seen.push(x), i);
    }
    expected.sort((a, b) => a.t - b.t || a.p - b.p || a.i - b.i);
    k.run();
    expect(seen).toEqual(expected.map((e) => e.i));
  });

  it('runs a schedule of fixed delays beside random ones exactly as a plain sorted list does', () => {
    // Fixed delays land in the kernel's FIFO run, the others in its heap; a plain list
    // searched for its smallest (time, priority, sequence) key is the reference.
    type Key = [number, number, number];
    const drive = (at: (t: number, p: number, key: Key) => void, now: () => number) => {
      const rng = new RandomStreams(5).get('k');
      let seq = 0;
      const ran: Key[] = [];
      const schedule = (t: number, p: number) => at(t, p, [t, p, seq++]);
      const handle = (key: Key) => {
        ran.push(key);
        if (seq >= 5000) return;
        const r = rng.uniform();
        // A fixed lead time, a random one, or now (ties), at a random priority.
        schedule(now() + (r < 0.4 ? 100 : r < 0.8 ? rng.uniform() * 150 : 0), Math.floor(rng.uniform() * 3));
        if (r < 0.5) schedule(now() + 100, 1);
      };
      for (let i = 0; i < 50; i++) schedule(rng.uniform() * 10, i % 3);
      return { ran, handle };
    };
    const k = new Kernel(4);
    let handle: (key: Key) => void = () => {};
    const fast = drive((t, p, key) => k.at(t, p, (x: Key) => handle(x), key), () => k.now);
    handle = fast.handle;
    k.run();
    let clock = 0;
    const list: Key[] = [];
    const ref = drive((_t, _p, key) => list.push(key), () => clock);
    while (list.length > 0) {
      let m = 0;
      for (let i = 1; i < list.length; i++) {
        const a = list[i]!;
        const b = list[m]!;
        if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) m = i;
      }
      const key = list.splice(m, 1)[0]!;
      clock = key[0];
      ref.handle(key);
    }
    expect(fast.ran.length).toBe(5000);
    expect(fast.ran).toEqual(ref.ran);
    expect(k.pending).toBe(0);
  });

  it('runs events scheduled on lanes, in order or not, exactly as a stable sort by key', () => {
    const rng = new RandomStreams(11).get('lanes');
    const k = new Kernel(4);
    const a = k.lane();
    const b = k.lane();
    const expected: { t: number; p: number; i: number }[] = [];
    const seen: number[] = [];
    let i = 0;
    const add = (t: number, p: number, lane: number) => {
      expected.push({ t, p, i });
      k.at(t, p, (x: number) => seen.push(x), i++, lane);
    };
    // Lane a mostly in order (a few stragglers fall back to the heap), lane b in
    // order with ties, the shared run and the heap random, some keys equal across all.
    let ta = 0;
    let tb = 0;
    for (let n = 0; n < 3000; n++) {
      const r = rng.uniform();
      if (r < 0.35) add(Math.max(0, (ta += rng.uniform()) - (rng.uniform() < 0.1 ? 2 : 0)), 2, a);
      else if (r < 0.6) add((tb += rng.int(2)), rng.int(3), b);
      else add(rng.int(400) / 2, rng.int(6), 0);
    }
    expect(k.pending).toBe(3000);
    expected.sort((x, y) => x.t - y.t || x.p - y.p || x.i - y.i);
    k.run();
    expect(seen).toEqual(expected.map((e) => e.i));
    expect(k.pending).toBe(0);
  });

  it('run({ until }) stops after events at until and leaves the clock there', () => {
    const k = new Kernel();
    const seen: number[] = [];
    k.at(2, 0, () => seen.push(2));
    k.at(4, 0, () => seen.push(4));
    k.at(6, 0, () => seen.push(6));
    k.run({ until: 4 });
    expect(seen).toEqual([2, 4]);
    expect(k.now).toBe(4);
    expect(k.peek()).toEqual({ time: 6, priority: 0 });
    k.run({ until: 5 });
    expect(k.now).toBe(5);
    expect(k.step()).toBe(true);
    expect(k.now).toBe(6);
    expect(k.step()).toBe(false);
    expect(k.peek()).toBeUndefined();
  });

  it('events scheduled while running are honoured, and stop() pauses the run', () => {
    const k = new Kernel();
    const seen: string[] = [];
    k.at(1, 0, () => {
      seen.push('a');
      k.after(0, 1, () => seen.push('b'));
      k.stop();
    });
    k.at(2, 0, () => seen.push('c'));
    expect(k.run()).toBe(true);
    expect(seen).toEqual(['a']);
    expect(k.now).toBe(1);
    expect(k.run()).toBe(false);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('refuses events in the past and negative delays, naming the value', () => {
    const k = new Kernel();
    k.at(3, 0, () => {});
    k.run();
    expect(() => k.at(2, 0, () => {})).toThrow(/time\(=2\) must be >= now\(=3\)/);
    expect(() => k.after(-1, 0, () => {})).toThrow(/delay\(=-1\)/);
  });
});

describe('RandomStreams', () => {
  it('gives the same draws for the same seed and name, independent of other streams', () => {
    const a = new RandomStreams(42);
    const b = new RandomStreams(42);
    const xs = Array.from({ length: 5 }, () => a.get('demand').uniform());
    for (let i = 0; i < 100; i++) b.get('transit').uniform(); // another source draws first
    const ys = Array.from({ length: 5 }, () => b.get('demand').uniform());
    expect(ys).toEqual(xs);
    expect(new RandomStreams(43).get('demand').uniform()).not.toBe(xs[0]);
  });

  it('samples Poisson and negative binomial with the right mean and variance', () => {
    const s = new RandomStreams(1).get('dist');
    const n = 40_000;
    for (const mean of [0.3, 4, 75]) {
      let sum = 0, sq = 0;
      for (let i = 0; i < n; i++) {
        const x = s.poisson(mean);
        sum += x;
        sq += x * x;
      }
      const m = sum / n;
      const v = sq / n - m * m;
      expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(mean / n));
      expect(v / mean).toBeGreaterThan(0.93);
      expect(v / mean).toBeLessThan(1.07);
    }
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      const x = s.negativeBinomial(5, 2);
      sum += x;
      sq += x * x;
    }
    const m = sum / n;
    const v = sq / n - m * m;
    expect(Math.abs(m - 5)).toBeLessThan(0.15);
    expect(v).toBeGreaterThan(5 + 25 / 2 - 1.5); // mean + mean²/k = 17.5
    expect(v).toBeLessThan(17.5 + 1.5);
    expect(() => s.poisson(-1)).toThrow(/mean\(=-1\)/);
  });
});
