/**
 * A growable byte buffer, the base of the service's two hand-written encoders:
 * the protobuf answers (wire.ts) and the packed audit records (audit.ts).
 */
export class ByteWriter {
  protected buf: Buffer;
  protected pos = 0;

  /** `alloc` makes every buffer, the first and each grown one (pooled or not). */
  constructor(initialBytes: number, private readonly alloc: (bytes: number) => Buffer) {
    this.buf = alloc(initialBytes);
  }

  /** Room for `n` more bytes: the buffer doubles until they fit. */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(1, this.buf.length) * 2;
    while (size < this.pos + n) size *= 2;
    const next = this.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * Copies `s` to `at` byte by byte when it is short (ids, SKUs, warehouse and
   * mode names) and ASCII — cheaper than Buffer#write's checks — and returns the
   * offset after it; returns -1, having written nothing the caller keeps, when
   * it is not (then the caller uses Buffer#write). The caller makes room for
   * `s.length` bytes at `at` first.
   */
  protected shortAscii(s: string, at: number): number {
    const len = s.length;
    if (len > 32) return -1;
    const b = this.buf;
    let p = at;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) return -1;
      b[p++] = c;
    }
    return p;
  }
}
