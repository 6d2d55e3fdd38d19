import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@rlft/core';
import { bfloat16ToFloat32, float32ToBFloat16, float32ToHalf, halfToFloat32 } from './half.js';

/*
 * The safetensors format (Hugging Face): an 8-byte little-endian u64 N, then N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } }`,
 * then one byte buffer holding every tensor's little-endian, row-major data; offsets count from
 * the start of that buffer and the tensors cover it exactly, without gaps or overlaps.
 * Typed arrays use the host's byte order, and every platform Node runs on is little-endian.
 */

/** Element types of the format; F16 and BF16 data are kept as raw bit patterns (Uint16Array). */
export type SafetensorsDtype = 'F64' | 'I64' | 'U64' | 'F32' | 'I32' | 'U32' | 'BF16' | 'F16' | 'U16' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The typed array each dtype's data lives in. */
export interface SafetensorsDataTypes {
  F64: Float64Array<ArrayBuffer>;
  I64: BigInt64Array<ArrayBuffer>;
  U64: BigUint64Array<ArrayBuffer>;
  F32: Float32Array<ArrayBuffer>;
  I32: Int32Array<ArrayBuffer>;
  U32: Uint32Array<ArrayBuffer>;
  BF16: Uint16Array<ArrayBuffer>;
  F16: Uint16Array<ArrayBuffer>;
  U16: Uint16Array<ArrayBuffer>;
  I16: Int16Array<ArrayBuffer>;
  I8: Int8Array<ArrayBuffer>;
  U8: Uint8Array<ArrayBuffer>;
  /** One byte per element, 0 or 1. */
  BOOL: Uint8Array<ArrayBuffer>;
}

/** One tensor of a safetensors file; `data` is row-major with `shape`'s product elements. */
export type SafetensorsTensor = { [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: SafetensorsDataTypes[D] } }[SafetensorsDtype];

type TypedArrayConstructor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): SafetensorsDataTypes[SafetensorsDtype];
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

/**
 * Per dtype: its typed array and its rank in the reference writer's ordering. The reference
 * (the Rust `safetensors` crate behind the Python package) lays tensors out by descending rank
 * of its `Dtype` enum, then by name, so that every tensor starts aligned to its element size.
 */
const DTYPES: Record<SafetensorsDtype, { array: TypedArrayConstructor; rank: number }> = {
  BOOL: { array: Uint8Array, rank: 0 },
  U8: { array: Uint8Array, rank: 1 },
  I8: { array: Int8Array, rank: 2 },
  I16: { array: Int16Array, rank: 3 },
  U16: { array: Uint16Array, rank: 4 },
  F16: { array: Uint16Array, rank: 5 },
  BF16: { array: Uint16Array, rank: 6 },
  I32: { array: Int32Array, rank: 7 },
  U32: { array: Uint32Array, rank: 8 },
  F32: { array: Float32Array, rank: 9 },
  F64: { array: Float64Array, rank: 10 },
  I64: { array: BigInt64Array, rank: 11 },
  U64: { array: BigUint64Array, rank: 12 },
};

export const SAFETENSORS_DTYPES = Object.keys(DTYPES) as SafetensorsDtype[];

/** The reference reader refuses headers above 100 MB; a larger length means a damaged file. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

/** Bytes per element of `dtype`. */
export function dtypeSize(dtype: SafetensorsDtype): number {
  return DTYPES[dtype].array.BYTES_PER_ELEMENT;
}

/** A tensor's data: `buffer` (whole, little-endian) viewed as `dtype`'s typed array. */
export function tensorFromBuffer(dtype: SafetensorsDtype, shape: number[], buffer: ArrayBuffer): SafetensorsTensor {
  return { dtype, shape, data: new DTYPES[dtype].array(buffer) } as SafetensorsTensor;
}

/** Where a tensor lives in a file: what the header says about it. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets into the data buffer (after the header), end exclusive. */
  begin: number;
  end: number;
}

/**
 * Serialise tensors to the bytes the reference writer produces for the same input: tensors
 * ordered by dtype (widest first) then name, header padded with spaces to a multiple of 8.
 */
export function writeSafetensors(tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const named = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  for (const [name, tensor] of named) checkTensor(name, tensor);
  named.sort(([nameA, a], [nameB, b]) => DTYPES[b.dtype].rank - DTYPES[a.dtype].rank || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0));

  // Written by hand, not JSON.stringify of an object: JS objects move integer-like keys ("0")
  // to the front, which would break the order the offsets rely on.
  const fields: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new SafetensorsError(`Metadata '${key}' must be a string (safetensors metadata maps strings to strings), got ${typeof value}`);
    }
    fields.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [name, tensor] of named) {
    const end = offset + tensor.data.byteLength;
    fields.push(`${JSON.stringify(name)}:{"dtype":"${tensor.dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const bytes = new Uint8Array(8 + headerLength + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const [, tensor] of named) {
    bytes.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  return bytes;
}

/** Parse a whole safetensors file held in memory; tensors come back in file order, each with its own copy of the data. */
export function readSafetensors(bytes: Uint8Array): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  const { headerLength, entries, metadata } = parseSafetensorsHeader(bytes, bytes.length);
  const tensors = new Map<string, SafetensorsTensor>();
  const dataStart = bytes.byteOffset + 8 + headerLength;
  for (const entry of entries) {
    // slice() copies into a fresh, aligned buffer (the input may sit at any byte offset).
    const buffer = bytes.buffer.slice(dataStart + entry.begin, dataStart + entry.end) as ArrayBuffer;
    tensors.set(entry.name, tensorFromBuffer(entry.dtype, entry.shape, buffer));
  }
  return { tensors, metadata };
}

/**
 * Read and validate the header. `prefix` holds at least the first 8 bytes (and the header, when
 * its length fits); `fileLength` is the size of the whole file. Entries come sorted by offset.
 */
export function parseSafetensorsHeader(
  prefix: Uint8Array,
  fileLength: number,
): { headerLength: number; entries: SafetensorsEntry[]; metadata: Record<string, string> } {
  if (fileLength < 8) throw new SafetensorsError(`File of ${fileLength} bytes is too short for a safetensors file (it starts with an 8-byte header length)`);
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(fileLength - 8)) {
    throw new SafetensorsError(`Header length ${declared} runs past the end of the file (${fileLength} bytes); the file is truncated or not safetensors`);
  }
  const headerLength = Number(declared);
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) throw new SafetensorsError(`Header length ${headerLength} exceeds the format's limit of ${SAFETENSORS_MAX_HEADER_BYTES} bytes`);
  if (prefix.length < 8 + headerLength) throw new RangeError(`parseSafetensorsHeader needs the first ${8 + headerLength} bytes, got ${prefix.length}`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsError('Header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`Header is not valid JSON (${(error as Error).message}): ${abbreviate(text)}`);
  }
  if (!isPlainObject(header)) throw new SafetensorsError(`Header must be a JSON object of tensors, got ${abbreviate(text)}`);

  const metadata = parseMetadata(header.__metadata__);
  const entries: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(parseEntry(name, info));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);

  const bufferLength = fileLength - 8 - headerLength;
  let expectedBegin = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.end > bufferLength) {
      throw new SafetensorsError(`Tensor '${entry.name}': data_offsets [${entry.begin}, ${entry.end}] run past the data buffer (${bufferLength} bytes); the file is truncated`);
    }
    if (entry.begin < expectedBegin) {
      throw new SafetensorsError(`Tensor '${entry.name}': data_offsets [${entry.begin}, ${entry.end}] overlap tensor '${entries[i - 1].name}' (which ends at ${expectedBegin})`);
    }
    if (entry.begin > expectedBegin) {
      throw new SafetensorsError(`Tensor '${entry.name}': data_offsets [${entry.begin}, ${entry.end}] leave a gap after byte ${expectedBegin}; tensors must cover the data buffer contiguously`);
    }
    expectedBegin = entry.end;
  }
  if (expectedBegin !== bufferLength) {
    throw new SafetensorsError(`The tensors cover ${expectedBegin} bytes but the data buffer holds ${bufferLength}; the header does not describe the whole file`);
  }
  return { headerLength, entries, metadata };
}

function parseEntry(name: string, info: unknown): SafetensorsEntry {
  const problem = (what: string) => new SafetensorsError(`Tensor '${name}': ${what}`);
  if (!isPlainObject(info)) throw problem(`expected { dtype, shape, data_offsets }, got ${JSON.stringify(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (!isSafetensorsDtype(dtype)) throw problem(`unknown dtype ${JSON.stringify(dtype)}; supported: ${SAFETENSORS_DTYPES.join(', ')}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw problem(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw problem(`data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const expectedBytes = shape.reduce((n: number, d: number) => n * d, 1) * dtypeSize(dtype);
  if (end - begin !== expectedBytes) {
    throw problem(`data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} of shape [${shape.join(', ')}] needs ${expectedBytes}`);
  }
  return { name, dtype, shape: [...shape], begin, end };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new SafetensorsError(`__metadata__ must be an object of strings, got ${JSON.stringify(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ '${key}' must be a string, got ${JSON.stringify(v)}`);
  }
  return { ...(value as Record<string, string>) };
}

function checkTensor(name: string, tensor: SafetensorsTensor): void {
  if (name === '__metadata__') throw new SafetensorsError(`'__metadata__' is reserved for the file's metadata and cannot name a tensor`);
  if (!isSafetensorsDtype(tensor.dtype)) throw new SafetensorsError(`Tensor '${name}': unknown dtype ${JSON.stringify(tensor.dtype)}; supported: ${SAFETENSORS_DTYPES.join(', ')}`);
  const expected = DTYPES[tensor.dtype].array.name;
  // The tag, not instanceof: it also accepts arrays made in another realm (vm, workers) and Buffers.
  const actual = ArrayBuffer.isView(tensor.data) ? (tensor.data as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] : typeof tensor.data;
  if (actual !== expected) throw new SafetensorsError(`Tensor '${name}': ${tensor.dtype} data must be a ${expected}, got ${actual}`);
  if (!Array.isArray(tensor.shape) || !tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`Tensor '${name}': shape must be a list of non-negative integers, got ${JSON.stringify(tensor.shape)}`);
  }
  const elements = tensor.shape.reduce((n, d) => n * d, 1);
  if (tensor.data.length !== elements) {
    throw new SafetensorsError(`Tensor '${name}': shape [${tensor.shape.join(', ')}] has ${elements} elements but the data has ${tensor.data.length}`);
  }
}

/**
 * The values of a floating-point tensor as float32: F16 and BF16 widen exactly, F64 rounds to
 * nearest. An F32 tensor's own array is returned, not a copy.
 */
export function toFloat32(tensor: SafetensorsTensor): Float32Array<ArrayBuffer> {
  switch (tensor.dtype) {
    case 'F32':
      return tensor.data;
    case 'F64':
      return Float32Array.from(tensor.data);
    case 'F16':
      return halfToFloat32(tensor.data);
    case 'BF16':
      return bfloat16ToFloat32(tensor.data);
    default:
      throw new SafetensorsError(`toFloat32 converts floating-point tensors (F32, F64, F16, BF16); this one is ${tensor.dtype}`);
  }
}

/** A tensor of the given float dtype from float32 values (F16 and BF16 round to nearest even). */
export function fromFloat32(values: Float32Array<ArrayBuffer>, shape: number[], dtype: 'F32' | 'F64' | 'F16' | 'BF16' = 'F32'): SafetensorsTensor {
  switch (dtype) {
    case 'F32':
      return { dtype, shape, data: values };
    case 'F64':
      return { dtype, shape, data: Float64Array.from(values) };
    case 'F16':
      return { dtype, shape, data: float32ToHalf(values) };
    case 'BF16':
      return { dtype, shape, data: float32ToBFloat16(values) };
    default:
      throw new SafetensorsError(`fromFloat32 writes F32, F64, F16 or BF16, not ${String(dtype)}`);
  }
}

/** Read a safetensors file; errors name the file. */
export function readSafetensorsFile(path: string): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  const bytes = readFileSync(path);
  try {
    return readSafetensors(bytes);
  } catch (error) {
    throw addPathToError(path, error);
  }
}

/** Write a safetensors file atomically (readers see the old file or the complete new one). */
export function writeSafetensorsFile(
  path: string,
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, writeSafetensors(tensors, metadata));
}

/** Prefix a format error with the file it came from. */
export function addPathToError(path: string, error: unknown): unknown {
  return error instanceof SafetensorsError ? new SafetensorsError(`${path}: ${error.message}`, { cause: error }) : error;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function abbreviate(text: string): string {
  return text.length > 120 ? `${JSON.stringify(text.slice(0, 120))}…` : JSON.stringify(text);
}
