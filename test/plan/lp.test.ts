import { describe, expect, it } from 'vitest';
import { LinearProgram, loadHighs } from '../../src/plan/lp.js';

describe('LinearProgram', () => {
  it('returns row duals with the documented sign, on an LP solved by hand', async () => {
    const highs = await loadHighs();
    // max 2x + 3y  s.t.  x + y ≤ 4,  y ≤ 1,  x ≥ 0.5 (with cost −1 on a third variable z ≥ x − 3, i.e. z − x ≥ −3)
    const lp = new LinearProgram();
    const x = lp.addColumn(2);
    const y = lp.addColumn(3);
    const z = lp.addColumn(-1);
    const cap = lp.addRow([x, y], [1, 1], -Infinity, 4);
    const ycap = lp.addRow([y], [1], -Infinity, 1);
    const floor = lp.addRow([z, x], [1, -1], -2, Infinity);
    const sol = lp.solve(highs);
    // Optimum: y = 1, x = 3, z = max(0, x − 2) = 1: 6 + 3 − 1 = 8.
    expect(sol.objective).toBeCloseTo(8, 9);
    expect([...sol.x]).toEqual([expect.closeTo(3, 9), expect.closeTo(1, 9), expect.closeTo(1, 9)]);
    // One more unit of x + y capacity goes to x: +2, less the extra z it forces: +1.
    expect(sol.rowDual[cap]).toBeCloseTo(1, 9);
    // One more unit of y's bound replaces a unit of x: 3 − 2 + the z saved (1) = 2.
    expect(sol.rowDual[ycap]).toBeCloseTo(2, 9);
    // Raising the ≥ row's bound by one forces one more unit of z: −1 (≤ 0 on a binding ≥ row).
    expect(sol.rowDual[floor]).toBeCloseTo(-1, 9);
    expect(sol.slack).toBe(0);
  });

  it('solves hard slack lexicographically: least slack first, then the objective', async () => {
    const highs = await loadHighs();
    // Two units of supply; a contract unit is worth 1, a premium unit 5; the contract needs 1.5 units,
    // its shortfall costs 1 per unit.
    const build = () => {
      const lp = new LinearProgram();
      const c = lp.addColumn(1);
      const p = lp.addColumn(5);
      const short = lp.addColumn(-1);
      lp.addRow([c, p], [1, 1], -Infinity, 2);
      lp.addRow([c, short], [1, 1], 1.5, Infinity);
      return { lp, c, p, short };
    };
    const soft = build();
    const s1 = soft.lp.solve(highs);
    expect(s1.objective).toBeCloseTo(10 - 1.5, 9); // the shortfall is cheaper than premium margin
    const hard = build();
    const s2 = hard.lp.solve(highs, { hardSlack: [hard.short] });
    expect(s2.x[hard.c]).toBeCloseTo(1.5, 9);
    expect(s2.x[hard.p]).toBeCloseTo(0.5, 9);
    expect(s2.slack).toBe(0);
    // Not enough supply for the commitment: the least shortfall (1), then the best objective with it.
    const scarce = new LinearProgram();
    const c = scarce.addColumn(1);
    const p = scarce.addColumn(5);
    const short = scarce.addColumn(-1);
    scarce.addRow([c, p], [1, 1], -Infinity, 2);
    scarce.addRow([c, short], [1, 1], 3, Infinity);
    const s3 = scarce.solve(highs, { hardSlack: [short] });
    expect(s3.slack).toBeCloseTo(1, 6);
    expect(s3.x[c]).toBeCloseTo(2, 6);
    expect(s3.x[p]).toBeCloseTo(0, 6);
    expect(s3.objective).toBeCloseTo(2 - 1, 6);
  });
});
