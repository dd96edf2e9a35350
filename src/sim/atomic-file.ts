import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Files a user asked for are written whole or not at all: everything goes to
 * `<file>.tmp-<pid>` beside the target and is renamed over it only when complete
 * (a rename within one folder is atomic). A run that fails, or is killed, leaves
 * the previous file as it was — never an empty or half-written one.
 */

/** Raised when a target cannot be written; the message names the file and why. */
export class FileWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileWriteError';
  }
}

/**
 * Checks, without touching it, that `file` can be written: its folder exists and
 * the target is not a folder. Commands call this before long work so that a bad
 * path fails in a second, not after the run. Returns the reason, or null.
 */
export function unwritableReason(file: string): string | null {
  try {
    if (!statSync(dirname(file)).isDirectory()) return `${dirname(file)} is not a folder`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
  try {
    if (statSync(file).isDirectory()) return 'it is a folder';
  } catch {
    // absent: fine
  }
  return null;
}

/** A file being written in pieces; nothing is visible at `file` until `commit()`. */
export class AtomicFile {
  readonly tmp: string;
  private fd: number | null;

  constructor(readonly file: string) {
    this.tmp = `${file}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(chunk: string | Uint8Array): void {
    if (this.fd === null) throw new FileWriteError(`${this.file}: write after commit or abort`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let off = 0; off < bytes.byteLength; ) off += writeSync(this.fd, bytes, off);
  }

  /** Flushes to disk and renames the temp file over the target. */
  commit(): void {
    if (this.fd === null) throw new FileWriteError(`${this.file}: commit after commit or abort`);
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.tmp, this.file);
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw err;
    }
  }

  /** Drops what was written; the target is untouched. Safe to call twice or after commit. */
  abort(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    rmSync(this.tmp, { force: true });
  }
}

/**
 * Writes `file` through `fill`, which gets a `write` function; the file appears
 * only if `fill` returns. Whatever `fill` throws is rethrown after cleaning up.
 */
export function writeStreamedAtomic<T>(file: string, fill: (write: (chunk: string | Uint8Array) => void) => T): T {
  const out = new AtomicFile(file);
  try {
    const result = fill((chunk) => out.write(chunk));
    out.commit();
    return result;
  } catch (err) {
    out.abort();
    throw err;
  }
}

/** Writes one whole file atomically. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeStreamedAtomic(file, (write) => write(data));
}

/**
 * Writes several files as one step: every file goes to its temp name first, and
 * the renames start only when all of them are complete, so a failure while
 * writing leaves every previous file as it was.
 */
export function writeFilesAtomic(files: readonly { file: string; data: string | Uint8Array }[]): void {
  const open: AtomicFile[] = [];
  try {
    for (const f of files) {
      const out = new AtomicFile(f.file);
      open.push(out);
      out.write(f.data);
    }
  } catch (err) {
    for (const o of open) o.abort();
    throw err;
  }
  for (const o of open) o.commit();
}
