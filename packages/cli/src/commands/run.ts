import { join, resolve } from 'node:path';
import { Flags, type Interfaces } from '@oclif/core';
import { parseOptions, RunDirectory, type AlgorithmContribution, type PluginHost, type TrainResult } from '@rlft/core';
import { RlftCommand } from '../base-command.js';
import { latestCheckpointIn } from '../checkpoint-path.js';
import { CHECKPOINT_POLICY, evaluateCheckpoint, evaluateOnEnv, type EvaluationSummary } from '../evaluation.js';
import { evaluationJsonLine, evaluationTable } from '../format/evaluation.js';
import { formatMetric, formatNumber } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { abortOnInterrupt, INTERRUPTED_EXIT_CODE } from '../interrupt.js';
import { readPreset } from '../presets.js';
import { ProgressLine } from '../progress.js';
import { commandLine, readRunRecord, ResumeError, type RunRecord } from '../run-record.js';
import { mergeRunSettings, resolveAlgorithmConfig } from '../run-settings.js';
import { runSummary } from '../run-summary.js';
import { availableAlgorithms, trainInRun, type TrainingOutcome } from '../training.js';
import { TrainingMeter } from '../training-progress.js';

const DEFAULT_RUNS_DIR = 'runs';

/** Flags that define a run; with --resume they may only repeat what the run's config.json says. */
const RUN_DEFINING_FLAGS = ['config', 'set', 'kwarg', 'out', 'dataset', 'model', 'init'] as const;

export default class Run extends RlftCommand {
  static override summary = 'Train a policy on an environment, then evaluate it.';
  static override description = `Settings come from a preset (--config FILE, see config/) and the flags; a flag wins over the file (an --env other than the preset's drops the preset's env_kwargs). The merged config is checked against the algorithm's schema.

Writes one run directory, <out>/<algo>-<env>-<timestamp>: config.json (the resolved settings), metrics.jsonl, checkpoints/, eval.json (the final evaluation: the last checkpoint acting deterministically for eval.episodes episodes from seed eval.seed, default 10 from 10000) and summary.md.

With --json the last line of stdout is:
{"runDir","env","algo","steps","wallSeconds","finalEval":{…one \`rlft eval --json\` line…}}
(finalEval is null when there was no evaluation; wallSeconds counts training only.)

Ctrl-C stops training at the algorithm's next safe point, which saves a checkpoint (exit code 130); a second Ctrl-C quits at once. --resume RUN_DIR continues that run from its latest checkpoint to the same total_timesteps, appending to its metrics.jsonl. A resumed run keeps the settings in its config.json: --config, --set, -k and --out are refused, and --env, --algo, --seed and --steps must agree with it; --eval-episodes may change.

Without --algo (and no preset), lists the algorithms the installed plugins provide.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --config config/ppo-cartpole.yaml',
    '<%= config.bin %> <%= command.id %> --config config/ppo-cartpole.yaml --seed 2 --steps 50000 --set learning_rate=3e-4 --json',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --algo ppo --set num_envs=8 --set "hidden_sizes=[32,32]"',
    '<%= config.bin %> <%= command.id %> --resume runs/ppo-CartPole-v1-20260101T120000',
    '<%= config.bin %> <%= command.id %>',
  ];
  static override flags = {
    config: Flags.string({ char: 'c', helpValue: 'FILE', description: 'Preset YAML: env, env_kwargs, algo, seed, config, eval (see config/README.md).' }),
    env: Flags.string({ char: 'e', helpValue: 'ID', description: "Environment id or alias (see `rlft envs list`); replaces the preset's." }),
    algo: Flags.string({ char: 'a', helpValue: 'NAME', description: 'Training algorithm (run `rlft run` alone to list them); must match the preset if both are given.' }),
    set: Flags.string({
      helpValue: 'KEY=VALUE',
      description: 'Algorithm config value (repeatable), over the preset; dotted keys reach into objects; the value is read as JSON when it parses: --set "hidden_sizes=[32,32]".',
      multiple: true,
    }),
    steps: Flags.integer({ helpValue: 'N', description: 'Environment steps to train for (sets config.total_timesteps).', min: 1 }),
    seed: Flags.integer({ char: 's', helpValue: 'S', description: "Seed for the environments and the algorithm (default: the preset's, else 0).", min: 0 }),
    kwarg: Flags.string({
      char: 'k',
      helpValue: 'KEY=VALUE',
      description: "Environment option as key=value (repeatable), over the preset's env_kwargs; the value is read as JSON when it parses, else as text.",
      multiple: true,
    }),
    dataset: Flags.string({
      helpValue: 'PATH',
      description: 'Offline dataset for algorithms that learn from one, such as --algo bc (sets config.dataset to the absolute path); the final evaluation then also plays the env\'s expert, when it has one, for comparison.',
    }),
    model: Flags.string({
      helpValue: 'DIR',
      description: 'Language model to fine-tune, for --algo sft|grpo: a model directory (Hugging Face layout), a LoRA adapter directory, an rlft run, or scratch:SIZE (sets config.model; paths become absolute).',
    }),
    init: Flags.string({
      helpValue: 'RUN_DIR',
      description: 'Start from the model a previous run trained (its latest checkpoint), e.g. GRPO after SFT (sets config.init to the absolute path).',
    }),
    out: Flags.string({ char: 'o', helpValue: 'DIR', description: `Directory under which the run directory is created (default: ${DEFAULT_RUNS_DIR}).` }),
    resume: Flags.string({ helpValue: 'RUN_DIR', description: 'Continue the run in RUN_DIR from its latest checkpoint.' }),
    'eval-episodes': Flags.integer({ helpValue: 'N', description: "Episodes of the final evaluation (default: the preset's eval.episodes, else 10; 0 skips it).", min: 0 }),
    json: Flags.boolean({ description: 'End stdout with one JSON line describing the run and its final evaluation (nothing else on stdout).' }),
    progress: Flags.boolean({ description: 'Show progress on stderr (default: only when stderr is a terminal).', allowNo: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Run);
    const host = await this.pluginHost();
    const algorithms = availableAlgorithms(host);
    if (flags.algo === undefined && flags.config === undefined && flags.resume === undefined) {
      this.listAlgorithms(algorithms);
      return;
    }

    const plan = flags.resume !== undefined ? await this.planResume(host, flags) : this.planNewRun(host, flags);
    const { record, run, algorithm, config } = plan;
    const episodes = flags['eval-episodes'] ?? record.eval.episodes;

    const progress = (flags.progress ?? Boolean(process.stderr.isTTY)) ? new ProgressLine() : undefined;
    const meter = new TrainingMeter();
    let phase: 'training' | 'evaluation' = 'training';
    const interrupt = abortOnInterrupt(() => {
      progress?.clear();
      const stopping = phase === 'training' ? 'saving a checkpoint and stopping' : 'stopping the final evaluation after the current episode';
      this.logToStderr(`Interrupted: ${stopping} (Ctrl-C again quits at once).`);
    });
    const what = `${record.algo} on ${record.env}`;
    this.logToStderr(`${plan.resumeFrom ? 'Resuming' : 'Training'} ${what} (seed ${record.seed}) in ${run.path}`);
    try {
      const training = await trainInRun({
        algorithm,
        config,
        registry: host.registry,
        envId: record.env,
        envKwargs: record.env_kwargs,
        seed: record.seed,
        run,
        ...(plan.resumeFrom !== undefined ? { resumeFrom: plan.resumeFrom } : {}),
        signal: interrupt.signal,
        onProgress: (p) => progress?.update(`${record.algo}: ${meter.update(p)}`),
      });
      progress?.clear();
      const { result } = training;

      phase = 'evaluation';
      const { finalEval, evalSkipped } = await this.finalEvaluation(host, record, result, {
        episodes,
        signal: interrupt.signal,
        ...(progress ? { progress } : {}),
      });
      const expertEval = finalEval && typeof config.dataset === 'string' ? await this.expertEvaluation(host, record, finalEval, interrupt.signal) : undefined;
      if (finalEval) {
        run.writeJSON('eval.json', {
          ...JSON.parse(evaluationJsonLine(finalEval)),
          checkpoint: result.checkpoint,
          deterministic: true,
          ...(expertEval ? { expert: JSON.parse(evaluationJsonLine(expertEval)) } : {}),
        });
      }
      // Ctrl-C during training leaves a run to resume; during the evaluation, a complete run.
      const evaluationInterrupted = !result.interrupted && interrupt.signal.aborted;

      run.writeSummary(
        runSummary({
          runDir: run.path,
          record,
          steps: training.steps,
          wallSeconds: training.wallSeconds,
          interrupted: result.interrupted,
          ...(plan.resumeFrom ? { resumedFrom: plan.resumeFrom } : {}),
          ...(result.checkpoint ? { checkpoint: result.checkpoint } : {}),
          metrics: result.metrics,
          ...(finalEval ? { finalEval } : {}),
          ...(evalSkipped ? { evalSkipped } : {}),
        }),
      );

      if (flags.json) this.log(runJsonLine(run.path, record, training, finalEval));
      else this.printOutcome(run.path, record, training, finalEval, expertEval);
      if (result.interrupted) this.logToStderr(`Interrupted. Continue with: rlft run --resume ${run.path}`);
      if (evaluationInterrupted) {
        const covered = finalEval ? `: it covers ${finalEval.episodes} of ${episodes} episodes` : '';
        this.logToStderr(
          `Interrupted during the final evaluation${covered}. Training is complete; evaluate again with: rlft eval --env ${record.env} ${evaluationFlags(result, run.path)} --episodes ${episodes} --seed ${record.eval.seed}`,
        );
      }
      if (result.interrupted || evaluationInterrupted) process.exitCode = INTERRUPTED_EXIT_CODE;
    } finally {
      interrupt.dispose();
      progress?.clear();
    }
  }

  /** The human form: final metrics, the evaluation table, where the run is and what to do next. */
  private printOutcome(runDir: string, record: RunRecord, training: TrainingOutcome, finalEval: EvaluationSummary | undefined, expertEval?: EvaluationSummary): void {
    const metrics = Object.entries(training.result.metrics);
    if (metrics.length) {
      this.log(renderTable(metrics, [{ header: 'metric', value: ([name]) => name }, { header: 'value', value: ([, v]) => formatMetric(v), align: 'right' }]));
      this.log('');
    }
    if (finalEval) {
      this.log(`Final evaluation (deterministic, seeds ${finalEval.seed}…${finalEval.seed + finalEval.episodes - 1}):\n`);
      this.log(evaluationTable(expertEval ? [finalEval, expertEval] : [finalEval]));
      this.log('');
    }
    this.log(`Trained ${formatNumber(training.wallSeconds, 1)} s${training.steps !== null ? `, ${training.steps} steps` : ''}.`);
    this.log(`Run directory: ${runDir}`);
    if (training.result.checkpoint) this.log(`Last checkpoint: ${training.result.checkpoint}`);
    if (finalEval) this.log(`Evaluate again: rlft eval --env ${record.env} ${evaluationFlags(training.result, runDir)}`);
  }

  /**
   * Evaluate the last checkpoint with the policy the algorithm names (the mlp policy by default), or say why not. Training has succeeded by
   * now and its checkpoint is on disk, so a failed evaluation is a warning, not an error.
   */
  private async finalEvaluation(
    host: PluginHost,
    record: RunRecord,
    result: TrainResult,
    options: { episodes: number; signal: AbortSignal; progress?: ProgressLine },
  ): Promise<{ finalEval?: EvaluationSummary; evalSkipped?: string }> {
    const { episodes, signal, progress } = options;
    if (result.interrupted) return { evalSkipped: 'training was interrupted' };
    if (signal.aborted) return { evalSkipped: 'stopped by Ctrl-C' };
    if (episodes === 0) return { evalSkipped: 'skipped (0 episodes asked for)' };
    if (!result.checkpoint) return { evalSkipped: `${record.algo} wrote no checkpoint` };
    let evalSkipped: string;
    const policyId = result.evaluation?.policy ?? CHECKPOINT_POLICY;
    if (!host.policies().some((p) => p.id === policyId)) {
      evalSkipped = `no '${policyId}' policy is registered (its plugin did not load)`;
    } else {
      let returnSum = 0;
      const common = {
        envId: record.env,
        envKwargs: record.env_kwargs,
        episodes,
        seed: record.eval.seed,
        signal,
        onEpisode: (episode: { return: number }, index: number) => {
          returnSum += episode.return;
          progress?.update(`evaluating: episode ${index + 1}/${episodes}, mean return ${formatNumber(returnSum / (index + 1))}`, index + 1 === episodes);
        },
      };
      try {
        return {
          finalEval: result.evaluation
            ? await evaluateOnEnv(host, { ...common, policy: host.policy(policyId), policyOptions: result.evaluation.options })
            : await evaluateCheckpoint(host, { ...common, checkpoint: result.checkpoint }),
        };
      } catch (error) {
        evalSkipped = `the evaluation failed: ${(error as Error).message}`;
      } finally {
        progress?.clear();
      }
    }
    this.logToStderr(`Warning: final evaluation skipped: ${evalSkipped}`);
    return { evalSkipped };
  }

  /**
   * A run that learned from a dataset is judged against the env's expert (`--policy expert`) on
   * the same seeds, when the env has one; failing that is only a warning.
   */
  private async expertEvaluation(host: PluginHost, record: RunRecord, finalEval: EvaluationSummary, signal: AbortSignal): Promise<EvaluationSummary | undefined> {
    if (signal.aborted || !host.expertFor(record.env) || !host.policies().some((p) => p.id === 'expert')) return undefined;
    try {
      return await evaluateOnEnv(host, {
        envId: record.env,
        envKwargs: record.env_kwargs,
        policy: host.policy('expert'),
        policyOptions: {},
        episodes: finalEval.episodes,
        seed: finalEval.seed,
        signal,
      });
    } catch (error) {
      this.logToStderr(`Warning: the expert's evaluation for comparison failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  private listAlgorithms(algorithms: ReturnType<PluginHost['algorithms']>): void {
    this.log('Available training algorithms:\n');
    this.log(
      renderTable(algorithms, [
        { header: 'algorithm', value: (a) => a.id },
        { header: 'plugin', value: (a) => a.plugin },
        { header: 'description', value: (a) => a.description },
      ]),
    );
    this.log('\nStart one with: rlft run --env <id> --algo <algorithm>, or from a preset: rlft run --config config/ppo-cartpole.yaml');
  }

  /** Merge the preset and the flags, check everything, then create the run directory and record it. */
  private planNewRun(host: PluginHost, flags: RunFlags): RunPlan {
    const preset = flags.config !== undefined ? readPreset(flags.config) : undefined;
    const settings = mergeRunSettings(
      preset,
      {
        ...(flags.env !== undefined ? { env: flags.env } : {}),
        ...(flags.algo !== undefined ? { algo: flags.algo } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
        ...(flags.set !== undefined || flags.dataset !== undefined || flags.model !== undefined || flags.init !== undefined ? { set: [...(flags.set ?? []), ...shorthandSettings(flags)] } : {}),
        ...(flags.kwarg !== undefined ? { kwargs: flags.kwarg } : {}),
        ...(flags['eval-episodes'] !== undefined ? { evalEpisodes: flags['eval-episodes'] } : {}),
      },
      (a, b) => host.registry.spec(a).id === host.registry.spec(b).id,
    );
    for (const note of settings.notes) this.logToStderr(`Note: ${note}`);
    if (settings.algo === undefined) this.usageError(`${flags.config} names no algorithm: add --algo <name> or an 'algo:' line (run \`rlft run\` to list them)`);
    const algorithm = host.algorithm(settings.algo);
    if (settings.env === undefined) {
      this.usageError(`--algo ${algorithm.id} needs an environment: add --env <id>${preset ? ` or an 'env:' line in ${preset.file}` : ''} (see \`rlft envs list\`)`);
    }
    const spec = host.registry.spec(settings.env);
    const envKwargs = host.registry.resolveKwargs(spec.id, settings.envKwargs);
    const config = resolveAlgorithmConfig(algorithm, settings);
    const record: RunRecord = {
      env: spec.id,
      env_kwargs: envKwargs,
      algo: algorithm.id,
      algo_plugin: algorithm.plugin,
      seed: settings.seed,
      config,
      eval: { ...settings.eval },
      rlft_version: this.config.version,
      command: commandLine(this.config.bin, [this.id ?? 'run', ...this.argv]),
      ...(preset ? { preset: preset.file } : {}),
    };
    // Namespaced ids (gridworld/GridWorld-v0) keep their namespace, without making a subdirectory.
    const run = RunDirectory.create(resolve(flags.out ?? DEFAULT_RUNS_DIR), `${algorithm.id}-${spec.id.replaceAll('/', '-')}`);
    run.writeConfig(record);
    return { record, run, algorithm, config };
  }

  /** Read the run's config.json, check the flags agree with it, and find its latest checkpoint. */
  private async planResume(host: PluginHost, flags: RunFlags): Promise<RunPlan> {
    const runDir = flags.resume!;
    for (const name of RUN_DEFINING_FLAGS) {
      if (flags[name] !== undefined) this.usageError(`--${name === 'kwarg' ? 'kwarg (-k)' : name} cannot be combined with --resume: a resumed run keeps the settings in ${join(runDir, 'config.json')}. Start a new run to change them.`);
    }
    const record = readRunRecord(runDir);
    const disagree = (flag: string, given: unknown, recorded: unknown): never =>
      this.usageError(`${flag} ${String(given)} disagrees with the run being resumed (${String(recorded)} in ${join(runDir, 'config.json')}); drop the flag.`);
    if (flags.env !== undefined && host.registry.spec(flags.env).id !== record.env) disagree('--env', flags.env, record.env);
    if (flags.algo !== undefined && flags.algo !== record.algo) disagree('--algo', flags.algo, record.algo);
    if (flags.seed !== undefined && flags.seed !== record.seed) disagree('--seed', flags.seed, record.seed);
    if (flags.steps !== undefined && flags.steps !== record.config.total_timesteps) disagree('--steps', flags.steps, record.config.total_timesteps);

    const algorithm = host.algorithm(record.algo);
    const config = parseOptions(algorithm.configSchema, record.config, `algorithm '${algorithm.id}' (config.json of ${runDir})`);
    host.registry.resolveKwargs(record.env, record.env_kwargs);
    const run = RunDirectory.open(runDir);
    const resumeFrom = await latestCheckpointIn(run.checkpointsDir);
    if (resumeFrom === undefined) {
      throw new ResumeError(`${runDir} has no checkpoint to resume from (${run.checkpointsDir} is empty): the run stopped before its first checkpoint. Start it again with: ${record.command}`);
    }
    return { record, run, algorithm, config, resumeFrom };
  }
}

/** The `--json` line: exactly these keys, in this order; finalEval as one `rlft eval --json` line, or null. */
function runJsonLine(runDir: string, record: RunRecord, training: TrainingOutcome, finalEval: EvaluationSummary | undefined): string {
  return JSON.stringify({
    runDir,
    env: record.env,
    algo: record.algo,
    steps: training.steps,
    wallSeconds: Math.round(training.wallSeconds * 1000) / 1000,
    finalEval: finalEval ? (JSON.parse(evaluationJsonLine(finalEval)) as unknown) : null,
  });
}

type RunFlags = Interfaces.InferredFlags<typeof Run.flags>;

interface RunPlan {
  record: RunRecord;
  run: RunDirectory;
  algorithm: AlgorithmContribution & { plugin: string };
  config: Record<string, unknown>;
  resumeFrom?: string;
}

/** How `rlft eval` plays a run's result: the algorithm's own flags, or the mlp checkpoint policy. */
function evaluationFlags(result: TrainResult, runDir: string): string {
  return result.evaluation?.flags ?? `--policy ${CHECKPOINT_POLICY} --checkpoint ${runDir}`;
}

/** The flags that are shorthands for config keys (--dataset, --model, --init), as --set entries; paths become absolute. */
function shorthandSettings(flags: { dataset?: string; model?: string; init?: string }): string[] {
  const entries: [string, string | undefined][] = [
    ['dataset', flags.dataset !== undefined ? resolve(flags.dataset) : undefined],
    // scratch:SIZE and http(s) URLs name no local path.
    ['model', flags.model !== undefined ? (/^(scratch:|https?:\/\/)/i.test(flags.model) ? flags.model : resolve(flags.model)) : undefined],
    ['init', flags.init !== undefined ? resolve(flags.init) : undefined],
  ];
  return entries.flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${JSON.stringify(value)}`]));
}
