import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { numpy as np } from '@jax-js/jax';
import { Rng } from '@rlft/core';
import { checkpointDirName, latestCheckpoint, loadCheckpoint, pruneCheckpoints, restoreOptimizerState, saveCheckpoint } from './checkpoint.js';
import { initEngine } from './engine.js';
import { Adam } from './optim.js';
import { readSafetensorsFile } from './safetensors.js';
import { makeTrainStep } from './train-step.js';
import { disposeTree, treeFromHost, treeToHost, zerosLike, type HostTensors } from './tree.js';

// Lets a test make the directory build fail after every file of the checkpoint is written, as a
// crash between writing and renaming would.
const crash = vi.hoisted(() => ({ afterBuild: false }));
vi.mock('@rlft/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@rlft/core')>();
  return {
    ...core,
    replaceDirectoryAtomic: (target: string, build: (temporaryDir: string) => void) =>
      core.replaceDirectoryAtomic(target, (temporary) => {
        build(temporary);
        if (crash.afterBuild) throw new Error('killed before the rename');
      }),
  };
});

type Layer = { w: np.Array; b: np.Array };
type Params = { layers: Layer[] };
type Batch = { x: np.Array; y: np.Array };

const scratch = mkdtempSync(join(tmpdir(), 'rlft-checkpoint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(scratch, `case-${counter++}`);

beforeAll(async () => {
  await initEngine('wasm');
});

const normals = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** A 3-8-1 tanh MLP with weights drawn from `rng`. */
function initParams(rng: Rng): Params {
  const layer = (inputs: number, outputs: number): Layer => ({
    w: np.array(normals(rng, inputs * outputs).map((v) => v / Math.sqrt(inputs))).reshape([inputs, outputs]),
    b: np.array(normals(rng, outputs).map((v) => v * 0.1)),
  });
  return { layers: [layer(3, 8), layer(8, 1)] };
}

const mse = (p: Params, batch: Batch): [np.Array, Record<string, np.Array>] => {
  const [hidden, out] = p.layers;
  const h = np.tanh(np.matmul(batch.x, hidden.w).add(hidden.b));
  const prediction = np.matmul(h, out.w).add(out.b);
  return [np.mean(np.square(prediction.sub(batch.y))), {}];
};

/** Five samples per step: 15 normals, an odd count, so a checkpoint can fall mid-pair of the polar method. */
function drawBatch(rng: Rng): Batch {
  const x = normals(rng, 5 * 3);
  const y = Float32Array.from({ length: 5 }, (_, i) => Math.sin(x[i * 3]) - 0.5 * x[i * 3 + 1] * x[i * 3 + 2] + 0.1 * rng.random());
  return { x: np.array(x).reshape([5, 3]), y: np.array(y).reshape([5, 1]) };
}

function makeTrainer() {
  const optimizer = new Adam({ learningRate: 0.02, weightDecay: 0.01 });
  const step = makeTrainStep(mse, optimizer, { maxGradNorm: 0.5 });
  /** Optimizer steps `from`..`to` (1-based, inclusive), consuming `params` and `state`. */
  return (params: Params, state: { m: Params; v: Params }, rng: Rng, from: number, to: number) => {
    for (let t = from; t <= to; t++) {
      const out = step(params, state, np.array(optimizer.scalars(t)), drawBatch(rng));
      params = out.params;
      state = out.state;
    }
    return { params, state };
  };
}

const bytesOf = (tensors: HostTensors) => new Map([...tensors].map(([path, t]) => [path, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)]));

describe('saveCheckpoint / loadCheckpoint', () => {
  it('resumes bit for bit: params, Adam moments and RNG state continue exactly like an uninterrupted run', () => {
    const dir = join(freshDir(), 'checkpoints', checkpointDirName(40));
    // Uninterrupted: 8 steps, checkpoint, 12 more (41 + 8·15 normals drawn: the checkpoint falls mid-pair).
    const rng = Rng.fromSeed(11);
    let params = initParams(rng);
    const adam = new Adam({ learningRate: 0.02 });
    let state = adam.init(params);
    const train = makeTrainer();
    ({ params, state } = train(params, state, rng, 1, 8));
    saveCheckpoint(dir, { params, optimizer: state, counters: { update: 8, globalStep: 8 * 5 }, rngs: { data: rng.getState() } });
    ({ params, state } = train(params, state, rng, 9, 20));
    const uninterrupted = bytesOf(treeToHost(params));
    const uninterruptedV = bytesOf(treeToHost(state.v));
    disposeTree(params);
    disposeTree(state);

    // Resumed in "another process": fresh arrays, fresh compiled step, generator from its state.
    const loaded = loadCheckpoint(dir);
    const like = zerosLike(initParams(Rng.fromSeed(0)));
    const resume = (withOptimizer: boolean) => {
      const restored = withOptimizer ? restoreOptimizerState(like, loaded.optimizerTensors!) : { m: zerosLike(like), v: zerosLike(like) };
      const rngResumed = Rng.fromState(loaded.rngs.data);
      return makeTrainer()(treeFromHost(like, loaded.tensors), restored, rngResumed, loaded.counters.update + 1, 20);
    };
    const resumed = resume(true);
    expect(bytesOf(treeToHost(resumed.params))).toEqual(uninterrupted);
    expect(bytesOf(treeToHost(resumed.state.v))).toEqual(uninterruptedV);
    // The comparison can fail: without the moments the same steps land elsewhere.
    const forgetful = resume(false);
    expect(bytesOf(treeToHost(forgetful.params))).not.toEqual(uninterrupted);
    for (const tree of [resumed.params, resumed.state, forgetful.params, forgetful.state, like]) disposeTree(tree);
  });

  it('writes model.safetensors (F32 params + extras), optimizer.safetensors (m./v.) and state.json, and reads them back', () => {
    const dir = freshDir();
    const params = { actor: [{ w: np.array([[1, 2], [3, 4]]), b: np.array([0.5, -0.5]) }], logStd: np.array([-0.25]) };
    const optimizer = { m: zerosLike(params), v: zerosLike(params) };
    const rng = Rng.fromSeed(5);
    rng.normal();
    const extraTensors: HostTensors = new Map([['obs_rms.mean', { shape: [2], data: new Float32Array([0.1, 0.2]) }]]);
    const config = { algo: 'ppo', learningRate: 3e-4, hidden: [64, 64], anneal: true, note: null };
    saveCheckpoint(dir, {
      params,
      extraTensors,
      optimizer,
      counters: { globalStep: 2048, update: 4, episodes: 37 },
      rngs: { sampling: rng.getState(), shuffle: Rng.fromSeed(6).getState() },
      config,
      metadata: { algorithm: 'ppo', envId: 'CartPole-v1', obsRms: { mean: [0.1, 0.2], var: [1, 2], count: 1e-4 } },
    });
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'state.json']);
    const model = readSafetensorsFile(join(dir, 'model.safetensors')).tensors;
    expect([...model.keys()].sort()).toEqual(['actor.0.b', 'actor.0.w', 'logStd', 'obs_rms.mean']);
    expect([...model.values()].every((t) => t.dtype === 'F32')).toBe(true);
    expect([...readSafetensorsFile(join(dir, 'optimizer.safetensors')).tensors.keys()].sort()).toEqual(['m.actor.0.b', 'm.actor.0.w', 'm.logStd', 'v.actor.0.b', 'v.actor.0.w', 'v.logStd']);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ format: 'rlft-checkpoint', version: 1, counters: { globalStep: 2048 }, params: ['actor.0.w', 'actor.0.b', 'logStd'], extraTensors: ['obs_rms.mean'], optimizer: true });
    expect(Date.parse(state.createdAt)).toBeGreaterThan(Date.parse('2020-01-01'));

    const loaded = loadCheckpoint(dir);
    expect([...loaded.tensors.keys()].sort()).toEqual(['actor.0.b', 'actor.0.w', 'logStd', 'obs_rms.mean']);
    expect([...loaded.extraTensors]).toEqual([...extraTensors]);
    expect(loaded.counters).toEqual({ globalStep: 2048, update: 4, episodes: 37 });
    expect(loaded.config).toEqual(config);
    expect(loaded.metadata).toEqual({ algorithm: 'ppo', envId: 'CartPole-v1', obsRms: { mean: [0.1, 0.2], var: [1, 2], count: 1e-4 } });
    const restoredRng = Rng.fromState(loaded.rngs.sampling);
    expect([restoredRng.normal(), restoredRng.random()]).toEqual([rng.normal(), rng.random()]);
    const restored = treeFromHost(params, loaded.tensors);
    expect(treeToHost(restored)).toEqual(treeToHost(params));
    const moments = restoreOptimizerState(params, loaded.optimizerTensors!);
    expect(treeToHost(moments.v).get('actor.0.w')).toEqual({ shape: [2, 2], data: new Float32Array(4) });
    for (const tree of [params, optimizer, restored, moments]) disposeTree(tree);
  });

  it('saves without optimizer state, RNGs, config or metadata', () => {
    const dir = freshDir();
    const params = { w: np.array([1, 2, 3]) };
    saveCheckpoint(dir, { params, counters: { globalStep: 0 } });
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'state.json']);
    const loaded = loadCheckpoint(dir);
    expect(loaded.optimizerTensors).toBeUndefined();
    expect(loaded).toMatchObject({ rngs: {}, metadata: {}, config: undefined, counters: { globalStep: 0 } });
    expect(loaded.extraTensors.size).toBe(0);
    disposeTree(params);
  });

  it('an interrupted save leaves the previous checkpoint intact and no temporary directories', () => {
    const parent = freshDir();
    const dir = join(parent, checkpointDirName(100));
    const params = { w: np.array([1, 2]) };
    saveCheckpoint(dir, { params, counters: { globalStep: 100 } });
    const before = readFileSync(join(dir, 'model.safetensors'));
    const params2 = { w: np.array([7, 8]) };
    crash.afterBuild = true;
    try {
      expect(() => saveCheckpoint(dir, { params: params2, counters: { globalStep: 100 }, metadata: { second: true } })).toThrow('killed before the rename');
    } finally {
      crash.afterBuild = false;
    }
    expect(readdirSync(parent)).toEqual([checkpointDirName(100)]);
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(before);
    expect(loadCheckpoint(dir).metadata).toEqual({});
    // A value JSON cannot hold is refused before anything is written.
    expect(() => saveCheckpoint(dir, { params: params2, counters: { globalStep: 100 }, config: { clip: { max: Infinity } } })).toThrow(
      'config.clip.max is Infinity; checkpoints store JSON, which has no NaN or Infinity',
    );
    expect(readdirSync(parent)).toEqual([checkpointDirName(100)]);
    expect(treeToHost(treeFromHost(params, loadCheckpoint(dir).tensors)).get('w')!.data).toEqual(new Float32Array([1, 2]));
    disposeTree(params);
    disposeTree(params2);
  });

  it('refuses content it could not restore faithfully', () => {
    const dir = freshDir();
    const params = { w: np.array([1, 2]), b: np.array([0]) };
    const counters = { globalStep: 1 };
    const save = (extra: object) => () => saveCheckpoint(dir, { params, counters, ...extra });
    expect(save({ extraTensors: new Map([['w', { shape: [1], data: new Float32Array(1) }]]) })).toThrow("Extra tensor 'w' has the name of a parameter");
    expect(save({ extraTensors: new Map([['stats', { shape: [3], data: new Float32Array(2) }]]) })).toThrow("extra tensor 'stats' has shape [3] (3 elements) but 2 values");
    const wrongShape = { m: { w: np.zeros([3]), b: np.zeros([1]) }, v: { w: np.zeros([2]), b: np.zeros([1]) } };
    expect(save({ optimizer: wrongShape })).toThrow("Optimizer state 'm.w' has shape [3], the parameter [2]");
    const missing = { m: { w: np.zeros([2]) }, v: { w: np.zeros([2]), b: np.zeros([1]) } };
    expect(save({ optimizer: missing })).toThrow("Optimizer state 'm' has no 'b'");
    expect(save({ counters: { globalStep: NaN } })).toThrow('counters.globalStep is NaN');
    expect(save({ rngs: { data: { seed: 3 } } })).toThrow("RNG state 'data' is not an RNG state");
    expect(save({ metadata: { mean: new Float64Array(2) } })).toThrow('metadata.mean is a Float64Array (use Array.from, or pass tensors as extraTensors)');
    expect(save({ metadata: { when: new Date(0) } })).toThrow('metadata.when is a Date; checkpoints store plain JSON values');
    expect(existsSync(dir)).toBe(false);
    for (const tree of [params, wrongShape, missing]) disposeTree(tree);
  });
});

describe('loadCheckpoint errors name the file and what is wrong', () => {
  const params = () => ({ w: np.array([1, 2]) });
  const saved = () => {
    const dir = freshDir();
    const p = params();
    saveCheckpoint(dir, { params: p, optimizer: { m: zerosLike(p), v: zerosLike(p) }, counters: { globalStep: 3 } });
    disposeTree(p);
    return dir;
  };
  const editState = (dir: string, edit: (state: Record<string, unknown>) => void) => {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    edit(state);
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  };

  it('for missing, foreign and damaged files', () => {
    expect(() => loadCheckpoint(join(scratch, 'nowhere'))).toThrow(`No checkpoint at ${join(scratch, 'nowhere')}: not a directory`);

    let dir = saved();
    rmSync(join(dir, 'state.json'));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'state.json')} is missing: ${dir} is not a complete rlft checkpoint`);

    dir = saved();
    writeFileSync(join(dir, 'state.json'), '{"format": "rlft-che');
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'state.json')} is not valid JSON`);

    dir = saved();
    editState(dir, (state) => (state.format = 'pytorch'));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'state.json')}: not an rlft checkpoint (format "pytorch", expected "rlft-checkpoint")`);

    dir = saved();
    editState(dir, (state) => (state.version = 2));
    expect(() => loadCheckpoint(dir)).toThrow('checkpoint version 2 is not one this rlft reads (version 1)');

    dir = saved();
    editState(dir, (state) => (state.rngs = { data: { algorithm: 'xoroshiro128plus', state: 'abc' } }));
    expect(() => loadCheckpoint(dir)).toThrow("RNG state 'data' is not an RNG state");

    dir = saved();
    rmSync(join(dir, 'model.safetensors'));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'model.safetensors')} is missing`);

    dir = saved();
    writeFileSync(join(dir, 'model.safetensors'), readFileSync(join(dir, 'model.safetensors')).subarray(0, 60));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'model.safetensors')}: Header length`);

    dir = saved();
    editState(dir, (state) => (state.params = ['w', 'b']));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'model.safetensors')} lacks tensor 'b', which state.json lists`);

    dir = saved();
    rmSync(join(dir, 'optimizer.safetensors'));
    expect(() => loadCheckpoint(dir)).toThrow(`${join(dir, 'optimizer.safetensors')} is missing, but state.json says the checkpoint has optimizer state`);
  });

  it('when the parameters or moments do not fit the model', () => {
    const dir = saved();
    const loaded = loadCheckpoint(dir);
    const bigger = { w: np.zeros([3]) };
    expect(() => treeFromHost(bigger, loaded.tensors)).toThrow("Tensor 'w' has shape [2], expected [3]");
    expect(() => restoreOptimizerState(bigger, loaded.optimizerTensors!)).toThrow("Optimizer state 'm' does not fit the parameters: Tensor 'w' has shape [2], expected [3]");
    disposeTree(bigger);
  });
});

describe('latestCheckpoint / pruneCheckpoints', () => {
  it('finds the newest complete step-<n>, ignoring leftovers of interrupted saves, and keeps the newest K', () => {
    const checkpoints = join(freshDir(), 'checkpoints');
    expect(latestCheckpoint(checkpoints)).toBeUndefined();
    expect(pruneCheckpoints(checkpoints, 2)).toEqual([]);
    const params = { w: np.array([1]) };
    for (const step of [5, 20, 100]) saveCheckpoint(join(checkpoints, checkpointDirName(step)), { params, counters: { globalStep: step } });
    // Written by hand with a shorter name: the step number orders it, not the name.
    saveCheckpoint(join(checkpoints, 'step-7'), { params, counters: { globalStep: 7 } });
    // A crashed save's temporary directory, and a directory without state.json: never "latest".
    const leftover = join(checkpoints, `.${checkpointDirName(200)}.0123456789ab.tmp`);
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'model.safetensors'), '');
    mkdirSync(join(checkpoints, checkpointDirName(300)));
    mkdirSync(join(checkpoints, 'notes'));

    expect(latestCheckpoint(checkpoints)).toBe(join(checkpoints, checkpointDirName(100)));
    expect(checkpointDirName(100)).toBe('step-000000000100');

    const removed = pruneCheckpoints(checkpoints, 2);
    expect(removed.sort()).toEqual([leftover, join(checkpoints, checkpointDirName(5)), join(checkpoints, 'step-7')].sort());
    expect(readdirSync(checkpoints).sort()).toEqual(['notes', checkpointDirName(100), checkpointDirName(20), checkpointDirName(300)].sort());
    expect(pruneCheckpoints(checkpoints, 2)).toEqual([]);
    expect(() => pruneCheckpoints(checkpoints, 0)).toThrow('keep must be an integer ≥ 1, got 0');
    expect(() => checkpointDirName(-1)).toThrow('globalStep must be a non-negative integer');
    disposeTree(params);
  });
});
