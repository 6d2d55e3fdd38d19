import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, IsolatedRlft, lastJsonLine, repoRoot, type CliResult } from './helpers/cli.js';

// `rlft run` → final evaluation → `rlft eval --policy mlp|onnx` → `rlft export`, Ctrl-C and
// --resume, with the fixture plugin's random-search algorithm: it trains a small MLP actor in
// a fraction of a second and saves real rlft checkpoints.
const rlft = new IsolatedRlft();
const runsDir = join(rlft.dir, 'runs');
const RUN_KEYS = ['runDir', 'env', 'algo', 'steps', 'wallSeconds', 'finalEval'];
const EVAL_KEYS = ['env', 'policy', 'episodes', 'seed', 'return', 'length'];

function writeFile(name: string, text: string): string {
  const path = join(rlft.dir, name);
  writeFileSync(path, text);
  return path;
}

const preset = writeFile(
  'search.yaml',
  `# a preset for the fixture's random search
env: cartpole
algo: random-search
seed: 3
config:
  total_timesteps: 3000
  hidden_sizes: [8]
eval:
  episodes: 5
`,
);

function metricsSteps(runDir: string): number[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).step as number);
}

/** A clean usage or runtime error: the exit code, the message on stderr, no stack trace. */
function expectError(result: CliResult, code: number, message: RegExp): void {
  expect(result.stderr).toMatch(message);
  expect(result.code).toBe(code);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

let base: { result: CliResult; line: Record<string, any> };

beforeAll(async () => {
  const link = await rlft.run(['plugins', 'link', '--no-install', join(repoRoot, 'test/fixtures/contributions-plugin')]);
  if (link.code !== 0) throw new Error(`linking the fixture failed: ${link.stderr}`);
  const result = await rlft.run(['run', '--config', preset, '--set', 'hidden_sizes=[4]', '--out', runsDir, '--json']);
  if (result.code !== 0) throw new Error(`the base run failed:\n${result.stderr}`);
  base = { result, line: lastJsonLine(result.stdout) };
});
afterAll(() => rlft.remove());

describe('rlft run --config FILE --json', () => {
  it('prints one JSON line: the run, its steps and time, and the final evaluation in `rlft eval --json` form', () => {
    const { result, line } = base;
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(line)).toEqual(RUN_KEYS);
    expect(line).toMatchObject({ env: 'CartPole-v1', algo: 'random-search' });
    expect(line.runDir.startsWith(join(runsDir, 'random-search-CartPole-v1-'))).toBe(true);
    expect(line.steps).toBeGreaterThanOrEqual(3000);
    expect(line.wallSeconds).toBeGreaterThan(0);
    expect(Object.keys(line.finalEval)).toEqual(EVAL_KEYS);
    expect(line.finalEval).toMatchObject({ env: 'CartPole-v1', policy: 'mlp', episodes: 5, seed: 10000 });
    expect(line.finalEval.return.mean).toBeGreaterThan(0);
  });

  it('records the resolved settings: preset, flags over it, defaults filled in, aliases resolved', () => {
    const config = JSON.parse(readFileSync(join(base.line.runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      env: 'CartPole-v1',
      env_kwargs: { sutton_barto_reward: false },
      algo: 'random-search',
      seed: 3,
      config: { total_timesteps: 3000, hidden_sizes: [4], weight_std: 1, checkpoint_every: 20 },
      eval: { episodes: 5, seed: 10000 },
      preset,
    });
    expect(config.rlft_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(config.command).toBe(`rlft run --config ${preset} --set 'hidden_sizes=[4]' --out ${runsDir} --json`);
  });

  it('writes eval.json, metrics.jsonl up to the last step, checkpoints and summary.md', () => {
    const { runDir, finalEval, steps } = base.line;
    const evaluation = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8'));
    expect(evaluation).toMatchObject({ ...finalEval, deterministic: true });
    expect(evaluation.checkpoint).toMatch(new RegExp(`^${join(runDir, 'checkpoints')}/step-\\d+$`));
    expect(existsSync(join(evaluation.checkpoint, 'state.json'))).toBe(true);
    expect(metricsSteps(runDir).at(-1)).toBe(steps);
    const summary = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# random-search on CartPole-v1\n/);
    expect(summary).toContain('- finished: yes');
    expect(summary).toContain('```yaml\nenv: CartPole-v1\n');
    expect(summary).toContain('Policy `mlp` (deterministic) on CartPole-v1, 5 episodes, seeds 10000…10004.');
  });

  it('the same settings give the same run', async () => {
    const again = await rlft.run(['run', '--config', preset, '--set', 'hidden_sizes=[4]', '--out', runsDir, '--json']);
    expect(again.code).toBe(0);
    const line = lastJsonLine(again.stdout);
    expect(line.runDir).not.toBe(base.line.runDir);
    expect(line.steps).toBe(base.line.steps);
    expect(line.finalEval).toEqual(base.line.finalEval);
  });

  it('reports preset mistakes with the file and line, and flag conflicts as usage errors', async () => {
    const badYaml = writeFile('bad.yaml', 'algo: random-search\nconfig:\n  total_timesteps: [1000\n');
    expectError(await rlft.run(['run', '--config', badYaml]), 1, new RegExp(`^Error: ${badYaml}:\\d+:\\d+: invalid YAML: `, 'm'));
    const typo = writeFile('typo.yaml', 'env: CartPole-v1\nalgo: random-search\nconfig:\n  total_timesteps: 1000\n  weight_sd: 2\n');
    expectError(await rlft.run(['run', '--config', typo]), 1, new RegExp(`unknown option 'weight_sd' \\(did you mean 'weight_std'\\?\\).*Set by: 'weight_sd' from ${typo}:5\\.`));
    expectError(await rlft.run(['run', '--config', preset, '--algo', 'constant-search']), 2, /--algo constant-search conflicts with .*search\.yaml:3, a preset for 'random-search'/);
    expectError(await rlft.run(['run', '--config', join(rlft.dir, 'missing.yaml')]), 1, /--config .*missing\.yaml: no such file/);
  });
});

describe('Ctrl-C and --resume', () => {
  const args = ['run', '--env', 'CartPole-v1', '--algo', 'random-search', '--steps', '100000', '--set', 'checkpoint_every=0', '--out', runsDir, '--json'];

  it('Ctrl-C saves a checkpoint; --resume continues it to exactly where an uninterrupted run ends', async () => {
    const whole = await rlft.run(args);
    expect(whole.code).toBe(0);
    const uninterrupted = lastJsonLine(whole.stdout);

    const child = rlft.spawn([...args, '--progress']);
    child.stderr!.setEncoding('utf8').on('data', function watch(chunk: string) {
      if (/\d+\/100,000 steps/.test(chunk)) {
        child.stderr!.off('data', watch);
        child.kill('SIGINT');
      }
    });
    const stopped = await collect(child, 60_000);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('Interrupted: saving a checkpoint');
    const partial = lastJsonLine(stopped.stdout);
    expect(stopped.stderr).toContain(`Continue with: rlft run --resume ${partial.runDir}`);
    expect(partial.finalEval).toBeNull();
    expect(partial.steps).toBeLessThan(100_000);
    // checkpoint_every=0: the only checkpoint is the one written on Ctrl-C.
    expect(readdirSync(join(partial.runDir, 'checkpoints'))).toEqual([`step-${String(partial.steps).padStart(12, '0')}`]);
    expect(existsSync(join(partial.runDir, 'eval.json'))).toBe(false);
    expect(readFileSync(join(partial.runDir, 'summary.md'), 'utf8')).toContain('- finished: no (interrupted');

    const resumed = await rlft.run(['run', '--resume', partial.runDir, '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`Resuming random-search on CartPole-v1 (seed 0) in ${partial.runDir}`);
    const line = lastJsonLine(resumed.stdout);
    expect(line.runDir).toBe(partial.runDir);
    expect(line.steps).toBe(uninterrupted.steps);
    expect(line.finalEval).toEqual(uninterrupted.finalEval);
    // Metrics were appended to the same file, with no step logged twice or skipped.
    expect(metricsSteps(partial.runDir)).toEqual(metricsSteps(uninterrupted.runDir));
    expect(existsSync(join(partial.runDir, 'eval.json'))).toBe(true);
  });

  it('Ctrl-C during the final evaluation keeps the finished episodes and leaves a complete run', async () => {
    const child = rlft.spawn(['run', '--env', 'CartPole-v1', '--algo', 'random-search', '--steps', '2000', '--eval-episodes', '10000000', '--out', runsDir, '--json', '--progress']);
    child.stderr!.setEncoding('utf8').on('data', function watch(chunk: string) {
      if (/evaluating: episode [1-9]/.test(chunk)) {
        child.stderr!.off('data', watch);
        child.kill('SIGINT');
      }
    });
    const stopped = await collect(child, 60_000);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('Interrupted: stopping the final evaluation after the current episode');
    const line = lastJsonLine(stopped.stdout);
    expect(line.finalEval.episodes).toBeGreaterThan(0);
    expect(line.finalEval.episodes).toBeLessThan(10_000_000);
    expect(stopped.stderr).toContain(`Interrupted during the final evaluation: it covers ${line.finalEval.episodes} of 10000000 episodes. Training is complete`);
    expect(stopped.stderr).not.toContain('--resume');
    expect(JSON.parse(readFileSync(join(line.runDir, 'eval.json'), 'utf8')).episodes).toBe(line.finalEval.episodes);
    expect(readFileSync(join(line.runDir, 'summary.md'), 'utf8')).toContain('- finished: yes');
  });

  it('--resume keeps the recorded settings: flags that would change them are refused', async () => {
    const { runDir } = base.line;
    expectError(await rlft.run(['run', '--resume', runDir, '--set', 'weight_std=2']), 2, /--set cannot be combined with --resume: a resumed run keeps the settings in .*config\.json/);
    expectError(await rlft.run(['run', '--resume', runDir, '--seed', '9']), 2, /--seed 9 disagrees with the run being resumed \(3 in .*config\.json\)/);
    expectError(await rlft.run(['run', '--resume', join(rlft.dir, 'nowhere')]), 1, /--resume .*nowhere: no such directory/);
    const checkpoint = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')).checkpoint as string;
    expectError(await rlft.run(['run', '--resume', checkpoint]), 1, new RegExp(`not a run directory \\(no config\\.json\\)\\. It looks like a checkpoint inside a run; --resume takes the run directory \\(${runDir}\\)`));
  });
});

describe('rlft eval --policy mlp|onnx, rlft export', () => {
  const evalArgs = ['eval', '--env', 'CartPole-v1', '--episodes', '5', '--seed', '10000', '--json'];

  it('--policy mlp --checkpoint RUN_DIR repeats the final evaluation; a checkpoint directory works too', async () => {
    const { runDir, finalEval } = base.line;
    const fromRun = await rlft.run([...evalArgs, '--policy', 'mlp,random', '--checkpoint', runDir]);
    expect(fromRun.code).toBe(0);
    const [mlp, random] = fromRun.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(mlp).toEqual(finalEval);
    expect(random.policy).toBe('random');
    const checkpoint = JSON.parse(readFileSync(join(runDir, 'eval.json'), 'utf8')).checkpoint as string;
    const fromCheckpoint = await rlft.run([...evalArgs, '--policy', 'mlp', '--policy-opt', `mlp.checkpoint=${checkpoint}`]);
    expect(lastJsonLine(fromCheckpoint.stdout)).toEqual(finalEval);
  });

  it('rlft export writes an ONNX model that acts exactly like the checkpoint', async () => {
    const { runDir, finalEval } = base.line;
    const exported = await rlft.run(['export', '--checkpoint', runDir, '--format', 'onnx', '--json']);
    expect(exported.code).toBe(0);
    const { out, bytes, checkpoint } = lastJsonLine(exported.stdout);
    expect(out).toBe(join(checkpoint, 'policy.onnx'));
    expect(existsSync(out)).toBe(true);
    expect(bytes).toBeGreaterThan(0);

    const onnx = await rlft.run([...evalArgs, '--policy', 'onnx', '--model', out]);
    expect(onnx.code).toBe(0);
    expect(lastJsonLine(onnx.stdout)).toEqual({ ...finalEval, policy: 'onnx' });

    const custom = join(rlft.dir, 'cartpole.onnx');
    const toFile = await rlft.run(['export', '--checkpoint', checkpoint, '--out', custom]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toContain(`Wrote ${custom} (${bytes} bytes) from ${checkpoint}`);
  });

  it('a missing or misplaced file flag is a clear error', async () => {
    expectError(await rlft.run([...evalArgs, '--policy', 'mlp']), 2, /--policy mlp needs --checkpoint PATH: a run directory \(its latest checkpoint\) or a checkpoint directory/);
    expectError(await rlft.run([...evalArgs, '--policy', 'onnx']), 2, /--policy onnx needs --model PATH: an \.onnx file/);
    expectError(await rlft.run([...evalArgs, '--checkpoint', base.line.runDir]), 2, /--checkpoint is for --policy mlp; add mlp to --policy/);
    expectError(await rlft.run([...evalArgs, '--policy', 'mlp', '--checkpoint', join(rlft.dir, 'nowhere')]), 1, /--checkpoint .*nowhere: no such file or directory/);
    expectError(await rlft.run(['export', '--checkpoint', runsDir]), 1, /^Error: .*runs is not a complete rlft checkpoint/m);
    expectError(await rlft.run(['export', '--checkpoint', base.line.runDir, '--format', 'tflite']), 2, /Expected --format=tflite to be one of: onnx/);
  });
});
