/**
 * The report's one way of writing numbers: money as "$2.30 M", "$13.0 k" or
 * "$3,854"; counts with thousands separators; the same rules inside the charts
 * (as a Vega expression) as in the text.
 */

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

/** The symbol written before amounts: "$" for USD, else the code and a space ("CHF "). */
export function currencySymbol(currency: string): string {
  return SYMBOLS[currency] ?? `${currency} `;
}

const thousands = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "1,234": a count, rounded, with thousands separators. */
export function formatNumber(v: number): string {
  return thousands.format(Math.round(v)).replace('-', '−');
}

/** "$2.30 M", "$13.0 k", "$3,854", "−$1.20 M". */
export function formatMoney(v: number, currency: string): string {
  const sym = currencySymbol(currency);
  const a = Math.abs(v);
  const sign = v < 0 && a >= 0.5 ? '−' : '';
  if (a >= 1e6) return `${sign}${sym}${(a / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${sign}${sym}${(a / 1e3).toFixed(1)} k`;
  return `${sign}${sym}${thousands.format(Math.round(a))}`;
}

/** A Vega expression that formats `datum.value` (axis labels) as `formatMoney` does. */
export function moneyLabelExpr(currency: string): string {
  const sym = JSON.stringify(currencySymbol(currency));
  const a = 'abs(datum.value)';
  const sign = "(datum.value < 0 ? '−' : '')";
  return `${sign} + ${sym} + (${a} >= 1e6 ? format(${a} / 1e6, '.2f') + ' M' : ${a} >= 1e4 ? format(${a} / 1e3, '.1f') + ' k' : format(${a}, ',.0f'))`;
}
