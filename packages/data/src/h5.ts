import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import h5wasm from 'h5wasm/node';
import type { Dataset as H5Dataset, File as H5File, Group as H5Group } from 'h5wasm/node';
import { DatasetError } from './errors.js';

export type { H5Dataset, H5File, H5Group };

/** h5wasm's module, initialised once (the wasm binary loads asynchronously). */
export async function loadH5(): Promise<typeof h5wasm> {
  await h5wasm.ready;
  return h5wasm;
}

/**
 * The HDF5 signature every HDF5 file starts with (at offset 0 for files rlft and h5py write).
 * Checked before h5wasm opens the file, so a non-HDF5 file gets a plain message.
 */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Open an HDF5 file for reading, with errors that name the file and say what is wrong. */
export async function openH5ForReading(path: string): Promise<H5File> {
  if (!existsSync(path)) throw new DatasetError(path, 'file not found; a Minari dataset keeps its episodes in data/main_data.hdf5');
  const size = statSync(path).size;
  if (size < HDF5_SIGNATURE.length) throw new DatasetError(path, `not an HDF5 file (only ${size} bytes)`);
  const head = new Uint8Array(HDF5_SIGNATURE.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!HDF5_SIGNATURE.every((byte, i) => head[i] === byte)) {
    throw new DatasetError(path, 'not an HDF5 file (the HDF5 signature is missing from its first bytes)');
  }
  const expected = superblockEndOfFile(path);
  if (expected !== undefined && expected > size) {
    throw new DatasetError(path, `truncated HDF5 file: ${size} bytes on disk, its superblock records ${expected}`);
  }
  const h5 = await loadH5();
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (error) {
    throw new DatasetError(path, `cannot be opened as HDF5 (corrupt or truncated file): ${String(error)}`, { cause: error });
  }
  if (!file.file_id || file.file_id < 0n) {
    throw new DatasetError(path, 'cannot be opened as HDF5 (corrupt or truncated file)');
  }
  return file;
}

/**
 * The end-of-file address the superblock records (HDF5 file format spec, superblock versions
 * 0–3), or undefined when it cannot be read. HDF5 refuses a file shorter than this; checking it
 * here gives a plain message instead of the library's error stack.
 */
function superblockEndOfFile(path: string): number | undefined {
  const bytes = new Uint8Array(96);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(fd);
  }
  const version = bytes[8];
  let offsetSize: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    // signature, versions, sizes, B-tree K values, flags (24 bytes; v1 adds 4), then the base,
    // free-space and end-of-file addresses.
    offsetSize = bytes[13];
    eofAt = 24 + (version === 1 ? 4 : 0) + 2 * offsetSize;
  } else if (version === 2 || version === 3) {
    // signature, version, sizes, flags (12 bytes), then base, extension and end-of-file addresses.
    offsetSize = bytes[9];
    eofAt = 12 + 2 * offsetSize;
  } else {
    return undefined;
  }
  if (offsetSize < 1 || offsetSize > 8 || eofAt + offsetSize > read) return undefined;
  const base = readAddress(bytes, eofAt - 2 * offsetSize, offsetSize);
  const end = readAddress(bytes, eofAt, offsetSize);
  return base === undefined || end === undefined ? undefined : base + end;
}

/** Little-endian unsigned address; undefined for the all-ones "undefined address" or beyond 2^53. */
function readAddress(bytes: Uint8Array, at: number, size: number): number | undefined {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
  if (value === (1n << BigInt(8 * size)) - 1n || value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(value);
}
