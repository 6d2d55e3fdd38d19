/** A number for a table: fixed decimals for ordinary magnitudes, exponent form for tiny or huge ones. */
export function formatNumber(value: number, digits = 2): string {
  if (Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e7 || magnitude < 10 ** -digits)) return value.toExponential(digits);
  return value.toFixed(digits);
}

/** A logged metric: integers (counts, steps, discrete actions) as they are, other numbers with 4 decimals. */
export function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : formatNumber(value, 4);
}
