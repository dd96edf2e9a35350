import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Colours of strategies, in the order they are listed: the same strategy has the same colour in every chart and table. */
export const STRATEGY_COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'];

/** Shared look of every chart: plain, readable, no external fonts. */
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  // labelLimit 0: never cut a label ("rl:models/default…"); charts are sized to fit their labels.
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e5e7eb', labelLimit: 0, titleLimit: 0 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0, titleLimit: 0, orient: 'top' as const, direction: 'horizontal' as const, columns: 4 },
  header: { labelFontSize: 12, labelLimit: 0, titleFontSize: 12 },
  title: { fontSize: 13, anchor: 'start' as const, limit: 0 },
  range: { category: ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'] },
};

/**
 * Renders a Vega-Lite spec to an SVG string on the server (no browser, no
 * canvas): Vega-Lite compiles it to Vega, a headless Vega view renders SVG.
 * The SVG carries no scripts and references nothing outside itself.
 */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, background: 'white', ...spec } as TopLevelSpec;
  const compiled = compile(full).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
