// HalfCheetah-v5 speed: MuJoCo physics steps/s in WebAssembly (mj_step on one model/data), env
// steps/s through make() (frame_skip 5: five mj_step per env step), a vector env on 2 worker
// threads, and native MuJoCo physics steps/s on the same MJCF in the same run (goal: WebAssembly
// ≥ 0.8× native). Native MuJoCo is Debian's libmujoco-dev, installed with apt-get when missing
// if this runs as root; --native-mujoco DIR adds another build (for example the same release as
// the WebAssembly package, unpacked from the `mujoco` Python wheel: DIR/mujoco/include and
// DIR/mujoco/libmujoco.so.*; or set RLFT_NATIVE_MUJOCO=DIR). Writes bench/results/mujoco.json
// and prints a table.
//
//   npm run bench                      (builds first; runs the other benchmarks too)
//   node bench/mujoco.bench.ts [--repetitions 5] [--seconds 0.5] [--native-mujoco DIR] [--no-native] [--no-install]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import loadMujoco from '@mujoco/mujoco';
import { PluginHost, writeFileAtomic, type Box, type Env, type VectorEnv } from '@rlft/core';
import { formatRate, formatTable, machineInfo, measure, median, type BenchCase, type Measurement } from './harness.ts';
import { debianMujoco, directoryMujoco, measureNative, type NativeBuild, type NativeLookup, type NativeMeasurement } from './native-mujoco.ts';

const ENV_ID = 'HalfCheetah-v5';
const MODEL = fileURLToPath(new URL('../envs/mujoco/models/half_cheetah.xml', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/mujoco.json', import.meta.url));
const FRAME_SKIP = 5;
const WORKERS = 2;
const VECTOR_SIZES = [2, 8];
const NATIVE_RATIO_GOAL = 0.8;
// Shared with native/mujoco-steps.c: the control table, the reset period and the check length.
const CONTROL_ROWS = 4096;
const RESET_EVERY = 1000;
const CHECK_STEPS = 500;
/** V8 needs about 20k mj_step calls before the WebAssembly code reaches its optimised tier. */
const WASM_WARMUP_STEPS = 30_000;

const { values: args } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '0.5' },
    'native-mujoco': { type: 'string' },
    'no-native': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
  },
});
const measureOptions = { repetitions: Number(args.repetitions), seconds: Number(args.seconds) };
if (!(Number.isInteger(measureOptions.repetitions) && measureOptions.repetitions >= 1 && measureOptions.seconds > 0)) {
  throw new Error(`--repetitions must be a whole number ≥ 1 and --seconds > 0, got ${args.repetitions} and ${args.seconds}`);
}

/** Uniform controls in [-1, 1) from the 32-bit LCG that native/mujoco-steps.c uses too. */
function controlTable(rows: number, width: number): Float64Array {
  const table = new Float64Array(rows * width);
  let state = 2024;
  for (let i = 0; i < table.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    table[i] = (state / 4294967296) * 2 - 1;
  }
  return table;
}

/** mj_step on one model and data, driven like the native program: table controls, reset every 1000 steps. */
async function physicsCase(): Promise<BenchCase & { checkX: number; mujocoVersion: string }> {
  const mj = await loadMujoco();
  const model = mj.MjModel.from_xml_string(readFileSync(MODEL, 'utf8'));
  const data = new mj.MjData(model);
  const nu = model.nu;
  const controls = controlTable(CONTROL_ROWS, nu);
  let count = 0;
  const run = (iterations: number): number => {
    // Nothing is allocated inside the loop, so these views stay valid for it.
    const ctrl = data.ctrl as Float64Array;
    for (let i = 0; i < iterations; i++) {
      const row = (count % CONTROL_ROWS) * nu;
      for (let k = 0; k < nu; k++) ctrl[k] = controls[row + k];
      mj.mj_step(model, data);
      if (++count % RESET_EVERY === 0) mj.mj_resetData(model, data);
    }
    return iterations;
  };
  mj.mj_resetData(model, data);
  run(CHECK_STEPS);
  const checkX = (data.qpos as Float64Array)[0];
  run(WASM_WARMUP_STEPS);
  mj.mj_resetData(model, data);
  count = 0;
  return {
    name: 'physics',
    description: 'mj_step on one MjModel/MjData in WebAssembly (reset every 1000 steps)',
    numEnvs: 1,
    run,
    dispose() {
      data.delete();
      model.delete();
    },
    checkX,
    mujocoVersion: mj.mj_versionString(),
  };
}

/** make() with its wrappers, pre-drawn actions, reset when an episode ends. */
function envCase(env: Env<Float64Array, Float32Array>): BenchCase {
  const size = (env.actionSpace as Box).shape[0];
  const table = controlTable(256, size);
  const actions = Array.from({ length: 256 }, (_, i) => Float32Array.from(table.subarray(size * i, size * (i + 1))));
  env.reset({ seed: 0 });
  let step = 0;
  return {
    name: 'env',
    description: `make('${ENV_ID}'): ${FRAME_SKIP} mj_step per env step, observation, reward terms in info, TimeLimit(1000)`,
    numEnvs: 1,
    run(iterations) {
      for (let i = 0; i < iterations; i++) {
        const result = env.step(actions[step++ & 255]);
        if (result.terminated || result.truncated) env.reset();
      }
      return iterations;
    },
    dispose: () => env.close(),
  };
}

function vectorCase(venv: VectorEnv<unknown, Float32Array>): BenchCase {
  const width = venv.numEnvs * (venv.singleActionSpace as Box).shape[0];
  const table = controlTable(64, width);
  const batches = Array.from({ length: 64 }, (_, i) => Float32Array.from(table.subarray(width * i, width * (i + 1))));
  venv.reset({ seed: 0 });
  let step = 0;
  return {
    name: `async-${venv.numEnvs}`,
    description: `AsyncVectorEnv, ${venv.numEnvs} make() envs on ${WORKERS} worker threads (each loads its own module)`,
    numEnvs: venv.numEnvs,
    run(iterations) {
      for (let i = 0; i < iterations; i++) venv.step(batches[step++ & 63]);
      return iterations * venv.numEnvs;
    },
    dispose: () => venv.close(),
  };
}

const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const started = performance.now();
  const loadAverageAtStart = loadavg().map((l) => round(l, 2));
  const host = new PluginHost();
  if (!(await host.load('@rlft/envs-mujoco'))) throw host.failures[0].error;
  const workDir = mkdtempSync(join(tmpdir(), 'rlft-mujoco-bench-'));
  try {
    const nativeSkipped: string[] = [];
    const builds: NativeBuild[] = [];
    const lookups: NativeLookup[] = [];
    if (args['no-native']) nativeSkipped.push('--no-native was given');
    else lookups.push(debianMujoco(workDir, !args['no-install'], (line) => console.error(line)));
    const nativeDir = args['native-mujoco'] ?? process.env.RLFT_NATIVE_MUJOCO;
    if (nativeDir !== undefined && nativeDir !== '') lookups.push(directoryMujoco(workDir, nativeDir));
    for (const lookup of lookups) {
      if ('skipped' in lookup) nativeSkipped.push(lookup.skipped);
      else builds.push(lookup.build);
    }

    // WebAssembly and native physics take turns, one repetition each per round, so that both
    // see the same load on a shared machine; each repetition is calibrated and warmed up anew.
    const physics = await physicsCase();
    const wasmRates: number[] = [];
    const nativeRounds: NativeMeasurement[][] = builds.map(() => []);
    let stepsPerRepetition = 0;
    for (let round = 0; round < measureOptions.repetitions; round++) {
      const measured = measure(physics, { repetitions: 1, seconds: measureOptions.seconds });
      wasmRates.push(measured.stepsPerSecond);
      stepsPerRepetition = measured.stepsPerRepetition;
      builds.forEach((build, b) => {
        const result = measureNative(build, MODEL, workDir, 1, measureOptions.seconds);
        if ('failed' in result) throw new Error(`native MuJoCo (${build.source}) failed: ${result.failed}`);
        nativeRounds[b].push(result);
      });
    }
    await physics.dispose?.();
    const native = nativeRounds.map((rounds): NativeMeasurement => {
      const rates = rounds.map((r) => r.stepsPerSecond);
      const { source, mujocoVersion, checkX, modelNote } = rounds[0];
      return {
        source,
        mujocoVersion,
        stepsPerSecond: round(median(rates)),
        repetitions: rates.map((r) => round(r)),
        stepsPerRepetition: round(median(rounds.map((r) => r.stepsPerRepetition))),
        checkX,
        ...(modelNote ? { modelNote } : {}),
      };
    });
    const measurements: (Measurement & { physicsStepsPerSecond: number })[] = [
      {
        name: physics.name,
        description: physics.description,
        numEnvs: 1,
        stepsPerSecond: median(wasmRates),
        repetitions: wasmRates,
        stepsPerRepetition,
        physicsStepsPerSecond: median(wasmRates),
      },
    ];
    const record = async (bench: BenchCase, physicsPerStep: number): Promise<void> => {
      const measured = measure(bench, measureOptions);
      measurements.push({ ...measured, physicsStepsPerSecond: measured.stepsPerSecond * physicsPerStep });
      await bench.dispose?.();
    };
    await record(envCase(await host.registry.make<Float64Array, Float32Array>(ENV_ID, { frame_skip: FRAME_SKIP })), FRAME_SKIP);
    for (const numEnvs of VECTOR_SIZES) {
      const venv = await host.makeVec<unknown, Float32Array>(ENV_ID, numEnvs, { vectorizationMode: 'async', workers: WORKERS, kwargs: { frame_skip: FRAME_SKIP } });
      await record(vectorCase(venv), FRAME_SKIP);
    }
    writeReport({ started, loadAverageAtStart, physics, measurements, native, nativeSkipped });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface Outcome {
  started: number;
  loadAverageAtStart: number[];
  physics: { checkX: number; mujocoVersion: string };
  measurements: (Measurement & { physicsStepsPerSecond: number })[];
  native: NativeMeasurement[];
  nativeSkipped: string[];
}

function writeReport({ started, loadAverageAtStart, physics, measurements, native, nativeSkipped }: Outcome): void {
  const wasmPhysics = measurements[0].stepsPerSecond;
  const goals = native.map((n) => {
    const ratio = round(wasmPhysics / n.stepsPerSecond, 3);
    return {
      name: `WebAssembly physics steps/s ≥ ${NATIVE_RATIO_GOAL}× native MuJoCo ${n.mujocoVersion} (${n.source})`,
      wasmStepsPerSecond: round(wasmPhysics),
      nativeStepsPerSecond: n.stepsPerSecond,
      ratio,
      atLeast: NATIVE_RATIO_GOAL,
      pass: ratio >= NATIVE_RATIO_GOAL,
    };
  });

  const report = {
    benchmark: 'mujoco',
    env: ENV_ID,
    model: 'envs/mujoco/models/half_cheetah.xml',
    date: new Date().toISOString(),
    machine: { ...machineInfo(), loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
    wasm: { package: '@mujoco/mujoco', mujocoVersion: physics.mujocoVersion },
    method: {
      repetitions: measureOptions.repetitions,
      secondsPerRepetition: measureOptions.seconds,
      statistic: 'median steps/s over the repetitions, after calibration and warm-up; WebAssembly and native physics alternate, one calibrated repetition each per round (the native program follows the same procedure in C)',
      controls: `uniform in [-1, 1) from a 32-bit LCG shared by the WebAssembly and native runs, ${CONTROL_ROWS} rows cycled; physics resets every ${RESET_EVERY} steps`,
      physicsStepsPerSecond: `env steps/s × frame_skip (${FRAME_SKIP}) for the env and vector cases: the physics rate they reach including env overhead`,
      trajectoryCheck: `root x after ${CHECK_STEPS} steps from the initial state under the shared controls`,
    },
    cases: measurements.map((m) => ({
      ...m,
      stepsPerSecond: round(m.stepsPerSecond),
      physicsStepsPerSecond: round(m.physicsStepsPerSecond),
      repetitions: m.repetitions.map((r) => round(r)),
    })),
    native,
    nativeSkipped,
    trajectoryCheck: { wasm: physics.checkX, native: native.map((n) => ({ mujocoVersion: n.mujocoVersion, checkX: n.checkX })) },
    goals,
    durationSeconds: round((performance.now() - started) / 1000, 1),
  };
  writeFileAtomic(RESULTS, `${JSON.stringify(report, null, 2)}\n`);

  const m = report.machine;
  console.log(`${ENV_ID} on ${m.cpuModel} (${m.cores} cores, load ${loadAverageAtStart.join(' ')}), Node ${m.node}, WebAssembly MuJoCo ${physics.mujocoVersion}; median of ${measureOptions.repetitions} × ${measureOptions.seconds} s\n`);
  console.log(formatTable(
    ['case', 'envs', 'steps/s', 'physics steps/s', 'description'],
    [
      ...report.cases.map((c) => [c.name, String(c.numEnvs), formatRate(c.stepsPerSecond), formatRate(c.physicsStepsPerSecond), c.description]),
      ...native.map((n) => [`native ${n.mujocoVersion}`, '1', formatRate(n.stepsPerSecond), formatRate(n.stepsPerSecond), `mj_step in C, ${n.source}`]),
    ],
  ));
  console.log('');
  for (const reason of nativeSkipped) console.log(`native comparison skipped: ${reason}`);
  for (const goal of goals) console.log(`${goal.pass ? 'PASS' : 'FAIL'}  ${goal.name}: ${goal.ratio.toFixed(2)}×`);
  console.log(`\nwrote ${RESULTS} in ${report.durationSeconds.toFixed(1)} s`);
}

await main();
