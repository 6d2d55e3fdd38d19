// CartPole-v1 steps per second: a bare physics loop (the reference), the raw env, make() with
// its wrappers, and vector envs (SyncVectorEnv, the native vector_entry_point, AsyncVectorEnv)
// at 8 and 64 envs. Writes bench/results/envs.json and prints a table.
//
//   npm run bench                      (builds first)
//   node bench/envs.bench.ts [--repetitions 5] [--seconds 0.3]
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PluginHost, Rng, writeFileAtomic, type Env, type VectorEnv, type VectorizationMode } from '@rlft/core';
import { CartPoleEnv } from '@rlft/envs-classic';
import { formatRate, formatTable, machineInfo, measure, type BenchCase, type Measurement } from './harness.ts';

const ENV_ID = 'CartPole-v1';
const RESULTS = fileURLToPath(new URL('./results/envs.json', import.meta.url));
const GOALS = [
  { name: 'make() with the default wrappers', case: 'make', atLeast: 1_000_000 },
  { name: '64-env synchronous vector env (makeVec default: vector_entry_point)', case: 'vector-entry-point-64', atLeast: 10_000_000 },
];

const { values: args } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '0.3' },
  },
});
const measureOptions = { repetitions: Number(args.repetitions), seconds: Number(args.seconds) };
if (!(measureOptions.repetitions >= 1 && measureOptions.seconds > 0)) {
  throw new Error(`--repetitions must be ≥ 1 and --seconds > 0, got ${args.repetitions} and ${args.seconds}`);
}

// Actions are drawn before timing so that the generator is not measured.
const rng = Rng.fromSeed(2024);
const ACTION_MASK = (1 << 16) - 1;
const actions = Uint8Array.from({ length: ACTION_MASK + 1 }, () => rng.integer(0, 1));
const BATCH_MASK = 63;
const actionBatches = (numEnvs: number): Int32Array[] =>
  Array.from({ length: BATCH_MASK + 1 }, () => Int32Array.from({ length: numEnvs }, () => rng.integer(0, 1)));
const RESET_MASK = 1023;
const resetNoise = Float64Array.from({ length: (RESET_MASK + 1) * 4 }, () => rng.uniform(-0.05, 0.05));

/**
 * The floor every case is compared with: CartPole's Euler step written inline on local
 * variables (Gymnasium's formulas), with the termination test and a reset from pre-drawn
 * noise — no env object, no observation array, no result object.
 */
function referenceCase(): BenchCase {
  const gravity = 9.8;
  const totalMass = 1.1;
  const poleMassLength = 0.05;
  const halfLength = 0.5;
  const massPole = 0.1;
  const tau = 0.02;
  const thetaThreshold = (12 * 2 * Math.PI) / 360;
  let x = 0;
  let xDot = 0;
  let theta = 0;
  let thetaDot = 0;
  let resets = 0;
  let checksum = 0;
  return {
    name: 'reference',
    description: 'bare CartPole physics inline (no env object)',
    numEnvs: 1,
    run(iterations) {
      for (let i = 0; i < iterations; i++) {
        const force = actions[i & ACTION_MASK] === 1 ? 10 : -10;
        const cosTheta = Math.cos(theta);
        const sinTheta = Math.sin(theta);
        const temp = (force + poleMassLength * thetaDot * thetaDot * sinTheta) / totalMass;
        const thetaAcc = (gravity * sinTheta - cosTheta * temp) / (halfLength * (4 / 3 - (massPole * cosTheta * cosTheta) / totalMass));
        const xAcc = temp - (poleMassLength * thetaAcc * cosTheta) / totalMass;
        x += tau * xDot;
        xDot += tau * xAcc;
        theta += tau * thetaDot;
        thetaDot += tau * thetaAcc;
        checksum += 1;
        if (x < -2.4 || x > 2.4 || theta < -thetaThreshold || theta > thetaThreshold) {
          const k = (resets++ & RESET_MASK) * 4;
          x = resetNoise[k];
          xDot = resetNoise[k + 1];
          theta = resetNoise[k + 2];
          thetaDot = resetNoise[k + 3];
        }
      }
      // Using the state keeps the loop from being optimised away.
      return x === Infinity ? checksum : iterations;
    },
  };
}

/** A single env stepped with pre-drawn actions, reset whenever its episode ends. */
function singleEnvCase(name: string, description: string, env: Env<Float32Array, number>): BenchCase {
  env.reset({ seed: 0 });
  let step = 0;
  return {
    name,
    description,
    numEnvs: 1,
    run(iterations) {
      for (let i = 0; i < iterations; i++) {
        const result = env.step(actions[step++ & ACTION_MASK]);
        if (result.terminated || result.truncated) env.reset();
      }
      return iterations;
    },
    dispose: () => env.close(),
  };
}

/** A vector env stepped with pre-drawn batches of actions (its autoreset handles episode ends). */
function vectorCase(name: string, description: string, venv: VectorEnv<unknown, Int32Array>): BenchCase {
  const batches = actionBatches(venv.numEnvs);
  venv.reset({ seed: 0 });
  let step = 0;
  return {
    name,
    description,
    numEnvs: venv.numEnvs,
    run(iterations) {
      for (let i = 0; i < iterations; i++) venv.step(batches[step++ & BATCH_MASK]);
      return iterations * venv.numEnvs;
    },
    dispose: () => venv.close(),
  };
}

async function main(): Promise<void> {
  const host = new PluginHost();
  if (!(await host.load('@rlft/envs-classic'))) throw host.failures[0].error;
  const vector = async (mode: VectorizationMode, numEnvs: number): Promise<VectorEnv<unknown, Int32Array>> =>
    host.makeVec<unknown, Int32Array>(ENV_ID, numEnvs, { vectorizationMode: mode });

  const makers: (() => Promise<BenchCase> | BenchCase)[] = [
    referenceCase,
    () => singleEnvCase('raw', 'new CartPoleEnv(), no wrappers', new CartPoleEnv()),
    async () => singleEnvCase('make', "make('CartPole-v1'): ActionChecker, TimeLimit(500), OrderEnforcing", await host.registry.make<Float32Array, number>(ENV_ID)),
  ];
  for (const numEnvs of [8, 64]) {
    makers.push(
      async () => vectorCase(`sync-${numEnvs}`, `SyncVectorEnv over ${numEnvs} make() envs`, await vector('sync', numEnvs)),
      async () => vectorCase(`vector-entry-point-${numEnvs}`, `native CartPoleVectorEnv (vector_entry_point), ${numEnvs} envs`, await vector('vector_entry_point', numEnvs)),
    );
  }
  for (const numEnvs of [8, 64]) {
    makers.push(async () => vectorCase(`async-${numEnvs}`, `AsyncVectorEnv, ${numEnvs} make() envs on worker threads`, await vector('async', numEnvs)));
  }

  const started = performance.now();
  const measurements: Measurement[] = [];
  for (const make of makers) {
    const bench = await make();
    measurements.push(measure(bench, measureOptions));
    await bench.dispose?.();
  }
  const reference = measurements[0].stepsPerSecond;
  const cases = measurements.map((m) => ({
    ...m,
    stepsPerSecond: Math.round(m.stepsPerSecond),
    repetitions: m.repetitions.map(Math.round),
    ratioToReference: Math.round((m.stepsPerSecond / reference) * 1e4) / 1e4,
  }));
  const goals = GOALS.map((goal) => {
    const measured = cases.find((c) => c.name === goal.case);
    if (!measured) throw new Error(`goal '${goal.name}' refers to unknown case '${goal.case}'`);
    return { ...goal, stepsPerSecond: measured.stepsPerSecond, pass: measured.stepsPerSecond >= goal.atLeast };
  });

  const report = {
    benchmark: 'envs',
    env: ENV_ID,
    date: new Date().toISOString(),
    machine: machineInfo(),
    method: {
      repetitions: measureOptions.repetitions,
      secondsPerRepetition: measureOptions.seconds,
      statistic: 'median steps/s over the repetitions, after calibration and warm-up',
      actions: 'uniform random 0/1, drawn before timing',
      reference: 'the bare CartPole physics loop of this run; ratio = steps/s ÷ reference steps/s',
    },
    cases,
    goals,
    durationSeconds: Math.round(performance.now() - started) / 1000,
  };
  writeFileAtomic(RESULTS, `${JSON.stringify(report, null, 2)}\n`);

  const m = report.machine;
  console.log(`CartPole-v1 steps/s on ${m.cpuModel} (${m.cores} cores), Node ${m.node}; median of ${measureOptions.repetitions} × ${measureOptions.seconds} s\n`);
  console.log(formatTable(
    ['case', 'envs', 'steps/s', '× reference', 'description'],
    cases.map((c) => [c.name, String(c.numEnvs), formatRate(c.stepsPerSecond), c.ratioToReference.toFixed(3), c.description]),
  ));
  console.log('');
  for (const goal of goals) {
    console.log(`${goal.pass ? 'PASS' : 'FAIL'}  ${goal.name}: ${formatRate(goal.stepsPerSecond)} steps/s (goal ≥ ${formatRate(goal.atLeast)})`);
  }
  console.log(`\nwrote ${RESULTS} in ${report.durationSeconds.toFixed(1)} s`);
}

await main();
