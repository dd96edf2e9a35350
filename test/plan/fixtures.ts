import { parseScenario, type ContractMode } from '../../src/sim/scenario/index.js';
import { buildWorld, type World } from '../../src/sim/model/world.js';

/**
 * A small scarce world where contracts and margin pull apart: one region, one warehouse
 * next door, one scheduled-supply SKU (cost 50, list 100) with `supply` units on hand and
 * `later` more landing on day 5. Contract customers pay 70 (margin 20, shortfall penalty 10
 * per unit, target 90% per 5-day period); premium customers pay 150 (margin 100). No
 * shipping, handling, holding, lateness or lost-sale costs, so unit values are by hand.
 */
export function scarceContractWorld(options: { supply: number; later?: number; contracts?: ContractMode; days?: number; penalty?: number }): World {
  return buildWorld(
    parseScenario({
      name: 'scarce-contract',
      horizonDays: options.days ?? 10,
      waveIntervalHours: 4,
      contracts: options.contracts ?? 'hard',
      regions: [{ id: 'city', lat: 40, lon: -75 }],
      warehouses: [{ id: 'dc', lat: 40, lon: -75, pickCapacityPerDay: 1e5, pickHours: 1, handlingCostPerUnit: 0, holdingCostRatePerYear: 0 }],
      modes: [{ id: 'van', costPerUnitKm: 0, speedKmPerHour: 60, handoverHours: 2, transitCv: 0, lateRisk: 0 }],
      skus: { items: [{ id: 'P', unitCost: 50, price: 100, replenish: false }] },
      segments: [
        {
          id: 'hospitals',
          kind: 'contract',
          demandShare: 1,
          priceFactor: 0.7,
          promiseHours: 1000,
          patienceHours: 1000,
          escalationHours: 1000,
          contract: { periodDays: 5, committedUnitsPerPeriod: 10000, fillRateTarget: 0.9, shortfallPenaltyPerUnit: options.penalty ?? 10 },
        },
        { id: 'retail', kind: 'premium', demandShare: 1, priceFactor: 1.5, promiseHours: 1000, patienceHours: 1000, escalationHours: 1000 },
      ],
      demand: { distribution: 'poisson', ordersPerDay: 20 },
      replenishment: { levels: [{ warehouse: 'dc', sku: 'P', orderUpTo: 0, initial: options.supply }] },
      inbound: options.later ? [{ warehouse: 'dc', sku: 'P', day: 5, quantity: options.later }] : [],
      reward: { marginWeight: 1, penaltyWeight: 1 },
    }),
  );
}
