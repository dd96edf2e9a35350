/**
 * The queue URL (`postgres://user:password@host:port/db`) carries credentials:
 * everything this layer prints or stores goes through `redactUrl` or `scrub`.
 */

/** Bad `--queue` value or an unreachable broker; the message never holds the credentials. */
export class QueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // The URL is the user's input: the CLI maps this name to exit code 2.
    this.name = 'UsageError';
  }
}

/** `postgres://***@host:port/db`: the URL without its user and password. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const auth = u.username || u.password ? '***@' : '';
    return `${u.protocol}//${auth}${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Replaces the URL and its credentials (plain and percent-encoded) wherever they appear in `text`. */
export function scrub(text: string, raw: string): string {
  let out = text.split(raw).join(redactUrl(raw));
  try {
    const u = new URL(raw);
    for (const secret of [u.password, decodeURIComponent(u.password)]) if (secret.length >= 3) out = out.split(secret).join('***');
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}

/**
 * Checks a `--queue` value: a `postgres://` or `postgresql://` URL, or `env:NAME`
 * to read it from an environment variable (keeps the password out of `ps` and
 * shell history). Returns the URL.
 */
export function queueUrl(value: string): string {
  let raw = value;
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    raw = process.env[name] ?? '';
    if (!raw) throw new QueueError(`--queue(=${value}): environment variable ${name} is not set`);
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new QueueError(`--queue(=${value.startsWith('env:') ? value : redactUrl(raw)}) must be a URL like postgres://user:password@host:5432/db`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new QueueError(`--queue(=${redactUrl(raw)}) must be a postgres:// URL (the job engine is pg-boss on PostgreSQL)`);
  }
  return raw;
}
