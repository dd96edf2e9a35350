import { calendarFactor, type World } from '../sim/model/world.js';

/**
 * Where a planner's demand expectations come from: expected units per day for
 * SKU × region × segment on a (possibly fractional) day.
 */
export interface ForecastSource {
  readonly name: string;
  unitsPerDay(sku: number, region: number, segment: number, day: number): number;
}

/**
 * The scenario's own demand plan: base order rate × calendar (weekly season,
 * trend, launch curve) × promotions × mean order size. This is what a demand
 * planner would publish before the quarter; it knows nothing of the seed.
 */
export function planForecast(world: World): ForecastSource {
  const s = world.scenario;
  const R = s.regions.length;
  const G = s.segments.length;
  return {
    name: 'plan',
    unitsPerDay(sku, region, segment, day) {
      const d = Math.floor(day);
      let f = calendarFactor(world, sku, d);
      if (f === 0) return 0;
      const id = world.skus[sku]!.id;
      const rid = s.regions[region]!.id;
      for (const p of s.demand.promotions) {
        if (d >= p.startDay && d < p.endDay && (p.sku === undefined || p.sku === id) && (p.region === undefined || p.region === rid)) f *= p.demandMultiplier;
      }
      return world.baseOrdersPerDay[(sku * R + region) * G + segment]! * f * s.segments[segment]!.meanOrderQuantity;
    },
  };
}
