/**
 * θ mapped to [−π, π) as Gymnasium's `angle_normalize`: ((x + π) mod 2π) − π with Python's
 * floored modulo, which differs from JS `%` (truncated) for negative values.
 */
export function angleNormalize(x: number): number {
  const period = 2 * Math.PI;
  let r = (x + Math.PI) % period;
  if (r < 0) r += period;
  return r - Math.PI;
}
