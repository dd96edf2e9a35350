import seedrandom from 'seedrandom';
import { SimError } from './errors.js';

/**
 * One named source of randomness. Every stream is its own seeded generator
 * (seedrandom's Alea), so the draws a source makes never depend on how many draws
 * another source made. That is what gives common random numbers: two strategies on
 * one seed see the same demand and supply, whatever they allocate.
 */
export class Stream {
  private readonly u: () => number;
  private spareNormal = NaN;

  constructor(readonly name: string, seed: number | string) {
    this.u = seedrandom.alea(`allocsim:${seed}:${name}`);
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.u();
  }

  /** Standard normal by the Marsaglia polar method (one spare kept). */
  normal(): number {
    if (this.spareNormal === this.spareNormal) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    let x: number, y: number, s: number;
    do {
      x = 2 * this.u() - 1;
      y = 2 * this.u() - 1;
      s = x * x + y * y;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = y * f;
    return x * f;
  }

  /**
   * Poisson(mean), exact. Inversion by sequential search, which is fastest for the
   * common case (a SKU in a region on one day has a mean well below 1); large means
   * are split into chunks, since a sum of Poissons is Poisson.
   */
  poisson(mean: number): number {
    if (!(mean >= 0) || !Number.isFinite(mean)) throw new SimError(`poisson mean(=${mean}) must be finite and >= 0`);
    if (mean === 0) return 0;
    let total = 0;
    // Split a large mean into chunks of at most 30: a sum of Poissons is Poisson,
    // and each chunk's inversion stays short and numerically safe.
    while (mean > 30) {
      total += this.poissonSmall(30);
      mean -= 30;
    }
    return total + this.poissonSmall(mean);
  }

  private poissonSmall(mean: number): number {
    const u = this.u();
    let k = 0;
    let p = Math.exp(-mean);
    let cdf = p;
    while (u > cdf) {
      k++;
      p *= mean / k;
      cdf += p;
      if (p < 1e-300 && k > mean) break;
    }
    return k;
  }

  /** Gamma(shape, scale) by Marsaglia and Tsang's method. */
  gamma(shape: number, scale: number): number {
    if (!(shape > 0) || !(scale > 0)) throw new SimError(`gamma shape(=${shape}) and scale(=${scale}) must be > 0`);
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a)
      return this.gamma(shape + 1, scale) * Math.pow(this.u(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.u();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /**
   * Negative binomial as a gamma–Poisson mixture with the given mean and dispersion
   * `k` (variance = mean + mean² / k). Large k tends to Poisson.
   */
  negativeBinomial(mean: number, k: number): number {
    if (mean <= 0) return 0;
    return this.poisson(this.gamma(k, mean / k));
  }

  /** A positive duration with the given mean and coefficient of variation (gamma). cv 0 → fixed. */
  duration(mean: number, cv: number): number {
    if (cv <= 0) return mean;
    const shape = 1 / (cv * cv);
    return this.gamma(shape, mean / shape);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.u() * n);
  }
}

/**
 * The named streams of one run. `get(name)` creates a stream on first use, seeded
 * from the run's seed and the name alone, so adding a new source never shifts the
 * draws of the existing ones.
 */
export class RandomStreams {
  private readonly streams = new Map<string, Stream>();

  constructor(readonly seed: number | string) {}

  get(name: string): Stream {
    let s = this.streams.get(name);
    if (!s) {
      s = new Stream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }
}
