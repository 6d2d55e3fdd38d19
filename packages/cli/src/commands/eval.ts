import { Flags } from '@oclif/core';
import { RlftCommand } from '../base-command.js';
import { checkRecordable, EPISODE_FILE, EpisodeRecorder, frameFileName, prepareRecordDirectory, RECORD_RENDER_MODE } from '../episode-recorder.js';
import { evaluateOnEnv, resolvePolicyOptions, type EvaluationSummary } from '../evaluation.js';
import { evaluationJsonLine, evaluationTable, policyStatsText } from '../format/evaluation.js';
import { formatNumber } from '../format/numbers.js';
import { abortOnInterrupt, INTERRUPTED_EXIT_CODE } from '../interrupt.js';
import { optionsPerPolicy, parseKeyValues } from '../key-values.js';
import { applyPolicyFlags } from '../policy-files.js';
import { parsePolicyList } from '../policy-list.js';
import { ProgressLine } from '../progress.js';

export default class Eval extends RlftCommand {
  static override summary = 'Evaluate policies on an environment: return and episode length over N seeded episodes.';
  static override description = `Episode i is reset with seed S+i, so the same command gives the same numbers. Several policies (comma-separated) are evaluated one after another on the same seeds.

With --json, stdout ends with one JSON line per policy:
{"env","policy","episodes","seed","return":{"mean","std","min","max"},"length":{"mean","std","min","max"}}

Trained policies: --policy mlp --checkpoint PATH (a run directory or one of its checkpoints; deterministic by default, --policy-opt mlp.deterministic=false samples) and --policy onnx --model FILE (from \`rlft export\`).

Language models: --policy llm --model DIR|URL, where DIR is a model directory in Hugging Face layout (config.json, *.safetensors, tokenizer.json, tokenizer_config.json; a LoRA adapter directory works too) or an rlft run, and URL an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama; --model-name picks the model, the API key is read from OPENAI_API_KEY or --policy-opt apiKeyEnv=VAR). --format, --temperature and every --policy-opt llm.KEY=VALUE set how it reads and answers (a wrong key lists the allowed ones). Its parse failures and tokens/s are printed after the returns (and under "policy_stats" with --json).

--record DIR renders the first episode of the first policy (the env needs the rgb_array render mode) into DIR, which must be new or empty: ${frameFileName(0)} is the state after reset and frame-N.png the state after step N, so an episode of L steps gives L+1 PNG files; DIR/${EPISODE_FILE} holds {"env","policy","seed","frames","return","length","terminated","truncated","width","height"}. Later episodes are not rendered (rendering is slow), and the evaluation numbers are the same as without --record.

Ctrl-C stops after the current episode and prints the result of the finished episodes (exit code 130); a second Ctrl-C quits at once.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy random,constant --episodes 100 --seed 0',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy random --episodes 100 --seed 0 --json',
    '<%= config.bin %> <%= command.id %> --env Pendulum-v1 --policy constant --policy-opt value=2 -k g=9.81',
    '<%= config.bin %> <%= command.id %> --env MountainCar-v0 --policy random,constant --policy-opt constant.value=2',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy mlp,random --checkpoint runs/ppo-CartPole-v1-20260101T120000 --episodes 100',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy onnx --model policy.onnx --episodes 100',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy random --episodes 1 --record frames/cartpole',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy llm --model runs/sft-CartPole-v1 --episodes 20',
    '<%= config.bin %> <%= command.id %> --env cheetah --policy llm --model http://127.0.0.1:8000/v1 --model-name Qwen/Qwen3-0.6B --temperature 0.7',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', helpValue: 'ID', description: 'Environment id or alias (see `rlft envs list`).', required: true }),
    policy: Flags.string({
      char: 'p',
      helpValue: 'NAME[,NAME...]',
      description: 'Policy to evaluate, or several separated by commas (the baselines are random and constant; plugins add more).',
      default: 'random',
    }),
    episodes: Flags.integer({ char: 'n', helpValue: 'N', description: 'Number of episodes per policy.', default: 10, min: 1 }),
    seed: Flags.integer({ char: 's', helpValue: 'S', description: 'Seed of the first episode; episode i uses S+i (default 0).', default: 0, min: 0 }),
    kwarg: Flags.string({
      char: 'k',
      helpValue: 'KEY=VALUE',
      description: 'Environment option as key=value (repeatable); the value is read as JSON when it parses (numbers, true/false, [arrays]), else as text. `rlft envs info ID` lists the options.',
      multiple: true,
    }),
    'policy-opt': Flags.string({
      helpValue: '[POLICY.]KEY=VALUE',
      description: 'Policy option as key=value (repeatable), given to every policy; prefix a policy name to aim at one: constant.value=1.',
      multiple: true,
    }),
    checkpoint: Flags.string({
      helpValue: 'PATH',
      description: 'Checkpoint of --policy mlp: a run directory (its latest checkpoint) or a checkpoint directory (same as --policy-opt mlp.checkpoint=PATH).',
    }),
    model: Flags.string({
      helpValue: 'FILE|DIR|URL',
      description:
        'ONNX model of --policy onnx (`rlft export` writes one), or the language model of --policy llm: a model directory or an OpenAI-compatible URL (same as --policy-opt onnx.model=… / llm.model=…).',
    }),
    'model-name': Flags.string({ helpValue: 'NAME', description: 'Model name on the OpenAI-compatible server of --policy llm (default: the only one it serves).' }),
    format: Flags.string({
      helpValue: 'FORMAT',
      description: 'Text format of --policy llm: reference (5 decimals, the default for numeric envs), discretised (0–999 bins), discrete, text (card games).',
    }),
    temperature: Flags.string({ helpValue: 'T', description: 'Sampling temperature of --policy llm (0 = greedy, the default).' }),
    'max-episode-steps': Flags.integer({ helpValue: 'N', description: "Override the environment's time limit (steps per episode).", min: 1 }),
    record: Flags.string({
      helpValue: 'DIR',
      description: `Write the first episode of the first policy as PNG frames (${frameFileName(0)} after reset, then one per step) and ${EPISODE_FILE} into DIR, a new or empty directory.`,
    }),
    json: Flags.boolean({ description: 'End stdout with one JSON line per policy instead of a table.' }),
    progress: Flags.boolean({
      description: 'Show progress on stderr (default: only when stderr is a terminal).',
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Eval);
    const policyIds = parsePolicyList(flags.policy);
    const envKwargs = parseKeyValues(flags.kwarg, '-k');
    const optionsByPolicy = optionsPerPolicy(parseKeyValues(flags['policy-opt'], '--policy-opt'), policyIds);
    await applyPolicyFlags(optionsByPolicy, {
      ...(flags.checkpoint !== undefined ? { checkpoint: flags.checkpoint } : {}),
      ...(flags.model !== undefined ? { model: flags.model } : {}),
      ...(flags['model-name'] !== undefined ? { 'model-name': flags['model-name'] } : {}),
      ...(flags.format !== undefined ? { format: flags.format } : {}),
      ...(flags.temperature !== undefined ? { temperature: Number(flags.temperature) } : {}),
    });

    const host = await this.pluginHost();
    // Check everything the user typed before the first episode runs.
    const spec = host.registry.spec(flags.env);
    host.registry.resolveKwargs(spec.id, envKwargs);
    const policies = policyIds.map((id) => host.policy(id));
    for (const policy of policies) resolvePolicyOptions(policy, optionsByPolicy.get(policy.id)!);
    let recorder: EpisodeRecorder | undefined;
    let recordDirectory: string | undefined;
    if (flags.record !== undefined) {
      await checkRecordable(host.registry, spec.id, envKwargs);
      recordDirectory = prepareRecordDirectory(flags.record);
    }

    const progress = (flags.progress ?? Boolean(process.stderr.isTTY)) ? new ProgressLine() : undefined;
    const interrupt = abortOnInterrupt(() => {
      progress?.clear();
      this.logToStderr('Interrupted: stopping after the current episode (Ctrl-C again quits at once).');
    });
    const summaries: EvaluationSummary[] = [];
    try {
      for (const [index, policy] of policies.entries()) {
        if (interrupt.signal.aborted) break;
        const recording = index === 0 && recordDirectory !== undefined ? recordDirectory : undefined;
        let returnSum = 0;
        const label = `${policy.id} on ${spec.id}`;
        progress?.update(`${label}: episode 0/${flags.episodes}`, true);
        summaries.push(
          await evaluateOnEnv(host, {
            envId: spec.id,
            envKwargs,
            policy,
            policyOptions: optionsByPolicy.get(policy.id)!,
            episodes: flags.episodes,
            seed: flags.seed,
            ...(flags['max-episode-steps'] !== undefined ? { maxEpisodeSteps: flags['max-episode-steps'] } : {}),
            ...(recording !== undefined
              ? { renderMode: RECORD_RENDER_MODE, wrapEnv: (env) => (recorder = new EpisodeRecorder(env, recording, policy.id)) }
              : {}),
            signal: interrupt.signal,
            onEpisode: (episode, index) => {
              returnSum += episode.return;
              const done = index + 1;
              progress?.update(`${label}: episode ${done}/${flags.episodes}, mean return ${formatNumber(returnSum / done)}`, done === flags.episodes);
            },
          }),
        );
        progress?.clear();
      }
    } finally {
      interrupt.dispose();
      progress?.clear();
    }

    if (flags.json) {
      for (const summary of summaries) this.log(evaluationJsonLine(summary));
    } else {
      const seeds = flags.episodes === 1 ? `seed ${flags.seed}` : `seeds ${flags.seed}…${flags.seed + flags.episodes - 1}`;
      this.log(`${spec.id}: ${flags.episodes} episode${flags.episodes === 1 ? '' : 's'} per policy, ${seeds}\n`);
      this.log(evaluationTable(summaries));
      const stats = policyStatsText(summaries);
      if (stats) this.log(`\n${stats}`);
    }
    const recorded = recorder?.result;
    if (recorded) {
      this.logToStderr(
        `Recorded episode 1 of ${recorded.policy} on ${recorded.env} (seed ${recorded.seed}): ${recorded.frames} frames of ${recorded.width}×${recorded.height} (reset + ${recorded.length} steps), return ${formatNumber(recorded.return)}, in ${recordDirectory}`,
      );
    }
    if (interrupt.signal.aborted) {
      const skipped = policies.slice(summaries.length).map((p) => p.id);
      this.logToStderr(
        `Stopped by Ctrl-C: the results cover only the episodes finished before it${skipped.length ? `; not evaluated: ${skipped.join(', ')}` : ''}.`,
      );
      process.exitCode = INTERRUPTED_EXIT_CODE;
    }
  }
}
