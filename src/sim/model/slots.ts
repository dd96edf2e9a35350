/**
 * A store of records in parallel typed arrays, indexed by a slot that a kernel event
 * carries as its argument: records that live for days as objects would be promoted
 * to the old generation and collected there. Freed slots are reused; the arrays
 * double when every slot is taken.
 */
export abstract class SlotStore {
  private readonly free: number[] = [];
  private used = 0;

  /** Slots the arrays hold now. */
  protected abstract capacity(): number;
  /** Replaces every array by one of length `n` holding the same records. */
  protected abstract grow(n: number): void;

  /** A free slot for a new record. */
  protected slot(): number {
    let i = this.free.pop();
    if (i === undefined) {
      if (this.used === this.capacity()) this.grow(2 * this.capacity());
      i = this.used++;
    }
    return i;
  }

  release(i: number): void {
    this.free.push(i);
  }
}

/** `a`'s values at the start of a new array of length `n`. */
export function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer>;
export function grown(a: Float64Array, n: number): Float64Array<ArrayBuffer>;
export function grown(a: Uint8Array, n: number): Uint8Array<ArrayBuffer>;
export function grown(a: Int32Array | Float64Array | Uint8Array, n: number): Int32Array | Float64Array | Uint8Array {
  const b = a instanceof Int32Array ? new Int32Array(n) : a instanceof Float64Array ? new Float64Array(n) : new Uint8Array(n);
  b.set(a);
  return b;
}
