/**
 * The simulator's entry point for the rest of allocsim: run a scenario under a
 * policy and read its result. The event loop and its state (`engine.ts`,
 * `model/`, `network-state.ts`) stay the simulator's business; only the
 * agent's environment drives `Simulation` step by step.
 */
export { simulate, type Accounts, type RunOptions, type SimResult } from './engine.js';
