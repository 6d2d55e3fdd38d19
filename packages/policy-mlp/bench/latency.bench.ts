// Latency of one forward pass / one act() of a 4-64-64-2 tanh actor-critic (CartPole's shape)
// on the acting paths: the plain-JS HostMlp, HostActorCritic.act (sample + log-prob + value),
// MlpPolicy.act (flatten + forward + argmax) and onnxruntime-node on the exported model.
//
//   npx tsc -b packages/policy-mlp && node packages/policy-mlp/bench/latency.bench.ts [--seconds 0.5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Box, Discrete, Rng } from '@rlft/core';
import { disposeTree, initEngine, treeToHost } from '@rlft/nn';
import * as ort from 'onnxruntime-node';
import { exportOnnx, HostActorCritic, initMlpParams, MlpPolicy, mlpSpecFor } from '@rlft/policy-mlp';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '0.5' }, repetitions: { type: 'string', default: '5' } } });
const seconds = Number(args.seconds);
const repetitions = Number(args.repetitions);

await initEngine('wasm');
const spec = mlpSpecFor(new Box({ low: -10, high: 10, shape: [4] }), new Discrete(2));
const params = initMlpParams(spec, Rng.fromSeed(0));
const tensors = treeToHost(params);
disposeTree(params);
const net = new HostActorCritic(spec, tensors);
const rng = Rng.fromSeed(1);
const observations = Float32Array.from({ length: 1024 * 4 }, () => rng.normal());

/** Median over repetitions of the mean time per call, in microseconds (calls run in timed chunks). */
async function time(name: string, call: (i: number) => unknown | Promise<unknown>): Promise<{ name: string; microseconds: number }> {
  const results: number[] = [];
  for (let r = 0; r <= repetitions; r++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(seconds * 1e9));
    let now = start;
    while (now < deadline) {
      for (let k = 0; k < 256; k++) {
        const out = call(calls++);
        if (out instanceof Promise) await out;
      }
      now = process.hrtime.bigint();
    }
    // The first round warms the JIT up and is not counted.
    if (r > 0) results.push(Number(now - start) / 1e3 / calls);
  }
  results.sort((a, b) => a - b);
  return { name, microseconds: results[Math.floor(results.length / 2)] };
}

const rows = [];
for (const batch of [1, 8]) {
  // Views made up front, so that the loop measures the network and not their allocation.
  const views = Array.from({ length: 64 }, (_, k) => observations.subarray(k * batch * 4, (k + 1) * batch * 4));
  const obsAt = (i: number) => views[i & 63];
  rows.push(await time(`HostMlp.actorOutput, batch ${batch}`, (i) => net.actorOutput(obsAt(i), batch)));
  rows.push(await time(`HostActorCritic.act (sample, log-prob, value), batch ${batch}`, (i) => net.act(obsAt(i), batch, rng, false)));
}
const dir = mkdtempSync(join(tmpdir(), 'rlft-latency-'));
const file = join(dir, 'policy.onnx');
exportOnnx(spec, tensors, file);
const policy = new MlpPolicy(spec, tensors);
const plainObs = Array.from({ length: 1024 }, (_, i) => Array.from(observations.subarray(i * 4, i * 4 + 4)));
rows.push(await time('MlpPolicy.act (flatten, forward, argmax), batch 1', (i) => policy.act(plainObs[i % 1024])));
const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
for (const batch of [1, 8]) {
  const feeds = Array.from({ length: 64 }, (_, i) => ({ obs: new ort.Tensor('float32', observations.slice(i * batch * 4, (i + 1) * batch * 4), [batch, 4]) }));
  rows.push(await time(`onnxruntime-node session.run, batch ${batch}`, (i) => session.run(feeds[i % 64])));
}
await session.release();
rmSync(dir, { recursive: true, force: true });

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`4-64-64-2 tanh actor-critic, Node ${process.version}, median of ${repetitions} × ${seconds}s`);
for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.microseconds.toFixed(2).padStart(8)} µs`);
