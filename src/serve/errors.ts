import { status, type ServiceError, Metadata } from '@grpc/grpc-js';

/**
 * Base class of every error the service raises on purpose. Each subclass knows
 * its gRPC status; `toGrpcStatus` is the one place that turns errors into what
 * goes on the wire.
 */
export class ServeError extends Error {
  readonly code: status = status.INTERNAL;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServeError';
  }
}

/** A request field is missing, malformed or unknown; the message names field and value. */
export class InvalidArgumentError extends ServeError {
  override readonly code = status.INVALID_ARGUMENT;
  constructor(
    readonly field: string,
    problem: string,
    value?: unknown,
  ) {
    super(`${field}${value === undefined ? '' : `(=${show(value)})`} ${problem}`);
    this.name = 'InvalidArgumentError';
  }
}

/** Admin call without valid credentials. */
export class UnauthenticatedError extends ServeError {
  override readonly code = status.UNAUTHENTICATED;
  constructor(message: string) {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** Something named in an admin call does not exist (policy, version). */
export class NotFoundError extends ServeError {
  override readonly code = status.NOT_FOUND;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The call cannot be served right now (e.g. the audit log is closed while draining). */
export class ServiceUnavailableError extends ServeError {
  override readonly code = status.UNAVAILABLE;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** A requested change failed precondition checks (e.g. a model version that does not load). */
export class FailedPreconditionError extends ServeError {
  override readonly code = status.FAILED_PRECONDITION;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FailedPreconditionError';
  }
}

/** The server has no room for the call now (e.g. too many large batches in progress); the caller may retry later. */
export class ResourceExhaustedError extends ServeError {
  override readonly code = status.RESOURCE_EXHAUSTED;
  constructor(message: string) {
    super(message);
    this.name = 'ResourceExhaustedError';
  }
}

/** The caller's deadline passed before the work was done: it is abandoned (the caller stopped waiting). */
export class DeadlineExceededError extends ServeError {
  override readonly code = status.DEADLINE_EXCEEDED;
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineExceededError';
  }
}

/** Formats a value for an error message: short, one line. */
export function show(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) s = String(value);
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = Object.prototype.toString.call(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Maps any error to a gRPC status. Known `ServeError`s keep their code and
 * message; anything else is INTERNAL with a generic message (details go to the
 * log, not to the caller).
 */
export function toGrpcStatus(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  if (err instanceof ServeError) return { code: err.code, details: err.message, metadata: new Metadata() };
  return { code: status.INTERNAL, details: 'internal error (logged by the server)', metadata: new Metadata() };
}

/** True when `toGrpcStatus` would hide the error: the caller of this should log it. */
export function isUnexpected(err: unknown): boolean {
  return !(err instanceof ServeError);
}
