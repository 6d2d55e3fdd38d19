/** Numeric dtypes of Box and their typed-array carriers. */
export const DTYPES = ['float32', 'float64', 'int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32'] as const;
export type DType = (typeof DTYPES)[number];

export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
}

export type TypedArrayOf<D extends DType> = DTypeArrayMap[D];
export type NumericArray = DTypeArrayMap[DType];

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
} as const;

export function typedArrayConstructor<D extends DType>(dtype: D): new (length: number) => TypedArrayOf<D> {
  return CONSTRUCTORS[dtype] as unknown as new (length: number) => TypedArrayOf<D>;
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Representable range of an integer dtype (floats are unbounded). */
export function dtypeRange(dtype: DType): [number, number] {
  switch (dtype) {
    case 'int8':
      return [-128, 127];
    case 'int16':
      return [-32768, 32767];
    case 'int32':
      return [-2147483648, 2147483647];
    case 'uint8':
      return [0, 255];
    case 'uint16':
      return [0, 65535];
    case 'uint32':
      return [0, 4294967295];
    default:
      return [-Infinity, Infinity];
  }
}

export function assertDType(dtype: string): asserts dtype is DType {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new TypeError(`Unknown dtype '${dtype}'; allowed: ${DTYPES.join(', ')}`);
  }
}

export function isNumericArrayLike(value: unknown): value is ArrayLike<number> {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number');
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}
