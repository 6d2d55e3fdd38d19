import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete, Rng } from '@rlft/core';
import { disposeTree, initEngine, saveCheckpoint, treeToHost, type AdamState, type HostTensors } from '@rlft/nn';
import { HostMlp, MlpPolicy, initMlpParams, mlpParamShapes, mlpParamsFromHost, mlpSpecFor, type MlpParams, type MlpPolicySpec } from '@rlft/policy-mlp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointName, loadTrainingCheckpoint, saveTrainingCheckpoint, type TrainingSnapshot } from './checkpointing.js';
import { ObservationNormalizer, RewardNormalizer } from './normalizers.js';

let root: string;
beforeAll(async () => {
  await initEngine('wasm');
  root = mkdtempSync(join(tmpdir(), 'rlft-training-checkpoints-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec: MlpPolicySpec = mlpSpecFor(new Box({ low: -10, high: 10, shape: [3] }), new Discrete(2), { actorHidden: [8], criticHidden: [8], obsNormalization: true });

/** Host tensors for every parameter path of `spec`, filled with draws from `rng`. */
function randomTensors(rng: Rng): HostTensors {
  const tensors: HostTensors = new Map();
  for (const [path, shape] of mlpParamShapes(spec)) {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    tensors.set(path, { shape, data });
  }
  return tensors;
}

/** A snapshot as a trainer holds it mid-run: trained-looking parameters, non-zero Adam moments, fed normalisers. */
function snapshot(globalStep: number, algorithm = 'ppo'): TrainingSnapshot<MlpParams> & { rng: Rng } {
  const rng = Rng.fromSeed(globalStep);
  const obsNormalizer = new ObservationNormalizer(3);
  obsNormalizer.update(Float64Array.from({ length: 12 }, () => rng.normal(1, 2)), 4);
  const rewardNormalizer = new RewardNormalizer(2, { gamma: 0.9 });
  rewardNormalizer.normalize(Float64Array.of(1, -2), [0, 1]);
  const optimizer: AdamState<MlpParams> = { m: mlpParamsFromHost(spec, randomTensors(rng)), v: mlpParamsFromHost(spec, randomTensors(rng)) };
  rng.normal(); // an odd number of normal draws leaves a spare normal in the generator's state
  return {
    algorithm,
    envId: 'Test-v0',
    spec,
    params: initMlpParams(spec, rng),
    optimizer,
    counters: { globalStep, update: globalStep / 100, optimizerStep: globalStep / 10, episodes: 7 },
    rngs: { train: rng.getState() },
    config: { learning_rate: 1e-3 },
    obsNormalizer,
    rewardNormalizer,
    rng,
  };
}

function release(s: TrainingSnapshot<MlpParams>): void {
  disposeTree(s.params);
  disposeTree(s.optimizer.m);
  disposeTree(s.optimizer.v);
}

const hostData = (tensors: HostTensors) => new Map([...tensors].map(([path, t]) => [path, Array.from(t.data)]));

describe('saveTrainingCheckpoint / loadTrainingCheckpoint', () => {
  it('restores parameters, Adam moments, counters, generator and normaliser statistics exactly', () => {
    const dir = join(root, 'round-trip');
    const saved = snapshot(1200);
    const written = saveTrainingCheckpoint(dir, saved, 3);
    expect(written).toBe(join(dir, checkpointName(1200)));
    expect(checkpointName(1200)).toBe('step-000000001200');

    const restored = loadTrainingCheckpoint(written, saved.params, 'ppo');
    expect(hostData(treeToHost(restored.params))).toEqual(hostData(treeToHost(saved.params)));
    expect(hostData(treeToHost(restored.optimizer.m))).toEqual(hostData(treeToHost(saved.optimizer.m)));
    expect(hostData(treeToHost(restored.optimizer.v))).toEqual(hostData(treeToHost(saved.optimizer.v)));
    expect(restored.counters).toEqual(saved.counters);
    // The generator continues the same stream, spare normal included.
    const continued = Rng.fromState(restored.rngs.train);
    expect([continued.normal(), continued.nextSeed()]).toEqual([saved.rng.normal(), saved.rng.nextSeed()]);
    // float64 statistics for resuming, exactly.
    expect(restored.obsRms).toEqual(saved.obsNormalizer!.getState());
    expect(restored.rewardRms).toEqual(saved.rewardNormalizer!.getState());
    const obsNormalizer = new ObservationNormalizer(3);
    obsNormalizer.setState(restored.obsRms!);
    const probe = Float64Array.of(0.5, -1, 3);
    expect(Array.from(obsNormalizer.normalize(probe, 1, new Float32Array(3)))).toEqual(Array.from(saved.obsNormalizer!.normalize(probe, 1, new Float32Array(3))));
    expect(restored.metadata).toMatchObject({ algorithm: 'ppo', envId: 'Test-v0', policy: spec });
    release(saved);
    release({ ...saved, params: restored.params, optimizer: restored.optimizer });
  });

  it('is a policy checkpoint: MlpPolicy acts from it with the saved observation statistics', async () => {
    const dir = join(root, 'policy');
    const saved = snapshot(300);
    const written = saveTrainingCheckpoint(dir, saved, 3);
    const policy = await MlpPolicy.fromCheckpoint(written);
    expect(policy.spec).toEqual(spec);
    // Greedy action = argmax of the actor on the observation normalised with the trainer's statistics.
    const net = new HostMlp(spec, treeToHost(saved.params));
    for (const probe of [Float64Array.of(0.5, -1, 3), Float64Array.of(4, 2, -6), Float64Array.of(-3, 0, 1)]) {
      const logits = Array.from(net.actorOutput(saved.obsNormalizer!.normalize(probe, 1, new Float32Array(3)), 1));
      expect(policy.act(Float32Array.from(probe))).toBe(logits.indexOf(Math.max(...logits)));
    }
    release(saved);
  });

  it('keeps the newest checkpoints only', () => {
    const dir = join(root, 'prune');
    for (const step of [100, 200, 300, 400]) {
      const s = snapshot(step);
      saveTrainingCheckpoint(dir, s, 2);
      release(s);
    }
    expect(readdirSync(dir).sort()).toEqual([checkpointName(300), checkpointName(400)]);
  });

  it("refuses another algorithm's checkpoint and one without optimizer state, saying why", () => {
    const dir = join(root, 'errors');
    const saved = snapshot(500, 'reinforce');
    const written = saveTrainingCheckpoint(dir, saved, 3);
    expect(() => loadTrainingCheckpoint(written, saved.params, 'ppo')).toThrow(/written by 'reinforce', not 'ppo'; resume it with --algo reinforce/);

    const policyOnly = join(root, 'policy-only');
    saveCheckpoint(policyOnly, { params: saved.params, counters: { globalStep: 1 }, metadata: { algorithm: 'ppo', policy: spec } });
    expect(existsSync(join(policyOnly, 'optimizer.safetensors'))).toBe(false);
    expect(() => loadTrainingCheckpoint(policyOnly, saved.params, 'ppo')).toThrow(/has no optimizer state \(optimizer.safetensors\), so training cannot resume from it/);
    release(saved);
  });
});
