import { parseScenario } from '../../src/sim/scenario/index.js';
import { buildWorld, type World } from '../../src/sim/model/world.js';

/**
 * A trivially learnable world: one region, a warehouse next door (cheap to ship
 * from) and one 4,000 km away (costly), both with plenty of stock. The best
 * policy always ships from next door at once; deferring or shipping from afar
 * costs margin.
 */
export function nearFarWorld(days = 6): World {
  return buildWorld(
    parseScenario({
      name: 'near-far',
      horizonDays: days,
      waveIntervalHours: 4,
      regions: [{ id: 'city', lat: 40, lon: -75 }],
      warehouses: [
        { id: 'near', lat: 40.1, lon: -75.1, pickCapacityPerDay: 1e5, pickHours: 1 },
        { id: 'far', lat: 34, lon: -118, pickCapacityPerDay: 1e5, pickHours: 1 },
      ],
      modes: [{ id: 'ground', costPerUnitKm: 0.01, speedKmPerHour: 60, transitCv: 0, lateRisk: 0 }],
      skus: { items: [{ id: 'A', unitCost: 50, price: 100 }] },
      segments: [{ id: 'all', kind: 'standard', demandShare: 1, promiseHours: 200, patienceHours: 12, escalationHours: 8, lostSalePenaltyPerUnit: 20 }],
      demand: { distribution: 'poisson', ordersPerDay: 30 },
      replenishment: {
        policy: 'base-stock',
        review: 'continuous',
        leadTimeHours: 24,
        leadTimeCv: 0,
        levels: [
          { warehouse: 'near', sku: 'A', orderUpTo: 500 },
          { warehouse: 'far', sku: 'A', orderUpTo: 500 },
        ],
      },
    }),
  );
}
