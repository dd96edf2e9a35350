import type { Kpis } from '../sim/kpis.js';

/** How a KPI is shown in tables: its label and kind. */
export const KPI_FORMAT: { key: keyof Kpis; label: string; kind: 'pct' | 'money' | 'int' | 'num' }[] = [
  { key: 'reward', label: 'reward', kind: 'money' },
  { key: 'fillRate', label: 'fill rate', kind: 'pct' },
  { key: 'orderFillRate', label: 'order fill rate', kind: 'pct' },
  { key: 'firstPassFillRate', label: 'first-pass fill', kind: 'pct' },
  { key: 'onTimeRate', label: 'on-time rate', kind: 'pct' },
  { key: 'meanDeliveryDays', label: 'delivery days', kind: 'num' },
  { key: 'revenue', label: 'revenue', kind: 'money' },
  { key: 'grossMargin', label: 'gross margin', kind: 'money' },
  { key: 'grossMarginPct', label: 'gross margin %', kind: 'pct' },
  { key: 'shippingCost', label: 'shipping cost', kind: 'money' },
  { key: 'holdingCost', label: 'holding cost', kind: 'money' },
  { key: 'penalties', label: 'penalties', kind: 'money' },
  { key: 'contractFillRate', label: 'contract fill', kind: 'pct' },
  { key: 'contractCommitmentFillRate', label: 'contract fill (committed)', kind: 'pct' },
  { key: 'contractFillTarget', label: 'contract target', kind: 'pct' },
  { key: 'contractPeriodsMissed', label: 'contract periods missed', kind: 'int' },
  { key: 'lostSalesUnits', label: 'lost sales (units)', kind: 'int' },
  { key: 'backorderUnits', label: 'backorders (units)', kind: 'int' },
  { key: 'splitShipmentRate', label: 'split shipments', kind: 'pct' },
  { key: 'warehouseUtilisation', label: 'utilisation', kind: 'pct' },
  { key: 'manualInterventionRate', label: 'manual interventions', kind: 'pct' },
  { key: 'inventoryTurnover', label: 'inventory turns/yr', kind: 'num' },
  { key: 'meanInventoryAgeDays', label: 'inventory age (days)', kind: 'num' },
  { key: 'stockoutDays', label: 'stockout SKU-days', kind: 'int' },
];

export function formatValue(v: number, kind: 'pct' | 'money' | 'int' | 'num'): string {
  if (!Number.isFinite(v)) return String(v);
  switch (kind) {
    case 'pct':
      return `${(v * 100).toFixed(1)}%`;
    case 'money':
      return Math.round(v).toLocaleString('en-US');
    case 'int':
      return Math.round(v).toLocaleString('en-US');
    default:
      return v.toFixed(2);
  }
}

/** A plain text table: first column left-aligned, the rest right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** KPIs of several strategies side by side (one column each). */
export function kpiComparison(columns: { name: string; kpis: Kpis }[]): string {
  return textTable(
    ['KPI', ...columns.map((c) => c.name)],
    KPI_FORMAT.map((f) => [f.label, ...columns.map((c) => formatValue(c.kpis[f.key], f.kind))]),
  );
}
