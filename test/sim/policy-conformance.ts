import { expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { buildWorld } from '../../src/sim/model/world.js';
import { Simulation } from '../../src/sim/engine.js';
import { validateDecision, type DecisionContext, type Policy } from '../../src/sim/policies/index.js';
import { createRulePolicy } from '../../src/sim/policies/index.js';

/**
 * Contexts drawn from real runs (external mode, decided by `cheapest`) on the
 * default and electronics-launch scenarios: a mix of plenty and scarcity.
 */
export function sampleContexts(count = 300): DecisionContext[] {
  const out: DecisionContext[] = [];
  for (const [name, days] of [['default', 10], ['electronics-launch', 40]] as const) {
    const world = buildWorld(loadScenario(name).scenario);
    const driver = createRulePolicy('cheapest');
    const sim = new Simulation(world, driver, { seed: 9, days, external: true });
    let i = 0;
    for (let ctx = sim.nextDecision(); ctx; ctx = sim.nextDecision()) {
      if (i++ % 7 === 0 && out.length < count) out.push(structuredClone(ctx));
      sim.submit(driver.decide(ctx));
    }
  }
  return out;
}

/**
 * The suite every Policy implementation must pass (rules, the network policy,
 * the service's fallback chain): valid decisions, one score per candidate,
 * deterministic answers, and no mutation of the context.
 */
export function runPolicyConformance(label: string, makePolicy: () => Policy | Promise<Policy>): void {
  it(`${label}: answers every context with a valid, deterministic decision`, async () => {
    const policy = await makePolicy();
    const contexts = sampleContexts();
    expect(contexts.length).toBeGreaterThan(100);
    let placed = 0;
    for (const ctx of contexts) {
      const before = JSON.stringify(ctx);
      const d = policy.decide(ctx);
      validateDecision(ctx, d);
      expect(JSON.stringify(ctx)).toBe(before);
      expect(JSON.stringify(policy.decide(ctx))).toBe(JSON.stringify(d));
      if (d.scores) {
        expect(d.scores.length).toBe(ctx.order.lines.length);
        d.scores.forEach((s, i) => expect(s.length).toBe(ctx.order.lines[i]!.candidates.length));
        for (const s of d.scores) for (const x of s) expect(Number.isFinite(x)).toBe(true);
      }
      expect(d.decidedBy?.name).toBeTruthy();
      for (const l of d.lines) for (const a of l.allocations) placed += a.quantity;
    }
    expect(placed).toBeGreaterThan(0);
  });
}
