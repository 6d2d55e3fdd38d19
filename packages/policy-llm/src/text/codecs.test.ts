import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box, Dict, Discrete, MultiBinary, MultiDiscrete, Text, Tuple } from '@rlft/core';
import { actionCodec, formatsFor, observationCodec, parseRangesFile, readRangesFile, resolveFormat, TextFormatError } from './codecs.js';

const cartPoleObs = new Box({ low: [-4.8, -Infinity, -0.42, -Infinity], high: [4.8, Infinity, 0.42, Infinity] });
const pendulumAction = new Box({ low: -2, high: 2, shape: [1] });
const blackjackObs = new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)]);

describe('observation codecs', () => {
  it('write real observations with 5 decimals in the reference format', () => {
    const codec = observationCodec(cartPoleObs);
    expect(codec.format).toBe('reference');
    expect(codec.encode(Float32Array.from([0.01, -0.5, 0.02, 1.25]))).toBe('<observation>0.01000,-0.50000,0.02000,1.25000</observation>');
  });

  it('write integer spaces such as Blackjack as integers', () => {
    const codec = observationCodec(blackjackObs, { format: 'reference' });
    expect(codec.format).toBe('discrete');
    expect(codec.encode([14, 10, 0])).toBe('<observation>14,10,0</observation>');
    expect(observationCodec(new MultiDiscrete([3, 3, 3])).encode(Int32Array.from([0, 2, 1]))).toBe('<observation>0,2,1</observation>');
  });

  it('discretise over the Box bounds when finite, over given ranges otherwise', () => {
    const bounded = observationCodec(new Box({ low: [-1, 0], high: [1, 10] }), { format: 'discretised' });
    expect(bounded.encode([0, 10])).toBe('<observation>500,999</observation>');
    const ranged = observationCodec(cartPoleObs, { format: 'discretised', ranges: { min: [-1, -1, -1, -1], max: [1, 1, 1, 1] } });
    expect(ranged.encode([-1, 0, 1, 5])).toBe('<observation>0,500,999,999</observation>');
    expect(() => observationCodec(cartPoleObs, { format: 'discretised' })).toThrow(/unbounded in dimension\(s\) 1, 3.*ranges\.json.*to-sft/s);
    expect(() => observationCodec(cartPoleObs, { format: 'discretised', ranges: { min: [0], max: [1] } })).toThrow(/1\/1 dimensions.*has 4/);
  });

  it('pass text observations through, and the Text entries of a Dict', () => {
    expect(observationCodec(new Text(100, { charset: null })).encode('Cards: A, 3')).toBe('Cards: A, 3');
    const dict = new Dict({ prompt: new Text(50, { charset: null }), step: new Discrete(5) });
    const codec = observationCodec(dict);
    expect(codec.format).toBe('text');
    expect(codec.encode({ prompt: 'hello', step: 2 })).toBe('hello');
  });

  it('mix integers and reals in a Tuple, each written its own way', () => {
    const codec = observationCodec(new Tuple([new Box({ low: -1, high: 1, shape: [2] }), new MultiBinary(2)]));
    expect(codec.encode([Float32Array.from([0.5, -0.25]), Uint8Array.from([1, 0])])).toBe('<observation>0.50000,-0.25000,1,0</observation>');
  });
});

describe('format resolution', () => {
  it('lists the formats a space can use and refuses the others by name', () => {
    expect(formatsFor(cartPoleObs)).toEqual(['reference', 'discretised']);
    expect(formatsFor(new Discrete(2))).toEqual(['discrete', 'reference', 'discretised']);
    expect(formatsFor(new Text(10))).toEqual(['text']);
    expect(() => resolveFormat(cartPoleObs, 'discrete', 'observation')).toThrow(/'discrete' format writes integers only. Formats that can: reference, discretised/);
    expect(() => resolveFormat(cartPoleObs, 'text', 'observation')).toThrow(TextFormatError);
    expect(() => resolveFormat(new Text(10), 'discrete', 'action')).toThrow(/Formats that can: text/);
    expect(() => resolveFormat(cartPoleObs, 'binary' as never, 'observation')).toThrow(/unknown text format 'binary'; allowed: reference, discretised, discrete, text/);
  });

  it('keeps text spaces as text when a numeric format is asked for the env', () => {
    expect(resolveFormat(new Text(10), 'reference', 'action')).toBe('text');
    expect(resolveFormat(new Discrete(2), 'discretised', 'action')).toBe('discrete');
  });
});

describe('action codecs', () => {
  it('round-trip continuous actions through text', () => {
    const codec = actionCodec<Float32Array>(new Box({ low: -1, high: 1, shape: [2] }));
    const text = codec.encode(Float32Array.from([-0.12345, 0.5]));
    expect(text).toBe('<action>-0.12345,0.50000</action>');
    const decoded = codec.decode(text, 'strict');
    expect(decoded).toEqual({ ok: true, values: [-0.12345, 0.5] });
    const action = codec.toAction(decoded as { values: number[] });
    expect(action).toBeInstanceOf(Float32Array);
    expect(Array.from(action)).toEqual([Math.fround(-0.12345), 0.5]);
  });

  it('read discretised bins back to values and reject non-bins', () => {
    const codec = actionCodec(pendulumAction, { format: 'discretised' });
    expect(codec.encode(Float32Array.from([2]))).toBe('<action>999</action>');
    expect(codec.decode('<action>0</action>', 'strict')).toEqual({ ok: true, values: [-2] });
    expect(codec.decode('<action>1000</action>', 'strict')).toMatchObject({ ok: false, kind: 'not-a-bin' });
  });

  it('write and read discrete actions as integers', () => {
    const codec = actionCodec<number>(new Discrete(2));
    expect(codec.format).toBe('discrete');
    expect(codec.encode(1)).toBe('<action>1</action>');
    const decoded = codec.decode('<action>1</action>', 'strict');
    expect(codec.toAction(decoded as { values: number[] })).toBe(1);
    expect(codec.decode('<action>0.5</action>', 'strict')).toMatchObject({ ok: false, kind: 'not-an-integer' });
  });

  it('sort parse failures into kinds', () => {
    const codec = actionCodec(new Box({ low: -1, high: 1, shape: [2] }));
    expect(codec.decode('move left', 'strict')).toMatchObject({ ok: false, kind: 'missing-tag' });
    expect(codec.decode('<action>0.1</action>', 'strict')).toMatchObject({ ok: false, kind: 'wrong-dimension', reason: 'expected 2 values, found 1' });
    expect(codec.decode('<action>0.1,abc</action>', 'strict')).toMatchObject({ ok: false, kind: 'not-a-number' });
    expect(codec.decode('<action></action>', 'strict')).toMatchObject({ ok: false, kind: 'no-values' });
    expect(codec.decode('0.1, 0.2</action>', 'lenient')).toEqual({ ok: true, values: [0.1, 0.2] });
  });

  it('pass text actions through unchanged', () => {
    const codec = actionCodec<string>(new Text(200, { minLength: 0, charset: null }));
    expect(codec.format).toBe('text');
    expect(codec.encode('{"formula": "1+2"}')).toBe('{"formula": "1+2"}');
    expect(codec.decode('{"formula": "1+2"}', 'strict')).toEqual({ ok: true, text: '{"formula": "1+2"}' });
  });
});

describe('ranges files', () => {
  it('reads the file rlft dataset to-sft writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlft-ranges-'));
    try {
      const path = join(dir, 'sft.jsonl.ranges.json');
      writeFileSync(path, JSON.stringify({ bins: 1000, observation: { min: [-1, -2], max: [1, 2] }, action: null }));
      expect(readRangesFile(path)).toEqual({ observation: { min: [-1, -2], max: [1, 2] } });
      expect(() => readRangesFile(join(dir, 'missing.json'))).toThrow(/cannot read the ranges file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses malformed ranges with the expected shape', () => {
    expect(() => parseRangesFile({ bins: 1000, action: { min: [0], max: [1, 2] } })).toThrow(/"action" is not \{min: number\[\], max: number\[\]\}/);
    expect(() => parseRangesFile({ bins: 256, action: null })).toThrow(/256 bins/);
  });
});
