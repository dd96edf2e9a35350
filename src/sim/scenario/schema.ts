import { z } from 'zod';

/**
 * The scenario file format. A scenario describes one warehouse network and the
 * market it serves; `allocsim validate` checks a file against this schema and the
 * JSON Schema export (`scenarios/scenario.schema.json`) lets editors do the same.
 * Units are named in field names: hours, days, km, per unit.
 */

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-"');
const nonNeg = z.number().finite().nonnegative();
const pos = z.number().finite().positive();
const prob = z.number().min(0).max(1);
const wholeNonNeg = z.number().int().nonnegative();
const range = z.tuple([nonNeg, nonNeg]).refine(([a, b]) => a <= b, 'range must be [min, max] with min <= max');

export const RegionSchema = z.strictObject({
  id,
  name: z.string().optional(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** Share of demand coming from this region (relative weight). */
  demandWeight: nonNeg.default(1),
  /** Multiplier on list prices here: regions differ in profitability. */
  priceFactor: pos.default(1),
});

export const OutageSchema = z.strictObject({
  startDay: nonNeg,
  endDay: nonNeg,
  reason: z.string().optional(),
}).refine((o) => o.endDay > o.startDay, { message: 'endDay must be > startDay', path: ['endDay'] });

export const WarehouseSchema = z.strictObject({
  id,
  name: z.string().optional(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** Units that can be picked and shipped per day. */
  pickCapacityPerDay: pos,
  /** Hours from allocation to shipment when capacity allows. */
  pickHours: nonNeg.default(6),
  handlingCostPerUnit: nonNeg.default(0.5),
  /** Holding cost per year as a fraction of unit cost. */
  holdingCostRatePerYear: nonNeg.default(0.25),
  outages: z.array(OutageSchema).default([]),
});

export const ModeSchema = z.strictObject({
  id,
  costPerUnitKm: nonNeg,
  fixedCostPerUnit: nonNeg.default(0),
  /** Average line-haul speed; transit = handoverHours + distance / speed. */
  speedKmPerHour: pos,
  handoverHours: nonNeg.default(12),
  /** Coefficient of variation of the transit time (gamma distributed). */
  transitCv: nonNeg.default(0.2),
  /** Probability of a carrier delay on top of the normal transit. */
  lateRisk: prob.default(0.03),
  lateDelayHours: nonNeg.default(48),
  /** Longest distance the mode serves (ground does not cross oceans). */
  maxDistanceKm: pos.default(1e9),
});

export const LaneOverrideSchema = z.strictObject({
  warehouse: id,
  region: id,
  mode: id,
  transitHours: nonNeg.optional(),
  costPerUnit: nonNeg.optional(),
  lateRisk: prob.optional(),
  /** Set false to close the lane. */
  open: z.boolean().default(true),
});

export const SkuSchema = z.strictObject({
  id,
  name: z.string().optional(),
  unitCost: pos,
  price: pos,
  /** Day the SKU goes on sale; no demand before it. */
  launchDay: nonNeg.default(0),
  /** Relative demand weight among SKUs (overrides the generated popularity). */
  popularity: nonNeg.optional(),
  /** False: only scheduled inbound supplies it (a factory's launch allocation). */
  replenish: z.boolean().default(true),
});

export const SkuGeneratorSchema = z.strictObject({
  count: z.number().int().positive().max(1_000_000),
  prefix: z.string().default('SKU'),
  unitCost: range.default([5, 100]),
  /** Price = unitCost × (1 + markup), markup uniform in this range. */
  markup: range.default([0.2, 0.8]),
  /** SKU popularity follows Zipf's law with this exponent. */
  zipf: nonNeg.default(1),
});

export const ContractTermsSchema = z.strictObject({
  periodDays: pos.default(30),
  /** Units per period the agreement covers, network-wide. */
  committedUnitsPerPeriod: wholeNonNeg,
  fillRateTarget: prob.default(0.95),
  shortfallPenaltyPerUnit: nonNeg.default(20),
});

export const SegmentSchema = z.strictObject({
  id,
  kind: z.enum(['contract', 'premium', 'standard']),
  /** Share of all orders from this segment (relative weight). */
  demandShare: nonNeg,
  priceFactor: pos.default(1),
  /** Mean units per order line (1 + Poisson(mean − 1)). */
  meanOrderQuantity: z.number().min(1).default(1),
  /** Delivery promised this many hours after the order is placed. */
  promiseHours: pos.default(120),
  /** Shipping mode the customer paid for; '' lets the policy choose. */
  serviceLevel: z.string().default(''),
  /**
   * An unplaced remainder becomes a lost sale after this many hours. 0: lost
   * sales at once — an order is offered on arrival (waves or not) and whatever
   * stock cannot serve then is lost.
   */
  patienceHours: nonNeg.default(168),
  /** An order still unplaced after this long is escalated to a planner. */
  escalationHours: pos.default(72),
  latePenaltyPerUnit: nonNeg.default(0),
  lostSalePenaltyPerUnit: nonNeg.default(0),
  contract: ContractTermsSchema.optional(),
  /**
   * Days after delivery that the segment's customers pay (finance view only). When
   * absent: 30 for contract segments (invoiced, net 30), 0 for the others (paid on delivery).
   */
  paymentTermsDays: nonNeg.optional(),
}).refine((s) => s.kind !== 'contract' || s.contract !== undefined, {
  message: 'a contract segment needs contract terms',
  path: ['contract'],
});

export const PromotionSchema = z.strictObject({
  sku: id.optional(),
  region: id.optional(),
  startDay: nonNeg,
  endDay: nonNeg,
  demandMultiplier: pos,
  priceFactor: pos.default(1),
});

export const LaunchSchema = z.strictObject({
  sku: id,
  /** Extra demand on launch day as a multiple of the base rate, decaying exponentially. */
  spikeMultiplier: nonNeg,
  decayDays: pos.default(7),
});

export const DemandSchema = z.strictObject({
  distribution: z.enum(['poisson', 'negative-binomial']).default('poisson'),
  /** Dispersion k of the negative binomial (variance = mean + mean²/k). */
  dispersion: pos.default(2),
  /** Orders per day across the whole network before seasonality and trend. */
  ordersPerDay: nonNeg,
  /** Day-of-week multipliers, day 0 first. */
  weekly: z.array(nonNeg).length(7).default([1, 1, 1, 1, 1, 1, 1]),
  /** Relative change in demand per year (0.1 = +10% a year, linear). */
  trendPerYear: z.number().finite().default(0),
  promotions: z.array(PromotionSchema).default([]),
  launches: z.array(LaunchSchema).default([]),
});

export const LevelOverrideSchema = z.strictObject({
  warehouse: id,
  sku: id,
  reorderPoint: wholeNonNeg.optional(),
  orderUpTo: wholeNonNeg,
  initial: wholeNonNeg.optional(),
});

export const ReplenishmentSchema = z.strictObject({
  policy: z.enum(['base-stock', 's-S']).default('base-stock'),
  /**
   * periodic: review every reviewHours; continuous: on every demand event — an
   * order's arrival (at its region's home warehouse) and every allocation — with
   * or without waves.
   */
  review: z.enum(['periodic', 'continuous']).default('periodic'),
  reviewHours: pos.default(24),
  leadTimeHours: pos.default(120),
  /** Coefficient of variation of supplier lead time (gamma); 0 = fixed. */
  leadTimeCv: nonNeg.default(0.25),
  /** Order-up-to level S, in days of the warehouse's expected demand. */
  orderUpToDays: nonNeg.default(14),
  /** Reorder point s for (s,S), in days of expected demand. */
  reorderPointDays: nonNeg.default(7),
  /** Opening stock, in days of expected demand. */
  initialDays: nonNeg.default(14),
  levels: z.array(LevelOverrideSchema).default([]),
});

export const InboundSchema = z.strictObject({
  warehouse: id,
  sku: id,
  day: nonNeg,
  quantity: wholeNonNeg,
});

export const RewardSchema = z.strictObject({
  /** Weight of gross margin (revenue − COGS − shipping − handling − holding). */
  marginWeight: nonNeg.default(1),
  /** Weight on the scenario's penalties (late, lost-sale, contract shortfall). */
  penaltyWeight: nonNeg.default(1),
});

export const ScenarioSchema = z.strictObject({
  name: id,
  description: z.string().default(''),
  currency: z.string().default('USD'),
  horizonDays: pos.max(3650),
  /** Hours between allocation waves; 0 allocates each order on arrival. */
  waveIntervalHours: nonNeg.default(1),
  /**
   * Offer at most this many candidate warehouses per line: the nearest ones to the
   * ship-to region that have stock (0 = all). Large networks shortlist like this.
   */
  candidateLimit: z.number().int().nonnegative().default(0),
  regions: z.array(RegionSchema).min(1),
  warehouses: z.array(WarehouseSchema).min(1),
  modes: z.array(ModeSchema).min(1),
  lanes: z.array(LaneOverrideSchema).default([]),
  skus: z.strictObject({
    generate: SkuGeneratorSchema.optional(),
    items: z.array(SkuSchema).default([]),
  }),
  segments: z.array(SegmentSchema).min(1),
  demand: DemandSchema,
  replenishment: ReplenishmentSchema.default(ReplenishmentSchema.parse({})),
  inbound: z.array(InboundSchema).default([]),
  reward: RewardSchema.default(RewardSchema.parse({})),
  /**
   * Days after receipt that suppliers are paid for stock received (replenishment and
   * scheduled inbound; finance view only). When absent: 30 (net 30).
   */
  supplierPaymentTermsDays: nonNeg.optional(),
  /**
   * What a contract segment's commitment (committedUnitsPerPeriod × fillRateTarget per
   * period) means to the planners and the learner. `hard`: a constraint, met whenever
   * supply allows; only supply that cannot cover it leaves a shortfall. `soft`: a price,
   * the shortfall penalty traded against margin. The simulator and its ledger treat both
   * alike (a missed target is penalised); the CLI's `--contracts` overrides this field.
   */
  contracts: z
    .enum(['hard', 'soft'])
    .default('hard')
    .describe('hard: contract commitments are constraints met whenever supply allows; soft: the shortfall penalty is a price traded against margin'),
});

/** A scenario as written (defaults not yet applied). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with every default filled in. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type Region = z.output<typeof RegionSchema>;
export type Warehouse = z.output<typeof WarehouseSchema>;
export type Mode = z.output<typeof ModeSchema>;
export type Sku = z.output<typeof SkuSchema>;
export type Segment = z.output<typeof SegmentSchema>;
/** How planners and learners treat contract commitments: constraints (`hard`) or prices (`soft`). */
export type ContractMode = Scenario['contracts'];
/** The contract modes, for option parsing. */
export const CONTRACT_MODES: readonly ContractMode[] = ['hard', 'soft'];
