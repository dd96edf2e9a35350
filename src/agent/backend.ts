import * as tf from './tf.js';

/** The tfjs backends allocsim can use. `auto` picks tensorflow (tfjs-node) when installed, else wasm. */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Raised when a backend is unknown or cannot load; names the value. */
export class BackendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

async function tryNode(): Promise<boolean> {
  try {
    // Optional dependency: its install downloads a native library, so it may be absent.
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Selects and initialises a tfjs backend; returns the name in use. `auto` tries
 * tfjs-node, then wasm, then the pure-JS cpu backend.
 */
export async function selectBackend(name: string = 'auto'): Promise<string> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new BackendError(`backend(=${name}) must be one of ${BACKENDS.join(', ')}`);
  }
  let ok = false;
  if (name === 'auto') ok = (await tryNode()) || (await tryWasm()) || (await tf.setBackend('cpu'));
  else if (name === 'tensorflow') ok = await tryNode();
  else if (name === 'wasm') ok = await tryWasm();
  else ok = await tf.setBackend('cpu');
  if (!ok) throw new BackendError(`backend(=${name}) is not available here${name === 'tensorflow' ? ' (install @tensorflow/tfjs-node)' : ''}`);
  await tf.ready();
  return tf.getBackend();
}

/** Backends that load on this machine (for benchmarks). */
export async function availableBackends(): Promise<string[]> {
  const out: string[] = [];
  for (const b of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      await selectBackend(b);
      out.push(b);
    } catch {
      // not installed here
    }
  }
  return out;
}

