/**
 * One place that turns errors into what a user sees: a one-line message and an
 * exit code. Known input errors exit 2; anything unexpected exits 1 with a single
 * line (set ALLOCSIM_DEBUG=1 for the stack).
 */

/** A bad command-line input: unknown name, malformed value, missing file. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Error classes (by name) that mean "the user's input is wrong": exit code 2. */
const INPUT_ERRORS = new Set(['UsageError', 'ScenarioError', 'PolicyConfigError', 'DecisionError', 'RegistryError', 'ModelLoadError', 'ResultsError', 'NothingToLearnError']);

/** Exit code for an error: 2 for bad input, 1 for anything else. */
export function exitCodeFor(err: unknown): number {
  return err instanceof Error && INPUT_ERRORS.has(err.name) ? 2 : 1;
}

/** Prints one line for `err` on stderr and exits with the right code. */
export function fail(err: unknown): never {
  const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const code = exitCodeFor(err);
  process.stderr.write(`allocsim: ${code === 2 ? 'error' : 'internal error'}: ${msg}\n`);
  if (process.env.ALLOCSIM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(code);
}

/** Wraps a command action so that any error ends in `fail`. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}

/** Parses a whole number option; errors name the option and value. */
export function intOption(name: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${name}(=${value}) must be a whole number >= ${min}`);
    }
    return n;
  };
}
