import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SAFETENSORS_MAX_HEADER_BYTES, parseSafetensorsHeader, SafetensorsError, tensorFromBuffer, toFloat32, addPathToError, type SafetensorsEntry, type SafetensorsTensor } from './safetensors.js';

/**
 * A safetensors file opened for reading one tensor at a time: only the header is read on open,
 * so a multi-gigabyte checkpoint can be converted tensor by tensor without holding it whole.
 * Close it (or `using file = SafetensorsFile.open(path)`) to release the file descriptor.
 */
export class SafetensorsFile implements Disposable {
  readonly path: string;
  readonly metadata: Record<string, string>;
  /** Header entries by name, in file order. */
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  private fd: number | undefined;
  private readonly dataStart: number;

  private constructor(path: string, fd: number, dataStart: number, entries: SafetensorsEntry[], metadata: Record<string, string>) {
    this.path = path;
    this.fd = fd;
    this.dataStart = dataStart;
    this.entries = new Map(entries.map((entry) => [entry.name, entry]));
    this.metadata = metadata;
  }

  static open(path: string): SafetensorsFile {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const head = readAt(fd, 0, Math.min(size, 8));
      let prefix = head;
      if (size >= 8) {
        const declared = new DataView(head.buffer).getBigUint64(0, true);
        // Only read a header that fits in the file; otherwise the parser reports the bad length.
        if (declared <= BigInt(size - 8) && declared <= BigInt(SAFETENSORS_MAX_HEADER_BYTES)) prefix = readAt(fd, 0, 8 + Number(declared));
      }
      const { headerLength, entries, metadata } = parseSafetensorsHeader(prefix, size);
      return new SafetensorsFile(path, fd, 8 + headerLength, entries, metadata);
    } catch (error) {
      closeSync(fd);
      throw addPathToError(path, error);
    }
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** Read one tensor (its own copy of the data). */
  read(name: string): SafetensorsTensor {
    const entry = this.entries.get(name);
    if (!entry) throw new SafetensorsError(`${this.path}: no tensor '${name}' (the file has ${this.entries.size}: ${abbreviateNames(this.names)})`);
    if (this.fd === undefined) throw new Error(`${this.path}: the file was closed`);
    const bytes = readAt(this.fd, this.dataStart + entry.begin, entry.end - entry.begin);
    return tensorFromBuffer(entry.dtype, [...entry.shape], bytes.buffer);
  }

  /** Read one floating-point tensor as float32 (see {@link toFloat32}). */
  readFloat32(name: string): { shape: number[]; data: Float32Array<ArrayBuffer> } {
    const tensor = this.read(name);
    try {
      return { shape: tensor.shape, data: toFloat32(tensor) };
    } catch (error) {
      throw addPathToError(this.path, error);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Exactly `length` bytes from `position` into a fresh buffer (readSync may return fewer per call). */
function readAt(fd: number, position: number, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, bytes, done, length - done, position + done);
    if (n === 0) throw new SafetensorsError(`unexpected end of file at byte ${position + done} (the file changed while being read?)`);
    done += n;
  }
  return bytes;
}

function abbreviateNames(names: string[]): string {
  return names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
}
