/** Base class of every error the simulator layer raises on purpose. */
export class SimError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimError';
  }
}
