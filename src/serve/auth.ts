import { createHash, timingSafeEqual } from 'node:crypto';
import { resolve, sep } from 'node:path';
import type { Metadata } from '@grpc/grpc-js';
import { InvalidArgumentError, UnauthenticatedError } from './errors.js';

/**
 * Admin calls carry `authorization: Bearer <token>`. Compared in constant time
 * (on digests, so lengths do not leak). With no token configured, admin calls are
 * refused.
 */
export function checkAdmin(metadata: Metadata, token: string | undefined): void {
  if (!token) throw new UnauthenticatedError('admin calls are disabled (start the server with --admin-token-file)');
  const got = metadata.get('authorization')[0];
  const m = typeof got === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(got) : null;
  if (!m) throw new UnauthenticatedError('admin call needs metadata "authorization: Bearer <token>"');
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  if (!timingSafeEqual(a, b)) throw new UnauthenticatedError('admin token is not valid');
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a policy name or version from a request and returns its folder under
 * `root`. Names are plain folder names (letters, digits, `.`, `_`, `-`, no `..`),
 * and the resolved path must stay inside the registry: a request can never make
 * the server read elsewhere.
 */
export function registryPath(root: string, field: string, ...parts: string[]): string {
  for (const p of parts) {
    if (!SAFE_NAME.test(p) || p.includes('..')) {
      throw new InvalidArgumentError(field, 'must be a plain name (letters, digits, ".", "_", "-"; no "/" or "..")', p);
    }
  }
  const base = resolve(root);
  const full = resolve(base, ...parts);
  if (full !== base && !full.startsWith(base + sep)) throw new InvalidArgumentError(field, 'escapes the model registry', parts.join('/'));
  return full;
}
