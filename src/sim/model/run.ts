import type { Kernel } from '../kernel/kernel.js';
import type { Ledger } from '../ledger.js';
import type { NetworkState } from '../network-state.js';
import type { World } from './world.js';

/** Money accounts kept by the simulator as things happen, checked against the ledger. */
export interface Accounts {
  revenue: number;
  cogs: number;
  shippingCost: number;
  handlingCost: number;
  holdingCost: number;
  latePenalty: number;
  lostSalePenalty: number;
  contractPenalty: number;
}

/** What every process of one run shares: the world, the clock, the books and the network's state. */
export interface Run {
  readonly world: World;
  readonly kernel: Kernel;
  readonly ledger: Ledger;
  readonly state: NetworkState;
  readonly accounts: Accounts;
  /** Simulated days, and the hour demand, waves and reviews stop. */
  readonly days: number;
  readonly horizon: number;
}
