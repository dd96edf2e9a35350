import type { SimResult } from '../sim/index.js';
import { EntryKind } from '../sim/ledger.js';

/** A scarce SKU as a trainer derived it from runs of a rule. */
export interface ScarceSku {
  sku: string;
  /** Opening stock plus receipts, and units demanded, per run. */
  supplyUnits: number;
  demandUnits: number;
  /** The opportunity-cost curve at half the demand, and the margin of the most valuable unit demanded. */
  chargeAtHalf: number;
  topMargin: number;
}

/**
 * Scarce SKUs and their opportunity-cost curves from base-rule runs: an SKU is
 * scarce when the runs' demand exceeded their supply (opening stock and receipts).
 * Its curve holds the unit margin at the top 0%, 1%, …, 100% of the units demanded
 * (most valuable first; with hard contracts, contract units first).
 */
export function deriveCharges(runs: readonly SimResult[], hardContracts: boolean): { charges: Record<string, number[]>; report: ScarceSku[] } {
  const world = runs[0]!.world;
  const S = world.skus.length;
  const supply = new Float64Array(S);
  const demand: [number, number, number][][] = Array.from({ length: S }, () => []);
  const contractSeg = world.scenario.segments.map((g) => g.kind === 'contract');
  for (const run of runs) {
    const L = run.ledger;
    for (let i = 0; i < L.length; i++) {
      const k = L.kind[i]!;
      const s = L.sku[i]!;
      if (k === EntryKind.OPENING || k === EntryKind.RECEIPT) supply[s] += L.qty[i]!;
      else if (k === EntryKind.ORDER && L.qty[i]! > 0) {
        const m = L.amount[i]! / L.qty[i]! - world.skus[s]!.unitCost;
        demand[s]!.push([hardContracts && contractSeg[L.segment[i]!] ? Infinity : m, m, L.qty[i]!]);
      }
    }
  }
  const charges: Record<string, number[]> = {};
  const report: ScarceSku[] = [];
  for (let s = 0; s < S; s++) {
    const d = demand[s]!.sort((a, b) => (b[0] > a[0] ? 1 : b[0] < a[0] ? -1 : b[1] - a[1]));
    const total = d.reduce((a, x) => a + x[2], 0);
    if (d.length === 0 || total <= supply[s]!) continue;
    const curve: number[] = [];
    let cum = 0;
    let j = 0;
    for (let p = 0; p <= 100; p++) {
      const target = (p / 100) * total;
      while (j < d.length - 1 && cum + d[j]![2] < target) cum += d[j++]![2];
      curve.push(Math.max(0, d[j]![1]));
    }
    const id = world.skus[s]!.id;
    charges[id] = curve;
    report.push({ sku: id, supplyUnits: supply[s]! / runs.length, demandUnits: total / runs.length, chargeAtHalf: curve[50]!, topMargin: d.reduce((a, x) => Math.max(a, x[1]), -Infinity) });
  }
  return { charges, report };
}

