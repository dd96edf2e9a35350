import { loadScenario } from '../src/sim/scenario/index.js';
import { simulate } from '../src/sim/engine.js';
import { createRulePolicy } from '../src/sim/policies/index.js';
import { buildWorld } from '../src/sim/model/world.js';
import { computeKpis } from '../src/sim/kpis.js';
import { reconcile } from '../src/sim/reconcile.js';
const world = buildWorld(loadScenario(process.argv[2] ?? 'default').scenario);
const n = Number(process.argv[4] ?? 3);
for (let i = 0; i < n; i++) {
  const r = simulate(world, createRulePolicy(process.argv[3] ?? 'cheapest'), { seed: i });
  reconcile(r);
  const k = computeKpis(r).kpis;
  console.log(r.events, r.orders, r.wallSeconds.toFixed(3), (r.events / r.wallSeconds / 1e6).toFixed(2) + 'M ev/s', (r.orders / r.wallSeconds / 1e3).toFixed(0) + 'k orders/s', 'rss', (process.memoryUsage().rss/1e6).toFixed(0), JSON.stringify({ fill: k.fillRate.toFixed(3), ot: k.onTimeRate.toFixed(3), reward: k.reward.toFixed(0), gm: k.grossMargin.toFixed(0), pen: k.penalties.toFixed(0), ct: k.contractFillRate.toFixed(3), lost: k.lostSalesUnits, util: k.warehouseUtilisation.toFixed(2), mi: k.manualInterventionRate.toFixed(3) }));
}
