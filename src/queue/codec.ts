/**
 * Task results travel through the broker as JSON text. Plain JSON turns NaN,
 * ±Infinity into null and -0 into 0; results must come back bit for bit, so
 * those numbers are written as `{"$num":"NaN"}` and read back.
 */

const TAG = '$num';

/** JSON text of `value`, keeping non-finite numbers and -0. */
export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v) || !Number.isFinite(v)) return { [TAG]: String(v) };
    return Object.is(v, -0) ? { [TAG]: '-0' } : v;
  });
}

/** The value `encode` wrote. */
export function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) {
        const s = (v as Record<string, string>)[TAG]!;
        return s === '-0' ? -0 : Number(s);
      }
    }
    return v;
  }) as T;
}
