/**
 * The policy network's forward pass as a WebAssembly SIMD kernel (AssemblyScript).
 *
 * `src/agent/network.ts` owns the parameters and the memory layout; this file only
 * computes. Every layer keeps four hidden units in one f32x4 register and walks the
 * inputs in order, so each unit's sum is accumulated in the same order as in the
 * plain loops (float32 multiply, then float32 add). Candidates' first layer and the
 * policy MLP's second layer run four options at a time, so that one load of a
 * weight vector serves four sums; a pass keeps several independent sums going (four
 * options × eight units, or one option × sixteen units), because the additions of
 * one sum wait for each other. How many run together never changes a sum's order:
 * the results are the same bit for bit. The output layer sums in float64. WebAssembly has no tanh: `tanh4` below
 * computes it to ~1e-7 of Math.tanh.
 *
 * Regenerate the embedded module after editing: `npm run gen:wasm`
 * (test/agent/network.test.ts fails while the embedded module is stale).
 *
 * The layout table (one u32 per slot, at the address given to `configure`):
 *   0 H (a multiple of 4)  1 NX  2 NC
 *   3 pW1x [NX×H]  4 pW1c [NC×H]  5 pW1d [H]  6 pb1 [H]  7 pW2 [H×H]  8 pb2 [H]  9 pW3 [H]
 *   10 vW1 [NX×H]  11 vb1 [H]  12 vW2 [H×H]  13 vb2 [H]  14 vW3 [H]
 *   15 context [NX]  16 candidates [count×NC]  17 hx [H]  18 rows [(count+1)×H]  19 out f64 [count+1]
 * Matrices are row-major [inputs × H]: row f holds the weights from input f.
 */

let table: usize = 0;

export function configure(at: usize): void {
  table = at;
}

// @ts-ignore: decorator
@inline function slot(i: i32): usize {
  return <usize>load<u32>(table + (<usize>i << 2));
}

/**
 * tanh of four lanes: sign(x)·m/(m + 2) with m = e^{2|x|} − 1, |x| clamped at 9
 * (tanh(9) rounds to 1). e^y = 2^n·e^r with n = round(y/ln 2) and r = y − n·ln 2
 * in two parts (Cody–Waite); e^r − 1 is a degree-6 Taylor polynomial without its
 * constant term, so m keeps its relative accuracy near zero. Max error against
 * Math.tanh: 1e-7 absolute, 6e-7 relative.
 */
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const a = f32x4.min(f32x4.abs(x), f32x4.splat(9.0));
  const y = f32x4.add(a, a);
  const n = f32x4.nearest(f32x4.mul(y, f32x4.splat(1.44269504)));
  let r = f32x4.sub(y, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let q = f32x4.splat(1.0 / 720.0);
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 120.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 24.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 6.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.5));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0));
  q = f32x4.mul(q, r);
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  const m = f32x4.add(f32x4.mul(scale, q), f32x4.sub(scale, f32x4.splat(1.0)));
  const t = f32x4.div(m, f32x4.add(m, f32x4.splat(2.0)));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

/** acc + t·w3 lane by lane in float64 (two f64x2 halves): the products are exact, the output sum keeps float64. */
// @ts-ignore: decorator
@inline function addLow(acc: v128, t: v128, w3: v128): v128 {
  return f64x2.add(acc, f64x2.mul(f64x2.promote_low_f32x4(t), f64x2.promote_low_f32x4(w3)));
}
// @ts-ignore: decorator
@inline function addHigh(acc: v128, t: v128, w3: v128): v128 {
  return addLow(acc, v128.shuffle<f32>(t, t, 2, 3, 0, 1), v128.shuffle<f32>(w3, w3, 2, 3, 0, 1));
}
// @ts-ignore: decorator
@inline function total(lo: v128, hi: v128): f64 {
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * out[h] = (tanh)(base[h] + Σ_f in[f]·W[f][h]) for every hidden unit h. Sixteen
 * units at a time where H allows (four independent sums: one sum's additions
 * depend on each other, so a single one leaves the adder waiting), then four.
 */
function dense(input: usize, nIn: i32, W: usize, base: usize, out: usize, H: usize, squash: bool): void {
  const rowBytes = H << 2;
  const inBytes = <usize>nIn << 2;
  let hb: usize = 0;
  for (; hb + 64 <= rowBytes; hb += 64) {
    let a = v128.load(base + hb);
    let b = v128.load(base + hb, 16);
    let c = v128.load(base + hb, 32);
    let d = v128.load(base + hb, 48);
    let w = W + hb;
    for (let f: usize = 0; f < inBytes; f += 4) {
      const x = v128.load32_splat(input + f);
      a = f32x4.add(a, f32x4.mul(x, v128.load(w)));
      b = f32x4.add(b, f32x4.mul(x, v128.load(w, 16)));
      c = f32x4.add(c, f32x4.mul(x, v128.load(w, 32)));
      d = f32x4.add(d, f32x4.mul(x, v128.load(w, 48)));
      w += rowBytes;
    }
    v128.store(out + hb, squash ? tanh4(a) : a);
    v128.store(out + hb, squash ? tanh4(b) : b, 16);
    v128.store(out + hb, squash ? tanh4(c) : c, 32);
    v128.store(out + hb, squash ? tanh4(d) : d, 48);
  }
  for (; hb < rowBytes; hb += 16) {
    let acc = v128.load(base + hb);
    let w = W + hb;
    for (let f: usize = 0; f < inBytes; f += 4) {
      acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(input + f), v128.load(w)));
      w += rowBytes;
    }
    v128.store(out + hb, squash ? tanh4(acc) : acc);
  }
}

/**
 * rows[k][h] = tanh(base[h] + Σ_f cand[k][f]·W[f][h]) for `n` candidates of nIn
 * features: the candidates' first layer. Four candidates at a time share each load
 * of a weight vector; every unit's sum is accumulated in the same order as `dense`.
 */
function candidateRows(cand: usize, n: i32, nIn: i32, W: usize, base: usize, rows: usize, H: usize): void {
  const rowBytes = H << 2;
  const inBytes = <usize>nIn << 2;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const c0 = cand + <usize>k * inBytes;
    const c1 = c0 + inBytes;
    const c2 = c1 + inBytes;
    const c3 = c2 + inBytes;
    const r0 = rows + <usize>k * rowBytes;
    for (let hb: usize = 0; hb < rowBytes; hb += 16) {
      let s0 = v128.load(base + hb);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      let w = W + hb;
      for (let f: usize = 0; f < inBytes; f += 4) {
        const wv = v128.load(w);
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(c0 + f), wv));
        s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(c1 + f), wv));
        s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(c2 + f), wv));
        s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(c3 + f), wv));
        w += rowBytes;
      }
      v128.store(r0 + hb, tanh4(s0));
      v128.store(r0 + rowBytes + hb, tanh4(s1));
      v128.store(r0 + 2 * rowBytes + hb, tanh4(s2));
      v128.store(r0 + 3 * rowBytes + hb, tanh4(s3));
    }
  }
  for (; k < n; k++) dense(cand + <usize>k * inBytes, nIn, W, base, rows + <usize>k * rowBytes, H, true);
}

/**
 * out[k] = Σ_h tanh(b2[h] + Σ_i rows[k][i]·W2[i][h]) · W3[h] for `n` rows (the
 * output bias is added by the caller): four rows at a time, eight units per pass
 * where H allows (one load of a weight vector serves four sums, and eight sums
 * run side by side), then the remaining rows one by one, sixteen units per pass.
 * Each unit's sum and each row's output sum are accumulated in the same order
 * whichever path computes them.
 */
function head(rows: usize, n: i32, W2: usize, b2: usize, W3: usize, out: usize, H: usize): void {
  const rowBytes = H << 2;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const a0 = rows + <usize>k * rowBytes;
    const a1 = a0 + rowBytes;
    const a2 = a1 + rowBytes;
    const a3 = a2 + rowBytes;
    // Output sums, float64, two halves per row.
    let y0 = f64x2.splat(0);
    let y1 = y0;
    let y2 = y0;
    let y3 = y0;
    let z0 = y0;
    let z1 = y0;
    let z2 = y0;
    let z3 = y0;
    let hb: usize = 0;
    for (; hb + 32 <= rowBytes; hb += 32) {
      let s0 = v128.load(b2 + hb);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      let u0 = v128.load(b2 + hb, 16);
      let u1 = u0;
      let u2 = u0;
      let u3 = u0;
      let w = W2 + hb;
      for (let i: usize = 0; i < rowBytes; i += 4) {
        const wv = v128.load(w);
        const wu = v128.load(w, 16);
        const x0 = v128.load32_splat(a0 + i);
        s0 = f32x4.add(s0, f32x4.mul(x0, wv));
        u0 = f32x4.add(u0, f32x4.mul(x0, wu));
        const x1 = v128.load32_splat(a1 + i);
        s1 = f32x4.add(s1, f32x4.mul(x1, wv));
        u1 = f32x4.add(u1, f32x4.mul(x1, wu));
        const x2 = v128.load32_splat(a2 + i);
        s2 = f32x4.add(s2, f32x4.mul(x2, wv));
        u2 = f32x4.add(u2, f32x4.mul(x2, wu));
        const x3 = v128.load32_splat(a3 + i);
        s3 = f32x4.add(s3, f32x4.mul(x3, wv));
        u3 = f32x4.add(u3, f32x4.mul(x3, wu));
        w += rowBytes;
      }
      const w3 = v128.load(W3 + hb);
      const w3u = v128.load(W3 + hb, 16);
      let t = tanh4(s0);
      y0 = addLow(y0, t, w3);
      z0 = addHigh(z0, t, w3);
      t = tanh4(u0);
      y0 = addLow(y0, t, w3u);
      z0 = addHigh(z0, t, w3u);
      t = tanh4(s1);
      y1 = addLow(y1, t, w3);
      z1 = addHigh(z1, t, w3);
      t = tanh4(u1);
      y1 = addLow(y1, t, w3u);
      z1 = addHigh(z1, t, w3u);
      t = tanh4(s2);
      y2 = addLow(y2, t, w3);
      z2 = addHigh(z2, t, w3);
      t = tanh4(u2);
      y2 = addLow(y2, t, w3u);
      z2 = addHigh(z2, t, w3u);
      t = tanh4(s3);
      y3 = addLow(y3, t, w3);
      z3 = addHigh(z3, t, w3);
      t = tanh4(u3);
      y3 = addLow(y3, t, w3u);
      z3 = addHigh(z3, t, w3u);
    }
    for (; hb < rowBytes; hb += 16) {
      let s0 = v128.load(b2 + hb);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      let w = W2 + hb;
      for (let i: usize = 0; i < rowBytes; i += 4) {
        const wv = v128.load(w);
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(a0 + i), wv));
        s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(a1 + i), wv));
        s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(a2 + i), wv));
        s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(a3 + i), wv));
        w += rowBytes;
      }
      const w3 = v128.load(W3 + hb);
      const t0 = tanh4(s0);
      const t1 = tanh4(s1);
      const t2 = tanh4(s2);
      const t3 = tanh4(s3);
      y0 = addLow(y0, t0, w3);
      z0 = addHigh(z0, t0, w3);
      y1 = addLow(y1, t1, w3);
      z1 = addHigh(z1, t1, w3);
      y2 = addLow(y2, t2, w3);
      z2 = addHigh(z2, t2, w3);
      y3 = addLow(y3, t3, w3);
      z3 = addHigh(z3, t3, w3);
    }
    store<f64>(out + (<usize>k << 3), total(y0, z0));
    store<f64>(out + (<usize>(k + 1) << 3), total(y1, z1));
    store<f64>(out + (<usize>(k + 2) << 3), total(y2, z2));
    store<f64>(out + (<usize>(k + 3) << 3), total(y3, z3));
  }
  for (; k < n; k++) {
    const a0 = rows + <usize>k * rowBytes;
    let y0 = f64x2.splat(0);
    let z0 = y0;
    let hb: usize = 0;
    for (; hb + 64 <= rowBytes; hb += 64) {
      let s = v128.load(b2 + hb);
      let u = v128.load(b2 + hb, 16);
      let v = v128.load(b2 + hb, 32);
      let q = v128.load(b2 + hb, 48);
      let w = W2 + hb;
      for (let i: usize = 0; i < rowBytes; i += 4) {
        const x = v128.load32_splat(a0 + i);
        s = f32x4.add(s, f32x4.mul(x, v128.load(w)));
        u = f32x4.add(u, f32x4.mul(x, v128.load(w, 16)));
        v = f32x4.add(v, f32x4.mul(x, v128.load(w, 32)));
        q = f32x4.add(q, f32x4.mul(x, v128.load(w, 48)));
        w += rowBytes;
      }
      let w3 = v128.load(W3 + hb);
      let t = tanh4(s);
      y0 = addLow(y0, t, w3);
      z0 = addHigh(z0, t, w3);
      w3 = v128.load(W3 + hb, 16);
      t = tanh4(u);
      y0 = addLow(y0, t, w3);
      z0 = addHigh(z0, t, w3);
      w3 = v128.load(W3 + hb, 32);
      t = tanh4(v);
      y0 = addLow(y0, t, w3);
      z0 = addHigh(z0, t, w3);
      w3 = v128.load(W3 + hb, 48);
      t = tanh4(q);
      y0 = addLow(y0, t, w3);
      z0 = addHigh(z0, t, w3);
    }
    for (; hb < rowBytes; hb += 16) {
      let s0 = v128.load(b2 + hb);
      let w = W2 + hb;
      for (let i: usize = 0; i < rowBytes; i += 4) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(a0 + i), v128.load(w)));
        w += rowBytes;
      }
      const w3 = v128.load(W3 + hb);
      const t0 = tanh4(s0);
      y0 = addLow(y0, t0, w3);
      z0 = addHigh(z0, t0, w3);
    }
    store<f64>(out + (<usize>k << 3), total(y0, z0));
  }
}

/** Policy logits (less the output bias) of `count` candidates and defer (row `count`) into out. */
export function logits(count: i32): void {
  const H = slot(0);
  const NX = <i32>slot(1);
  const NC = <i32>slot(2);
  const rowBytes = H << 2;
  const hx = slot(17);
  const rows = slot(18);
  const cand = slot(16);
  dense(slot(15), NX, slot(3), slot(6), hx, H, false);
  candidateRows(cand, count, NC, slot(4), hx, rows, H);
  const deferRow = rows + <usize>count * rowBytes;
  const W1d = slot(5);
  for (let hb: usize = 0; hb < rowBytes; hb += 16) v128.store(deferRow + hb, tanh4(f32x4.add(v128.load(hx + hb), v128.load(W1d + hb))));
  head(rows, count + 1, slot(7), slot(8), slot(9), slot(19), H);
}

/** The value head (less its output bias) of the context into out[0]. */
export function value(): void {
  const H = slot(0);
  const hx = slot(17);
  dense(slot(15), <i32>slot(1), slot(10), slot(11), hx, H, true);
  head(hx, 1, slot(12), slot(13), slot(14), slot(19), H);
}
