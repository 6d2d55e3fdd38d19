import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete, Rng } from '@rlft/core';
import { initEngine } from '@rlft/nn';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, perturbedTensors } from './fixtures/helpers.js';
import { HostMlp } from './host-mlp.js';
import { ObservationNormalization, obsRmsTensors } from './obs-normalization.js';
import { exportOnnx } from './onnx/export.js';
import { ONNX_IR_VERSION, ONNX_OPSET, ONNX_POLICY_METADATA_KEY } from './onnx/graph.js';
import { ModelProto, readOnnxMetadata } from './onnx/schema.js';
import { OnnxPolicy } from './onnx-policy.js';
import { mlpSpecFor, type MlpPolicySpec } from './spec.js';

let dir: string;
beforeAll(async () => {
  await initEngine('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rlft-onnx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const obsSpace = () => new Box({ low: -10, high: 10, shape: [4] });
const cases: [string, () => MlpPolicySpec][] = [
  ['discrete', () => mlpSpecFor(obsSpace(), new Discrete(3))],
  ['discrete with start and normalisation', () => mlpSpecFor(obsSpace(), new Discrete(3, { start: -1 }), { obsNormalization: { clip: 2 } })],
  ['continuous', () => mlpSpecFor(obsSpace(), new Box({ low: [-1, 0], high: [1, 0.5] }), { activation: 'relu', criticHidden: null })],
  ['continuous with normalisation', () => mlpSpecFor(obsSpace(), new Box({ low: [-1, 0], high: [1, 0.5] }), { actorHidden: [16], obsNormalization: true })],
];

/** Observation statistics far from 0/1, so that normalisation (and its clip) changes the outputs. */
const statistics = { mean: [1, -2, 0.5, 3], var: [4, 0.25, 1, 9], count: 100 };

describe('exportOnnx', () => {
  for (const [name, makeSpec] of cases) {
    it(`runs in onnxruntime with the in-process outputs and actions (${name})`, async () => {
      const spec = makeSpec();
      const tensors = perturbedTensors(spec, 1, 0.5);
      if (spec.obsNormalization) for (const [key, t] of obsRmsTensors(statistics)) tensors.set(key, t);
      const file = join(dir, `${name.replaceAll(' ', '-')}.onnx`);
      expect(exportOnnx(spec, tensors, file)).toBeGreaterThan(1000);

      const batch = 16;
      const rng = Rng.fromSeed(2);
      const obs = Float32Array.from({ length: batch * 4 }, () => rng.normal(0, 4));
      const session = await ort.InferenceSession.create(file);
      const result = await session.run({ obs: new ort.Tensor('float32', obs, [batch, 4]) });

      const netInput = spec.obsNormalization
        ? new ObservationNormalization(statistics.mean, statistics.var, spec.obsNormalization).apply(obs, batch, new Float32Array(obs.length))
        : obs;
      const expected = new HostMlp(spec, tensors).actorOutput(netInput, batch);
      const outputName = spec.action.type === 'discrete' ? 'logits' : 'mean';
      expect(result[outputName].dims).toEqual([batch, expected.length / batch]);
      expect(maxRelativeError(result[outputName].data as Float32Array, expected)).toBeLessThan(1e-5);

      const action = result.action;
      if (spec.action.type === 'discrete') {
        const { n, start } = spec.action;
        expect(action.type).toBe('int64');
        const argmaxes = Array.from({ length: batch }, (_, b) => {
          const row = Array.from(expected.subarray(b * n, (b + 1) * n));
          return start + row.indexOf(Math.max(...row));
        });
        expect(Array.from(action.data as BigInt64Array, Number)).toEqual(argmaxes);
        expect(new Set(argmaxes).size).toBeGreaterThan(1);
      } else {
        const { low, high, dim } = spec.action;
        const clipped = Array.from(expected, (v, i) => Math.min(high[i % dim], Math.max(low[i % dim], v)));
        expect(maxRelativeError(action.data as Float32Array, clipped)).toBeLessThan(1e-5);
        // The bounds bite somewhere, so the clip is really exercised.
        expect(clipped.some((v, i) => v !== expected[i])).toBe(true);
      }
      await session.release();
    });
  }

  it('writes opset 17, IR version 8, and the policy spec as metadata', () => {
    const spec = cases[0][1]();
    const file = join(dir, 'meta.onnx');
    exportOnnx(spec, perturbedTensors(spec, 3), file);
    const bytes = readFileSync(file);
    const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as { irVersion: number; opsetImport: { version: number }[]; graph: { node: { opType: string }[] } };
    expect(model.irVersion).toBe(ONNX_IR_VERSION);
    expect(model.opsetImport[0].version).toBe(ONNX_OPSET);
    expect(model.graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Tanh', 'Gemm', 'Tanh', 'Gemm', 'ArgMax']);
    expect(JSON.parse(readOnnxMetadata(bytes).get(ONNX_POLICY_METADATA_KEY)!)).toEqual(spec);
  });

  it('refuses to export a normalised policy without its statistics', () => {
    const spec = cases[1][1]();
    expect(() => exportOnnx(spec, perturbedTensors(spec, 3), join(dir, 'no-stats.onnx'))).toThrow(/lacks obs_rms\.mean and obs_rms\.var/);
  });
});

describe('OnnxPolicy', () => {
  it('acts like the exported net, one observation or a batch at a time', async () => {
    const spec = cases[1][1]();
    const tensors = perturbedTensors(spec, 4, 0.5);
    for (const [key, t] of obsRmsTensors(statistics)) tensors.set(key, t);
    const file = join(dir, 'policy.onnx');
    exportOnnx(spec, tensors, file);
    const policy = await OnnxPolicy.load(file, { observationSpace: obsSpace(), actionSpace: new Discrete(3, { start: -1 }), envId: 'Test-v0' });
    const rng = Rng.fromSeed(5);
    const observations = Array.from({ length: 10 }, () => Float32Array.from({ length: 4 }, () => rng.normal(0, 4)));
    const batched = await policy.actBatch(observations);
    const single = await Promise.all(observations.map((o) => policy.act(o)));
    expect(single).toEqual(batched);
    const norm = new ObservationNormalization(statistics.mean, statistics.var, spec.obsNormalization!);
    const net = new HostMlp(spec, tensors);
    const expected = observations.map((o) => {
      const logits = Array.from(net.actorOutput(norm.apply(o, 1, new Float32Array(4)), 1));
      return logits.indexOf(Math.max(...logits)) - 1;
    });
    expect(batched).toEqual(expected);
    await policy.close();
  });

  it('names both spaces when the model was exported for another environment', async () => {
    const spec = cases[2][1]();
    const file = join(dir, 'continuous.onnx');
    exportOnnx(spec, perturbedTensors(spec, 4), file);
    await expect(OnnxPolicy.load(file, { observationSpace: obsSpace(), actionSpace: new Discrete(2), envId: 'CartPole-v1' })).rejects.toThrow(
      /other spaces than CartPole-v1 has \(action space: policy Box\(\[-1\.0 0\.0\], \[1\.0 0\.5\], \(2,\), float32\), env Discrete\(2\)\)/,
    );
    writeFileSync(join(dir, 'junk.onnx'), 'not a protobuf at all\n'.repeat(10));
    await expect(OnnxPolicy.load(join(dir, 'junk.onnx'), { observationSpace: obsSpace(), actionSpace: new Discrete(2) })).rejects.toThrow(/junk\.onnx is not an ONNX model/);
    await expect(OnnxPolicy.load(join(dir, 'missing.onnx'), { observationSpace: obsSpace(), actionSpace: new Discrete(2) })).rejects.toThrow(/Cannot read the ONNX model .*missing\.onnx/);
  });
});
