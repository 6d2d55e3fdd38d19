import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromFloat32, readSafetensors, readSafetensorsFile, toFloat32, writeSafetensors, writeSafetensorsFile, type SafetensorsTensor } from './safetensors.js';
import { SafetensorsFile } from './safetensors-file.js';

const scratch = mkdtempSync(join(tmpdir(), 'rlft-safetensors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ascii = (text: string) => new TextEncoder().encode(text);
const hex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (pair) => parseInt(pair, 16));
const u64 = (n: number) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
  return bytes;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};
/** A file with this exact header text (no padding added) and data buffer. */
const fileWith = (header: string, data = new Uint8Array(0)) => concat(u64(ascii(header).length), ascii(header), data);

describe('writeSafetensors: the bytes the reference (Python/Rust safetensors) writer produces', () => {
  it('one F32 tensor: length, compact JSON padded with spaces to a multiple of 8, raw little-endian data', () => {
    const bytes = writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}'; // 65 bytes → 72
    expect(bytes).toEqual(
      concat(hex('48 00 00 00 00 00 00 00'), ascii(header), ascii('       '), hex('00000000 0000803f 00000040 00004040 00008040 0000a040')),
    );
  });

  it('no tensors, with and without metadata', () => {
    expect(writeSafetensors({})).toEqual(concat(u64(8), ascii('{}      ')));
    expect(writeSafetensors(new Map(), { framework: 'pt' })).toEqual(concat(u64(40), ascii('{"__metadata__":{"framework":"pt"}}     ')));
  });

  it('orders tensors by dtype (widest first, the crate enum order) then by name, whatever the input order', () => {
    const tensors: Record<string, SafetensorsTensor> = {
      valid: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
      weight: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) }, // 1, -2
      bias: { dtype: 'F64', shape: [1], data: new Float64Array([0.5]) },
      step: { dtype: 'I64', shape: [], data: new BigInt64Array([7n]) },
    };
    const header =
      '{"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},' +
      '"bias":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
      '"weight":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},' +
      '"valid":{"dtype":"BOOL","shape":[3],"data_offsets":[20,23]}}'; // 233 bytes → 240
    const expected = concat(
      hex('f0 00 00 00 00 00 00 00'),
      ascii(header),
      ascii('       '),
      hex('0700000000000000 000000000000e03f 003c 00c0 010001'),
    );
    expect(writeSafetensors(tensors)).toEqual(expected);
    expect(writeSafetensors(new Map(Object.entries(tensors).reverse()))).toEqual(expected);
  });
});

describe('readSafetensors', () => {
  const everyDtype: Record<string, SafetensorsTensor> = {
    f64: { dtype: 'F64', shape: [2, 2], data: new Float64Array([Math.PI, -0, Number.MAX_VALUE, -Infinity]) },
    i64: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -1n]) },
    u64: { dtype: 'U64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    f32: { dtype: 'F32', shape: [3], data: new Float32Array([1.5, NaN, -3.4028234663852886e38]) },
    i32: { dtype: 'I32', shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
    u32: { dtype: 'U32', shape: [1], data: new Uint32Array([2 ** 32 - 1]) },
    bf16: { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xff80]) },
    f16: { dtype: 'F16', shape: [1, 2], data: new Uint16Array([0x0001, 0x7bff]) },
    u16: { dtype: 'U16', shape: [1], data: new Uint16Array([65535]) },
    i16: { dtype: 'I16', shape: [2], data: new Int16Array([-32768, 32767]) },
    i8: { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
    u8: { dtype: 'U8', shape: [2, 1], data: new Uint8Array([0, 255]) },
    bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 1, 0]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    scalar: { dtype: 'F32', shape: [], data: new Float32Array([42]) },
  };

  it('round-trips every dtype, its values and metadata exactly', () => {
    const bytes = writeSafetensors(everyDtype, { format: 'pt', note: 'ünïcode ✓' });
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode ✓' });
    expect(new Set(tensors.keys())).toEqual(new Set(Object.keys(everyDtype)));
    for (const [name, tensor] of Object.entries(everyDtype)) {
      const read = tensors.get(name)!;
      expect(read.dtype).toBe(tensor.dtype);
      expect(read.shape).toEqual(tensor.shape);
      expect(read.data.constructor).toBe(tensor.data.constructor);
      // Compare bytes: this also covers NaN and −0, which value equality would blur.
      expect(new Uint8Array(read.data.buffer, read.data.byteOffset, read.data.byteLength)).toEqual(
        new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
      );
    }
    expect(readSafetensors(bytes).tensors.get('scalar')!.data).toEqual(new Float32Array([42]));
  });

  it('returns tensors in file order, keeps integer-like and non-ASCII names, and needs no alignment from its input', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      ['b', { dtype: 'F32', shape: [1], data: new Float32Array([2]) }],
      ['10', { dtype: 'F32', shape: [1], data: new Float32Array([10]) }],
      ['2', { dtype: 'F32', shape: [1], data: new Float32Array([3]) }],
      ['α"β', { dtype: 'F32', shape: [1], data: new Float32Array([4]) }],
    ]);
    const bytes = writeSafetensors(tensors);
    // The same bytes three positions into a larger buffer, as a pooled Node Buffer may be.
    const shifted = new Uint8Array(bytes.length + 3).subarray(3);
    shifted.set(bytes);
    const read = readSafetensors(shifted).tensors;
    expect([...read.keys()]).toEqual(['10', '2', 'b', 'α"β']);
    expect([...read.values()].map((t) => (t.data as Float32Array)[0])).toEqual([10, 3, 2, 4]);
    // Each tensor owns its data: changing the input afterwards changes nothing.
    shifted.fill(0);
    expect((read.get('b')!.data as Float32Array)[0]).toBe(2);
  });

  it('reads a file whose header has no padding and lists tensors out of offset order (older writers)', () => {
    const header = '{"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}';
    const { tensors, metadata } = readSafetensors(fileWith(header, hex('ff7f 05')));
    expect(metadata).toEqual({});
    expect([...tensors.keys()]).toEqual(['a', 'b']);
    expect(tensors.get('a')!.data).toEqual(new Int16Array([32767]));
    expect(tensors.get('b')!.data).toEqual(new Uint8Array([5]));
  });
});

describe('safetensors errors name the problem and the tensor', () => {
  const valid = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const cases: [string, Uint8Array, RegExp][] = [
    ['a file shorter than the length field', new Uint8Array(5), /5 bytes is too short/],
    ['a header length beyond the file', concat(u64(1000), ascii(valid)), /Header length 1000 runs past the end of the file \(62 bytes\)/],
    ['a header length of 2^64 − 1', concat(hex('ffffffffffffffff'), ascii('{}')), /Header length 18446744073709551615 runs past the end/],
    ['header text that is not JSON', fileWith('{"w":{"dtype":'), /Header is not valid JSON/],
    ['header bytes that are not UTF-8', fileWith('{}').map((b, i) => (i === 8 ? 0xff : b)), /not valid UTF-8/],
    ['a header that is not an object', fileWith('[1,2]'), /must be a JSON object/],
    ['an unknown dtype', fileWith('{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', new Uint8Array(2)), /Tensor 'w': unknown dtype "F8_E4M3"; supported: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64$/],
    ['a bad shape', fileWith('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4)), /Tensor 'w': shape must be a list of non-negative integers/],
    ['offsets that do not match dtype × shape', fileWith('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)), /Tensor 'w': data_offsets \[0, 8\] span 8 bytes, but F32 of shape \[3\] needs 12/],
    ['reversed offsets', fileWith('{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}'), /Tensor 'w': data_offsets must be \[begin, end\] with 0 ≤ begin ≤ end/],
    ['offsets past the buffer', fileWith(valid, new Uint8Array(4)), /Tensor 'w': data_offsets \[0, 8\] run past the data buffer \(4 bytes\)/],
    [
      'overlapping tensors',
      fileWith('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)),
      /Tensor 'b': data_offsets \[4, 8\] overlap tensor 'a'/,
    ],
    ['a gap between tensors', fileWith('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)), /Tensor 'a': data_offsets \[4, 8\] leave a gap after byte 0/],
    ['bytes no tensor covers', fileWith(valid, new Uint8Array(12)), /cover 8 bytes but the data buffer holds 12/],
    ['non-string metadata', fileWith('{"__metadata__":{"epoch":3}}'), /__metadata__ 'epoch' must be a string/],
  ];
  it.each(cases)('rejects %s', (_what, bytes, message) => {
    expect(() => readSafetensors(bytes)).toThrow(message);
  });

  it('refuses to write what it could not read back', () => {
    const f32 = (data: Float32Array<ArrayBuffer>, shape = [data.length]): SafetensorsTensor => ({ dtype: 'F32', shape, data });
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float64Array(2) } as never })).toThrow("Tensor 'w': F32 data must be a Float32Array, got Float64Array");
    expect(() => writeSafetensors({ w: { dtype: 'F16', shape: [2], data: new Float32Array(2) } as never })).toThrow("Tensor 'w': F16 data must be a Uint16Array, got Float32Array");
    expect(() => writeSafetensors({ w: { dtype: 'Q4', shape: [1], data: new Uint8Array(1) } as never })).toThrow(/Tensor 'w': unknown dtype "Q4"/);
    expect(() => writeSafetensors({ w: f32(new Float32Array(6), [2, 2]) })).toThrow("Tensor 'w': shape [2, 2] has 4 elements but the data has 6");
    expect(() => writeSafetensors({ w: f32(new Float32Array(1), [1.5]) })).toThrow(/shape must be a list of non-negative integers/);
    expect(() => writeSafetensors({ __metadata__: f32(new Float32Array(1)) })).toThrow(/reserved/);
    expect(() => writeSafetensors({}, { epoch: 3 as unknown as string })).toThrow("Metadata 'epoch' must be a string");
  });
});

describe('float conversions', () => {
  const f16 = (bits: number[]) => toFloat32({ dtype: 'F16', shape: [bits.length], data: new Uint16Array(bits) });
  const bf16 = (bits: number[]) => toFloat32({ dtype: 'BF16', shape: [bits.length], data: new Uint16Array(bits) });
  // Read bits from the array itself: a NaN read into a JS number may come back quieted.
  const f32Bits = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
  const narrow = (values: number[], dtype: 'F16' | 'BF16') => Array.from(fromFloat32(new Float32Array(values), [values.length], dtype).data as Uint16Array);

  it('widens F16 bit patterns: normals, subnormals, zeros, infinities, NaN', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x3bff, 0.99951171875],
      [0x7bff, 65504], // largest finite
      [0x0400, 2 ** -14], // smallest normal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x8001, -(2 ** -24)],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    expect(Array.from(f16(cases.map(([bits]) => bits)))).toEqual(cases.map(([, value]) => value));
    expect(Object.is(f16([0x8000])[0], -0)).toBe(true);
    // NaNs stay NaN, quiet or signalling, and keep their payload and sign.
    expect(f32Bits(f16([0x7e00, 0x7c01, 0xfe01]))).toEqual([0x7fc00000, 0x7f802000, 0xffc02000]);
  });

  it('widens BF16 bit patterns exactly (the top half of a float32)', () => {
    expect(Array.from(bf16([0x3f80, 0xc000, 0x3eab, 0x7f7f, 0x0080, 0x0001, 0x7f80, 0xff80]))).toEqual([
      1,
      -2,
      0.333984375,
      3.3895313892515355e38,
      2 ** -126,
      2 ** -133, // a float32 subnormal
      Infinity,
      -Infinity,
    ]);
    expect(Object.is(bf16([0x8000])[0], -0)).toBe(true);
    expect(f32Bits(bf16([0x7fc0, 0xff81]))).toEqual([0x7fc00000, 0xff810000]);
  });

  it('narrows float32 to F16 rounding to nearest, ties to even', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [1 / 3, 0x3555],
      [1 + 2 ** -11, 0x3c00], // tie, even neighbour below
      [1 + 3 * 2 ** -11, 0x3c02], // tie, even neighbour above
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just past the tie
      [65504, 0x7bff],
      [65519, 0x7bff],
      [65520, 0x7c00], // tie between 65504 and 2^16: rounds to the even one, infinity
      [1e6, 0x7c00],
      [-1e6, 0xfc00],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000], // tie with zero
      [2 ** -25 * 1.0000001, 0x0001],
      [3 * 2 ** -25, 0x0002], // tie between subnormals 1 and 2
      [2 ** -14 - 2 ** -25, 0x0400], // tie that carries into the smallest normal
      [1e-8, 0x0000],
      [-0, 0x8000],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
    ];
    expect(narrow(cases.map(([value]) => value), 'F16').map((b) => b.toString(16))).toEqual(cases.map(([, bits]) => bits.toString(16)));
    const [nan] = narrow([NaN], 'F16');
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('narrows float32 to BF16 rounding to nearest, ties to even', () => {
    const fromBits = (bits: number[]) => Array.from(new Float32Array(new Uint32Array(bits).buffer));
    const cases: [number, number][] = [
      [0x3f800000, 0x3f80],
      [0x3f808000, 0x3f80], // tie, stays even
      [0x3f818000, 0x3f82], // tie, rounds up to even
      [0x3f808001, 0x3f81],
      [0x3f807fff, 0x3f80],
      [0x7f7fffff, 0x7f80], // largest float32 rounds to infinity
      [0xff7fffff, 0xff80],
      [0x00008000, 0x0000], // subnormal tie with zero
      [0x00018000, 0x0002],
      [0x80000000, 0x8000],
      [0x7f800000, 0x7f80],
    ];
    expect(narrow(fromBits(cases.map(([bits]) => bits)), 'BF16').map((b) => b.toString(16))).toEqual(cases.map(([, bits]) => bits.toString(16)));
    // A signalling NaN whose payload sits in the low half must not become infinity.
    expect(narrow(fromBits([0x7f800001]), 'BF16')).toEqual([0x7fc0]);
  });

  const Float16 = (globalThis as { Float16Array?: new (buffer: ArrayBufferLike) => ArrayLike<number> & { buffer: ArrayBufferLike } }).Float16Array;
  it.runIf(Float16)('agrees with the platform Float16Array on all 65,536 patterns and on every rounding boundary', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const widened = f16(Array.from(all));
    const platform = new Float16(all.buffer);
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(platform[i])) expect(widened[i]).toBeNaN();
      else expect(Object.is(widened[i], platform[i]) || widened[i] === platform[i]).toBe(true);
    }
    // Float32 values at, just below and just above every midpoint between neighbouring halves.
    const probes: number[] = [];
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    for (let h = 0; h < 0x7c00; h++) {
      const midpoint = (widened[h] + (h === 0x7bff ? 65536 : widened[h + 1])) / 2;
      asFloat[0] = midpoint;
      for (const delta of [-1, 0, 1]) {
        bits[0] += delta;
        probes.push(asFloat[0], -asFloat[0]);
        bits[0] -= delta;
      }
    }
    const ours = narrow(probes, 'F16');
    const expected = new Uint16Array(probes.length);
    const platformNarrowed = new Float16(expected.buffer) as unknown as number[];
    for (let i = 0; i < probes.length; i++) platformNarrowed[i] = probes[i];
    let mismatches = 0;
    for (let i = 0; i < probes.length; i++) if (ours[i] !== expected[i]) mismatches++;
    expect(probes.length).toBe(0x7c00 * 6);
    expect(mismatches).toBe(0);
  });

  it('converts F64 to float32 by rounding, returns F32 data as is, and refuses integer tensors', () => {
    expect(toFloat32({ dtype: 'F64', shape: [2], data: new Float64Array([0.1, 1e300]) })).toEqual(new Float32Array([0.1, Infinity]));
    const data = new Float32Array([1, 2]);
    expect(toFloat32({ dtype: 'F32', shape: [2], data })).toBe(data);
    expect(() => toFloat32({ dtype: 'I32', shape: [1], data: new Int32Array(1) })).toThrow('toFloat32 converts floating-point tensors (F32, F64, F16, BF16); this one is I32');
  });
});

describe('safetensors files', () => {
  it('writes atomically and reads back, naming the file in errors', () => {
    const path = join(scratch, 'model.safetensors');
    writeSafetensorsFile(path, { w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } }, { step: '3' });
    writeSafetensorsFile(path, { w: { dtype: 'F32', shape: [2], data: new Float32Array([3, 4]) } }, { step: '4' });
    expect(readdirSync(scratch)).toEqual(['model.safetensors']);
    const { tensors, metadata } = readSafetensorsFile(path);
    expect(metadata).toEqual({ step: '4' });
    expect(tensors.get('w')!.data).toEqual(new Float32Array([3, 4]));

    const broken = join(scratch, 'broken.safetensors');
    writeFileSync(broken, readFileSync(path).subarray(0, 40));
    expect(() => readSafetensorsFile(broken)).toThrow(`${broken}: Header length`);
    rmSync(broken);
  });

  it('opens a file lazily and reads one tensor at a time', () => {
    const path = join(scratch, 'lazy.safetensors');
    writeSafetensorsFile(path, {
      'layers.0.weight': fromFloat32(new Float32Array([1, -2, 0.5, 3]), [2, 2], 'BF16'),
      'layers.0.bias': fromFloat32(new Float32Array([0.25, 65504]), [2], 'F16'),
      ids: { dtype: 'I64', shape: [2], data: new BigInt64Array([5n, -6n]) },
    });
    using file = SafetensorsFile.open(path);
    expect(file.names).toEqual(['ids', 'layers.0.weight', 'layers.0.bias']); // I64, BF16, F16
    expect(file.entries.get('layers.0.weight')).toMatchObject({ dtype: 'BF16', shape: [2, 2] });
    expect(file.readFloat32('layers.0.weight')).toEqual({ shape: [2, 2], data: new Float32Array([1, -2, 0.5, 3]) });
    expect(file.readFloat32('layers.0.bias').data).toEqual(new Float32Array([0.25, 65504]));
    expect(file.read('ids').data).toEqual(new BigInt64Array([5n, -6n]));
    expect(() => file.read('layers.1.weight')).toThrow(`${path}: no tensor 'layers.1.weight' (the file has 3: ids, layers.0.weight, layers.0.bias)`);
    expect(() => file.readFloat32('ids')).toThrow(`${path}: toFloat32 converts floating-point tensors`);
    file.close();
    expect(() => file.read('ids')).toThrow('was closed');

    const truncated = join(scratch, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(path).subarray(0, 100));
    expect(() => SafetensorsFile.open(truncated)).toThrow(`${truncated}: Header length`);
    const tiny = join(scratch, 'tiny.safetensors');
    writeFileSync(tiny, new Uint8Array(3));
    expect(() => SafetensorsFile.open(tiny)).toThrow(`${tiny}: File of 3 bytes is too short`);
  });
});
