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

/**
 * A scarce world: one warehouse receives 260 units of one item at the start and
 * nothing more, while two regions demand about 400 over ten days; the `rich`
 * region pays 1.6 × the price of the `poor` one. Serving whoever comes first (the
 * rules) sells the stock early to both; the best policy keeps units for rich
 * orders. Optionally a contract segment with a commitment.
 */
export function scarceWorld(options: { contract?: boolean; days?: number } = {}): World {
  const segments: object[] = [
    { id: 'shop', kind: 'standard', demandShare: options.contract ? 0.8 : 1, promiseHours: 120, patienceHours: 48, escalationHours: 24, lostSalePenaltyPerUnit: 1 },
  ];
  if (options.contract) {
    segments.push({
      id: 'hospital', kind: 'contract', demandShare: 0.2, priceFactor: 0.9, promiseHours: 120, patienceHours: 240, escalationHours: 96,
      contract: { periodDays: 5, committedUnitsPerPeriod: 40, fillRateTarget: 0.95, shortfallPenaltyPerUnit: 5 },
    });
  }
  return buildWorld(
    parseScenario({
      name: options.contract ? 'scarce-contract' : 'scarce',
      horizonDays: options.days ?? 10,
      waveIntervalHours: 4,
      regions: [
        { id: 'rich', lat: 40, lon: -75, priceFactor: 1.6 },
        { id: 'poor', lat: 41, lon: -76, priceFactor: 1 },
      ],
      warehouses: [{ id: 'dc', lat: 40.5, lon: -75.5, pickCapacityPerDay: 1e5, pickHours: 1 }],
      modes: [{ id: 'ground', costPerUnitKm: 0.01, speedKmPerHour: 60, transitCv: 0, lateRisk: 0 }],
      skus: { items: [{ id: 'S', unitCost: 50, price: 100, replenish: false }] },
      segments,
      demand: { distribution: 'poisson', ordersPerDay: 40 },
      replenishment: { policy: 'base-stock', review: 'continuous', leadTimeHours: 24, leadTimeCv: 0, orderUpToDays: 0 },
      inbound: [{ warehouse: 'dc', sku: 'S', day: 0, quantity: 260 }],
    }),
  );
}
