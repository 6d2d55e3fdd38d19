/**
 * Bit-level conversions between float32 and the two 16-bit float formats found in Hugging Face
 * checkpoints: IEEE 754 binary16 (F16: 1 sign, 5 exponent, 10 fraction bits) and bfloat16
 * (BF16: the top half of a float32). Pure integer arithmetic, so the results do not depend on
 * the host having `Float16Array`. Narrowing rounds to nearest, ties to even (as hardware and
 * PyTorch do); NaN stays NaN with its quiet bit, infinities and signed zeros are kept.
 */

let halfTable: Uint32Array | undefined;

/** float32 bits of every binary16 value (256 KiB, built on first use: widening is one lookup). */
function halfToFloat32Table(): Uint32Array {
  if (halfTable) return halfTable;
  halfTable = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloat32Bits(h);
  return halfTable;
}

/** The float32 bit pattern with exactly the value of the binary16 pattern `h`. */
export function halfBitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  let fraction = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (fraction << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (fraction << 13)) >>> 0;
  if (fraction === 0) return sign >>> 0;
  // Subnormal half (fraction · 2^-24): every one is a normal float32; shift the leading 1 out.
  let e = 113;
  while ((fraction & 0x400) === 0) {
    fraction <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((fraction & 0x3ff) << 13)) >>> 0;
}

/** The binary16 pattern nearest to the float32 pattern `f` (ties to even; overflow gives ±inf). */
export function float32BitsToHalfBits(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const exponent = (f >>> 23) & 0xff;
  const mantissa = f & 0x7fffff;
  if (exponent === 0xff) return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  const e = exponent - 112; // the binary16 exponent field this value would have
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Below 2^-25 everything rounds to zero (2^-25 itself is a tie that goes to the even 0).
    if (e < -10) return sign;
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    const remainder = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    let result = significand >>> shift;
    if (remainder > halfway || (remainder === halfway && (result & 1) === 1)) result++;
    return sign | result; // a carry out of the fraction lands on the smallest normal, as it should
  }
  let result = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (result & 1) === 1)) result++;
  return sign | result; // a carry into exponent 31 is +inf, the correct overflow
}

/** The bfloat16 pattern nearest to the float32 pattern `f` (ties to even). */
export function float32BitsToBFloat16Bits(f: number): number {
  if ((f & 0x7f800000) === 0x7f800000 && (f & 0x7fffff) !== 0) return ((f >>> 16) | 0x40) & 0xffff;
  const lower = f & 0xffff;
  let result = f >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (result & 1) === 1)) result++;
  return result & 0xffff;
}

/** Widen binary16 bit patterns to float32 values (exact). */
export function halfToFloat32(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array<ArrayBuffer> {
  const table = halfToFloat32Table();
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) outBits[i] = table[bits[i]];
  return out as Float32Array<ArrayBuffer>;
}

/** Widen bfloat16 bit patterns to float32 values (exact: the pattern is the float32's top half). */
export function bfloat16ToFloat32(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array<ArrayBuffer> {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  return out as Float32Array<ArrayBuffer>;
}

/** Narrow float32 values to binary16 bit patterns (round to nearest even). */
export function float32ToHalf(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array<ArrayBuffer> {
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32BitsToHalfBits(inBits[i]);
  return out as Uint16Array<ArrayBuffer>;
}

/** Narrow float32 values to bfloat16 bit patterns (round to nearest even). */
export function float32ToBFloat16(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array<ArrayBuffer> {
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32BitsToBFloat16Bits(inBits[i]);
  return out as Uint16Array<ArrayBuffer>;
}
