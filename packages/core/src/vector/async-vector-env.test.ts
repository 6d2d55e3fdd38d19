import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AsyncVectorEnv,
  InvalidKwargsError,
  PluginHost,
  Rng,
  SubEnvError,
  VectorStateError,
  VectorWorkerError,
  type AutoresetMode,
  type MakeVecOptions,
  type VectorEnv,
} from '@rlft/core';

const fixture = fileURLToPath(new URL('./fixtures/test-envs.js', import.meta.url));
const coreDir = fileURLToPath(new URL('../..', import.meta.url));

async function host(): Promise<PluginHost> {
  const h = new PluginHost();
  expect(await h.load(fixture)).toBe(true);
  return h;
}

const opened: VectorEnv[] = [];
async function make(h: PluginHost, id: string, numEnvs: number, options: MakeVecOptions): Promise<VectorEnv> {
  const venv = await h.makeVec(id, numEnvs, options);
  opened.push(venv);
  return venv;
}

afterEach(() => {
  for (const venv of opened.splice(0)) venv.close();
});

function bytes(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Everything a vector env returned over a run, with typed arrays as exact bytes. */
function record(venv: VectorEnv, actions: unknown[], seed: number): unknown[] {
  const encode = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? `${v.constructor.name}:${bytes(v).toString('hex')}` : v)));
  const out: unknown[] = [];
  const first = venv.reset({ seed });
  out.push(encode(first));
  for (let t = 0; t < actions.length; t++) {
    const result = venv.step(actions[t]);
    out.push(encode(result));
  }
  return out;
}

describe('AsyncVectorEnv', () => {
  it.each<AutoresetMode>(['next-step', 'same-step'])('matches SyncVectorEnv bit for bit (autoreset %s)', async (autoresetMode) => {
    const h = await host();
    const rng = Rng.fromSeed(5);
    const actions = Array.from({ length: 60 }, () => Int32Array.from({ length: 5 }, () => rng.integer(-1, 1)));
    const sync = await make(h, 'test/NoisyWalk-v0', 5, { vectorizationMode: 'sync', autoresetMode });
    const async = await make(h, 'test/NoisyWalk-v0', 5, { vectorizationMode: 'async', autoresetMode, workers: 2 });
    expect(async).toBeInstanceOf(AsyncVectorEnv);
    expect((async as AsyncVectorEnv).workerCount).toBe(2);
    expect(async.observationSpace.equals(sync.observationSpace)).toBe(true);
    expect(async.actionSpace.equals(sync.actionSpace)).toBe(true);
    const expected = record(sync, actions, 42);
    expect(record(async, actions, 42)).toEqual(expected);
    // The run covers episode ends, time-limit truncations and infos.
    expect(JSON.stringify(expected)).toMatch(/"terminations":"Uint8Array:[0-9a-f]*01/);
    expect(JSON.stringify(expected)).toMatch(/"escaped"/);
  });

  it("matches SyncVectorEnv with autoreset 'disabled' and masked resets", async () => {
    const h = await host();
    const actions = Array.from({ length: 40 }, (_, t) => Int32Array.of(1, -1, t % 3 - 1));
    const run = (venv: VectorEnv): unknown[] => {
      const out: unknown[] = [];
      venv.reset({ seed: 9 });
      for (const action of actions) {
        const { obs, terminations, truncations } = venv.step(action);
        out.push(Array.from(obs as Float32Array));
        const ended = terminations.map((term, i) => term | truncations[i]);
        if (ended.some((e) => e === 1)) out.push(Array.from(venv.reset({ mask: ended }).obs as Float32Array));
      }
      return out;
    };
    const sync = await make(h, 'test/NoisyWalk-v0', 3, { vectorizationMode: 'sync', autoresetMode: 'disabled' });
    const async = await make(h, 'test/NoisyWalk-v0', 3, { vectorizationMode: 'async', autoresetMode: 'disabled', workers: 3 });
    expect(run(async)).toEqual(run(sync));
  });

  it('matches SyncVectorEnv for Dict observations and Text actions (message path)', async () => {
    const h = await host();
    const drift = Array.from({ length: 12 }, (_, t) => Float64Array.of(0.5, -0.25, t % 2 ? 1 : -1));
    expect(record(await make(h, 'test/LabelledDrift-v0', 3, { vectorizationMode: 'async', workers: 2, autoresetMode: 'same-step' }), drift, 1))
      .toEqual(record(await make(h, 'test/LabelledDrift-v0', 3, { vectorizationMode: 'sync', autoresetMode: 'same-step' }), drift, 1));
    const words = [['ab', 'stop'], ['abc', 'a'], ['stop', 'xyz'], ['q', 'qq']];
    const echoAsync = await make(h, 'test/Echo-v0', 2, { vectorizationMode: 'async', workers: 2 });
    const echoSync = await make(h, 'test/Echo-v0', 2, { vectorizationMode: 'sync' });
    expect(record(echoAsync, words, 3)).toEqual(record(echoSync, words, 3));
    expect(Array.from(echoAsync.step(['abcd', 'a']).rewards)).toEqual([4, 1]);
  });

  it('reports an invalid action with the sub-environment index and the original message, then needs a reset', async () => {
    const h = await host();
    const venv = await make(h, 'test/NoisyWalk-v0', 4, { vectorizationMode: 'async', workers: 2 });
    venv.reset({ seed: 0 });
    let caught: unknown;
    try {
      venv.step(Int32Array.of(0, 0, 5, 0));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SubEnvError);
    expect((caught as SubEnvError).envIndex).toBe(2);
    expect((caught as SubEnvError).code).toBe('INVALID_ACTION');
    expect((caught as Error).message).toMatch(/^Sub-environment 2 \(test\/NoisyWalk-v0\) failed in step\(\): Invalid action 5 for .*Discrete\(3, start=-1\)/);
    expect(() => venv.step(Int32Array.of(0, 0, 0, 0))).toThrow(VectorStateError);
    venv.reset({ seed: 0 });
    expect(Array.from(venv.step(Int32Array.of(0, 0, 0, 0)).rewards)).toHaveLength(4);
  });

  it('reports an exception thrown inside an env in a worker', async () => {
    const h = await host();
    const venv = await make(h, 'test/NoisyWalk-v0', 2, { vectorizationMode: 'async', workers: 2, kwargs: { failAtStep: 2, limit: 100 } });
    venv.reset({ seed: 0 });
    venv.step(Int32Array.of(0, 0));
    expect(() => venv.step(Int32Array.of(0, 0))).toThrow('Sub-environment 0 (test/NoisyWalk-v0) failed in step(): boom at step 2');
  });

  it('reports a worker that exits instead of hanging, and closes', async () => {
    const h = await host();
    const venv = (await make(h, 'test/NoisyWalk-v0', 3, { vectorizationMode: 'async', workers: 2, kwargs: { exitAtStep: 2, limit: 100 } })) as AsyncVectorEnv;
    venv.reset({ seed: 0 });
    venv.step(Int32Array.of(0, 0, 0));
    expect(() => venv.step(Int32Array.of(0, 0, 0))).toThrow(VectorWorkerError);
    expect(venv.closed).toBe(true);
    expect(() => venv.step(Int32Array.of(0, 0, 0))).toThrow(/is closed/);
    await venv.exited;
    expect(venv.runningWorkers).toBe(0);
  });

  it('names the worker and the envs it hosts when it crashes', async () => {
    const h = await host();
    const venv = await make(h, 'test/NoisyWalk-v0', 3, { vectorizationMode: 'async', workers: 2, kwargs: { exitAtStep: 1, limit: 100 } });
    venv.reset({ seed: 0 });
    expect(() => venv.step(Int32Array.of(0, 0, 0))).toThrow(/^Worker 0 of AsyncVectorEnv\(test\/NoisyWalk-v0, 3\) \(hosting envs 0–1\) exited with code 3 during step\(\)/);
  });

  it('gives up on a worker that stops answering after timeoutMs', async () => {
    const h = await host();
    const venv = (await make(h, 'test/NoisyWalk-v0', 2, { vectorizationMode: 'async', workers: 1, timeoutMs: 300, kwargs: { hangAtStep: 1 } })) as AsyncVectorEnv;
    venv.reset({ seed: 0 });
    const start = performance.now();
    expect(() => venv.step(Int32Array.of(0, 0))).toThrow(/did not answer step\(\) within 300 ms/);
    expect(performance.now() - start).toBeLessThan(5000);
    await venv.exited;
    expect(venv.runningWorkers).toBe(0);
  });

  it('close() stops every worker', async () => {
    const h = await host();
    const venv = (await make(h, 'test/NoisyWalk-v0', 4, { vectorizationMode: 'async', workers: 3 })) as AsyncVectorEnv;
    expect(venv.runningWorkers).toBe(3);
    venv.reset({ seed: 0 });
    venv.step(Int32Array.of(0, 1, -1, 0));
    venv.close();
    venv.close();
    await venv.exited;
    expect(venv.runningWorkers).toBe(0);
    expect(() => venv.reset()).toThrow(VectorStateError);
  });

  it('fails to start, naming the cause, when a worker cannot load a plugin module', async () => {
    const h = await host();
    const missing = pathToFileURL(fileURLToPath(new URL('./fixtures/does-not-exist.js', import.meta.url))).href;
    await expect(h.makeVec('test/NoisyWalk-v0', 2, { vectorizationMode: 'async', workers: 2, pluginModules: [fixture, missing] }))
      .rejects.toThrow(/^Worker 0 could not create env 0: plugin module '.*does-not-exist\.js' failed to load in the worker/);
  });

  it('checks kwargs in this thread with the registry errors', async () => {
    const h = await host();
    await expect(h.makeVec('test/NoisyWalk-v0', 2, { vectorizationMode: 'async', kwargs: { limt: 3 } })).rejects.toThrow(InvalidKwargsError);
  });

  it('can be created directly from plugin modules', async () => {
    const venv = await AsyncVectorEnv.create({ id: 'test/Echo-v0', numEnvs: 3, pluginModules: [fixture], workers: 1 });
    opened.push(venv);
    expect(Array.from(venv.reset({ seed: 2 }).obs as Int32Array)).toHaveLength(3);
    expect(venv.autoresetMode).toBe('next-step');
    await expect(AsyncVectorEnv.create({ id: 'test/Echo-v0', numEnvs: 2, pluginModules: [fixture], workers: 3 })).rejects.toThrow(/workers must be an integer in \[1, 2\]/);
  });

  it('lets the process exit on its own, with or without close()', () => {
    for (const closing of [true, false]) {
      const script = `
        import { AsyncVectorEnv } from '@rlft/core';
        const venv = await AsyncVectorEnv.create({ id: 'test/NoisyWalk-v0', numEnvs: 3, workers: 2, pluginModules: [${JSON.stringify(fixture)}] });
        venv.reset({ seed: 1 });
        for (let t = 0; t < 20; t++) venv.step(Int32Array.of(1, 0, -1));
        ${closing ? 'venv.close(); await venv.exited; console.log("running", venv.runningWorkers);' : ''}
        console.log('done');
      `;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: coreDir, encoding: 'utf8', timeout: 20_000 });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout).toBe(closing ? 'running 0\ndone\n' : 'done\n');
    }
  });
});
