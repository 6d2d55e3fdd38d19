import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvRegistry, Rng, evaluatePolicy, flatten, parseOptions, type Env } from '@rlft/core';
import classicPlugin from '@rlft/envs-classic/plugin';
import { disposeTree, initEngine, saveCheckpoint, treeToHost } from '@rlft/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostMlp } from './host-mlp.js';
import { MlpPolicy } from './mlp-policy.js';
import { ObservationNormalization, obsRmsTensors } from './obs-normalization.js';
import { exportCheckpointToOnnx } from './onnx/export.js';
import { initMlpParams } from './params.js';
import plugin from './plugin.js';
import { mlpSpecFor, type MlpPolicySpec } from './spec.js';

let dir: string;
const envs = new EnvRegistry();
for (const registration of classicPlugin.envs ?? []) envs.register(registration, classicPlugin.name);

beforeAll(async () => {
  await initEngine('wasm');
  dir = mkdtempSync(join(tmpdir(), 'rlft-mlp-policy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const statistics = (size: number) => ({
  mean: Array.from({ length: size }, (_, i) => 0.1 * (i + 1)),
  var: Array.from({ length: size }, (_, i) => 0.5 + i),
  count: 1234.5,
});

/** Save a freshly initialised policy for `env` the way a trainer does; returns the checkpoint dir and the spec. */
function savePolicy(env: Env<unknown, unknown>, name: string, options: Parameters<typeof mlpSpecFor>[2] = {}): { checkpoint: string; spec: MlpPolicySpec } {
  const spec = mlpSpecFor(env.observationSpace, env.actionSpace, options);
  const params = initMlpParams(spec, Rng.fromSeed(42));
  const checkpoint = join(dir, name);
  const obsDim = spec.obsDim;
  saveCheckpoint(checkpoint, {
    params,
    extraTensors: spec.obsNormalization ? obsRmsTensors(statistics(obsDim)) : undefined,
    counters: { globalStep: 0 },
    metadata: { policy: spec, ...(spec.obsNormalization ? { obsRmsCount: statistics(obsDim).count } : {}) },
  });
  disposeTree(params);
  return { checkpoint, spec };
}

/** What the in-process net (before saving) does: flatten, normalise with the saved statistics, forward, argmax. */
function expectedActionFor(spec: MlpPolicySpec, net: HostMlp, env: Env<unknown, unknown>, obs: unknown): number {
  const flat = flatten(env.observationSpace, obs, new Float64Array(spec.obsDim));
  const { mean, var: variance } = statistics(spec.obsDim);
  const input = spec.obsNormalization
    ? new ObservationNormalization(mean, variance, spec.obsNormalization).apply(flat, 1, new Float32Array(spec.obsDim))
    : Float32Array.from(flat);
  const logits = Array.from(net.actorOutput(input, 1));
  return logits.indexOf(Math.max(...logits));
}

describe('MlpPolicy.fromCheckpoint', () => {
  it('acts like the in-process net it was saved from (CartPole, with observation statistics)', async () => {
    const env = (await envs.make('CartPole-v1')) as Env<unknown, unknown>;
    const { checkpoint, spec } = savePolicy(env, 'cartpole', { obsNormalization: true });
    const policy = await MlpPolicy.fromCheckpoint(checkpoint);
    expect(policy.spec).toEqual(spec);
    const params = initMlpParams(spec, Rng.fromSeed(42));
    const net = new HostMlp(spec, treeToHost(params));
    disposeTree(params);
    let { obs } = env.reset({ seed: 3 });
    for (let t = 0; t < 50; t++) {
      const action = policy.act(obs) as number;
      expect(action).toBe(expectedActionFor(spec, net, env, obs));
      const step = env.step(action);
      if (step.terminated || step.truncated) ({ obs } = env.reset({ seed: t }));
      else obs = step.obs;
    }
    const batch = [env.observationSpace.sample(Rng.fromSeed(1)), env.observationSpace.sample(Rng.fromSeed(2))];
    expect(policy.actBatch(batch)).toEqual(batch.map((o) => policy.act(o)));
  });

  it('clips continuous actions into the box and samples reproducibly per episode seed when stochastic', async () => {
    const env = (await envs.make('Pendulum-v1')) as Env<unknown, unknown>;
    const { checkpoint } = savePolicy(env, 'pendulum', { criticHidden: null });
    const greedy = await MlpPolicy.fromCheckpoint(checkpoint);
    const { obs } = env.reset({ seed: 0 });
    const action = greedy.act(obs) as Float32Array;
    expect(action).toBeInstanceOf(Float32Array);
    expect(env.actionSpace.contains(action)).toBe(true);

    const stochastic = await MlpPolicy.fromCheckpoint(checkpoint, { deterministic: false, seed: 1 });
    const draw = (seed: number) => {
      stochastic.reset({ seed });
      return Array.from({ length: 20 }, () => (stochastic.act(obs) as Float32Array)[0]);
    };
    const first = draw(5);
    expect(draw(5)).toEqual(first);
    expect(draw(6)).not.toEqual(first);
    // σ = 1 around a mean near 0, clipped into [−2, 2]: draws spread over the box and stay inside it.
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(1);
    for (const a of first) expect(Math.abs(a)).toBeLessThanOrEqual(2);
  });

  it('explains what is wrong with a checkpoint that has no policy spec, or one for other spaces', async () => {
    const env = (await envs.make('CartPole-v1')) as Env<unknown, unknown>;
    const params = initMlpParams(mlpSpecFor(env.observationSpace, env.actionSpace), Rng.fromSeed(0));
    saveCheckpoint(join(dir, 'no-spec'), { params, counters: {}, metadata: { algo: 'ppo' } });
    disposeTree(params);
    await expect(MlpPolicy.fromCheckpoint(join(dir, 'no-spec'))).rejects.toThrow(/no policy spec \(metadata\.policy\).*Keys present: algo/);
    const pendulum = (await envs.make('Pendulum-v1')) as Env<unknown, unknown>;
    const { checkpoint } = savePolicy(pendulum, 'pendulum-for-mismatch');
    const policy = await MlpPolicy.fromCheckpoint(checkpoint);
    expect(() => policy.assertCompatible(env.observationSpace, env.actionSpace, 'CartPole-v1')).toThrow(
      /trained on other spaces than CartPole-v1 has \(observation space: policy Box\(.*\(3,\).*env Box\(.*\(4,\).*action space: policy Box\(-2\.0, 2\.0, \(1,\), float32\), env Discrete\(2\)\)/,
    );
  });
});

describe('MlpPolicy in evaluatePolicy', () => {
  it('plays CartPole episodes to the end, the same way for the same seeds', async () => {
    const env = (await envs.make('CartPole-v1')) as Env<unknown, unknown>;
    const { checkpoint } = savePolicy(env, 'cartpole-eval');
    const policy = await MlpPolicy.fromCheckpoint(checkpoint);
    const first = await evaluatePolicy(env, policy, { episodes: 3, seed: 10 });
    const again = await evaluatePolicy(env, policy, { episodes: 3, seed: 10 });
    expect(first.episodes).toHaveLength(3);
    expect(again.episodes).toEqual(first.episodes);
    for (const episode of first.episodes) expect(episode.terminated || episode.truncated).toBe(true);
  });

  it('is contributed by the plugin with validated options, and refuses a checkpoint for other spaces', async () => {
    const cartpole = (await envs.make('CartPole-v1')) as Env<unknown, unknown>;
    const pendulum = (await envs.make('Pendulum-v1')) as Env<unknown, unknown>;
    const { checkpoint } = savePolicy(pendulum, 'pendulum-plugin', { obsNormalization: true });
    const contribution = plugin.policies!.find((p) => p.id === 'mlp')!;
    const options = parseOptions(contribution.optionsSchema!, { checkpoint }, 'policy mlp');
    expect(options).toEqual({ checkpoint, deterministic: true });
    expect(() => parseOptions(contribution.optionsSchema!, { checkpont: checkpoint }, 'policy mlp')).toThrow(/unknown option 'checkpont' \(did you mean 'checkpoint'\?\)/);
    const policy = await contribution.create(options, { envId: 'Pendulum-v1', observationSpace: pendulum.observationSpace, actionSpace: pendulum.actionSpace, seed: 0 });
    const result = await evaluatePolicy(pendulum, policy as MlpPolicy, { episodes: 1, seed: 0 });
    expect(result.episodes[0].length).toBe(200);
    await expect(
      contribution.create(options, { envId: 'CartPole-v1', observationSpace: cartpole.observationSpace, actionSpace: cartpole.actionSpace }),
    ).rejects.toThrow(/other spaces than CartPole-v1/);
  });

  it('exports a checkpoint to ONNX that the onnx policy plays with the same actions', async () => {
    const env = (await envs.make('CartPole-v1')) as Env<unknown, unknown>;
    const { checkpoint } = savePolicy(env, 'cartpole-onnx', { obsNormalization: true });
    const file = join(dir, 'cartpole.onnx');
    const { bytes } = await exportCheckpointToOnnx(checkpoint, file);
    expect(bytes).toBeGreaterThan(1000);
    const onnx = await plugin.policies!.find((p) => p.id === 'onnx')!.create({ model: file }, { envId: 'CartPole-v1', observationSpace: env.observationSpace, actionSpace: env.actionSpace });
    const mlp = await MlpPolicy.fromCheckpoint(checkpoint);
    const viaOnnx = await evaluatePolicy(env, onnx, { episodes: 3, seed: 0 });
    const viaMlp = await evaluatePolicy(env, mlp, { episodes: 3, seed: 0 });
    expect(viaOnnx.episodes).toEqual(viaMlp.episodes);
    await onnx.close?.();
  });
});
