import { EntryKind } from '../ledger.js';
import type { ContractStanding, ContractStandings } from '../context.js';
import type { Run } from './run.js';

/**
 * Contract periods of the contract segments: units ordered and filled in the
 * current period; at each period's end (and at the horizon) the shortfall against
 * the fill-rate target, on the units the agreement covers, is charged.
 */
export class Contracts implements ContractStandings {
  private readonly ordered: Float64Array;
  private readonly filled: Float64Array;
  private readonly periodStart: Float64Array;
  private readonly standingOut: ContractStanding = { orderedUnits: 0, filledUnits: 0, hoursToPeriodEnd: 0 };

  constructor(private readonly run: Run) {
    const G = run.world.scenario.segments.length;
    this.ordered = new Float64Array(G);
    this.filled = new Float64Array(G);
    this.periodStart = new Float64Array(G);
  }

  /** Units ordered by segment `g` (counted whether or not it has contract terms). */
  addOrdered(g: number, units: number): void {
    this.ordered[g] += units;
  }

  addFilled(g: number, units: number): void {
    this.filled[g] += units;
  }

  /** Segment `g`'s standing at hour `now` (one object, rewritten per call), or undefined without terms. */
  standing(g: number, now: number): ContractStanding | undefined {
    const ct = this.run.world.scenario.segments[g]!.contract;
    if (!ct) return undefined;
    const out = this.standingOut;
    out.orderedUnits = this.ordered[g]!;
    out.filledUnits = this.filled[g]!;
    out.hoursToPeriodEnd = Math.max(0, this.periodStart[g]! + ct.periodDays * 24 - now);
    return out;
  }

  /** End of day `day`: closes every period that ends now (all of them on the last day). */
  closeDay(day: number, now: number): void {
    const { ledger, accounts } = this.run;
    const last = day === this.run.days - 1;
    this.run.world.scenario.segments.forEach((seg, g) => {
      const ct = seg.contract;
      if (!ct) return;
      const periodEnd = this.periodStart[g]! + ct.periodDays * 24;
      if (now + 1e-9 < periodEnd && !last) return;
      const ordered = this.ordered[g]!;
      const filled = this.filled[g]!;
      ledger.append(EntryKind.CONTRACT_PERIOD, now, -1, -1, -1, g, -1, ordered, 0, filled);
      // The agreement covers orders up to the commitment: the target applies to those.
      const covered = Math.min(ordered, ct.committedUnitsPerPeriod);
      const short = Math.ceil(Math.max(0, ct.fillRateTarget * covered - Math.min(filled, covered)) - 1e-9);
      if (short > 0) {
        const pen = short * ct.shortfallPenaltyPerUnit;
        ledger.append(EntryKind.PENALTY_CONTRACT, now, -1, -1, -1, g, -1, short, pen);
        accounts.contractPenalty += pen;
      }
      this.ordered[g] = 0;
      this.filled[g] = 0;
      this.periodStart[g] = now;
    });
  }
}
