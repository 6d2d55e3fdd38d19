import { join } from 'node:path';
import { Rng, RlftError, type Algorithm, type TrainContext, type TrainResult } from '@rlft/core';
import { shippedDataset } from '@rlft/experts';
import { initEngine, np, parseSchedule, pruneCheckpoints } from '@rlft/nn';
import {
  ActionParser,
  CHECKPOINT_MODEL_DIR,
  InProcessBackend,
  LmTrainer,
  datasetSamples,
  disposeLanguageModel,
  engineSequences,
  saveLanguageModel,
  writePromptSettings,
  type EngineSequences,
  type LmLoss,
  type LoraConfig,
  type PromptSample,
} from '@rlft/policy-llm';
import { closeRewards, type CompletionSample } from '@rlft/rewards';
import { checkpointName } from '@rlft/training';
import { policyObjective, type PolicyObjectiveSettings } from '../objective.js';
import type { GrpoConfig } from './config.js';
import { buildGroupBatch, rewardStatistics, type GroupBatch } from './groups.js';
import { WARMUP_MODEL_DIR, loadStartingModel } from './model-setup.js';
import { DatasetPromptSource, EnvPromptSource, type PromptSource } from './prompt-sources.js';
import { buildRewards, scoreFloored } from './rewards.js';
import { sftWarmup } from './warmup.js';

export const GRPO_ID = 'grpo';

/** Supervised warm-up updates of a from-scratch model when sft_warmup_steps is null (enough for the tiny model to write parseable HalfCheetah actions). */
export const DEFAULT_SCRATCH_WARMUP_STEPS = 300;

/** What one optimisation pass of a GRPO step consumes. */
export type GrpoStepData = {
  sequences: EngineSequences;
  advantages: np.Array;
  weights: np.Array;
  oldLogProbs?: np.Array;
  refLogProbs?: np.Array;
};

/** The LmTrainer loss of the group algorithms: the shared clipped objective on the completion tokens. */
export function groupPolicyLoss(settings: PolicyObjectiveSettings): LmLoss<GrpoStepData> {
  return (logProbs, data) => {
    data.sequences.mask.dispose(); // the weights carry the mask
    const { sequences, ...rest } = data;
    return policyObjective(logProbs(sequences), rest, settings);
  };
}

/** Engine arrays of one pass over a group batch (the trainer consumes them). */
export function groupStepData(batch: GroupBatch, oldLogProbs?: Float32Array<ArrayBuffer>, refLogProbs?: Float32Array<ArrayBuffer>): GrpoStepData {
  const shape = [batch.sequences.batch, batch.sequences.length];
  return {
    sequences: engineSequences(batch.sequences),
    advantages: np.array(batch.tokenAdvantages, { shape }),
    weights: np.array(batch.tokenWeights, { shape }),
    ...(oldLogProbs ? { oldLogProbs: np.array(oldLogProbs, { shape }) } : {}),
    ...(refLogProbs ? { refLogProbs: np.array(refLogProbs, { shape }) } : {}),
  };
}

/**
 * GRPO for language-model policies (TRL semantics): each step draws prompts_per_step prompts
 * (dataset states, or states of live envs), samples G completions of each from the policy
 * being trained, scores them with the configured rewards, turns the rewards into
 * group-relative advantages and takes num_iterations clipped-objective steps (old log-probs
 * stored when more than one; optional k3 KL to the frozen starting model).
 */
export class Grpo implements Algorithm<GrpoConfig> {
  readonly id = GRPO_ID;
  readonly config: GrpoConfig;

  constructor(config: GrpoConfig) {
    this.config = config;
  }

  async train(context: TrainContext): Promise<TrainResult> {
    const config = this.config;
    await initEngine();
    const seed = config.seed ?? context.seed;
    const totalSteps = config.total_timesteps ?? config.steps;
    const probe = await context.registry.make(context.envId, context.envKwargs);
    const env = { envId: context.envId, spec: probe.spec, observationSpace: probe.observationSpace, actionSpace: probe.actionSpace };
    probe.close();

    const start = loadStartingModel(config, context.run.path, env, seed);
    const { model, settings, prompting } = start;
    const backend = new InProcessBackend(model);
    const root = Rng.fromSeed(seed);
    let promptRng = root.split();
    let samplingRng = root.split();
    const warmupRng = root.split();
    const lora: LoraConfig = { r: config.lora_r, alpha: config.lora_alpha, targets: config.lora_targets };
    const logger = context.logger;

    let samples: PromptSample[] | undefined;
    const datasetPath = config.dataset ?? shippedDataset(context.envId)?.path;
    const warmupSteps = config.sft_warmup_steps ?? (start.fromScratch ? DEFAULT_SCRATCH_WARMUP_STEPS : 0);
    const needsWarmup = !start.warmedUp && !context.resumeFrom && warmupSteps > 0;
    if (config.prompt_source === 'dataset' || needsWarmup) {
      if (!datasetPath) throw new RlftError('BAD_CONFIG', `grpo: no dataset for ${context.envId}; pass --dataset PATH (a Minari dataset), or use prompt_source: env with sft_warmup_steps: 0`);
      samples = (await datasetSamples(datasetPath, prompting, { evalFraction: config.eval_fraction, seed })).train;
    }

    // --- Supervised warm-up (a from-scratch model must learn the answer format first) ---
    if (needsWarmup) {
      const began = performance.now();
      const done = await sftWarmup(model, samples!, backend, warmupRng, {
        steps: warmupSteps,
        batchSize: config.sft_batch_size,
        learningRate: config.sft_learning_rate,
        maxGradNorm: config.max_grad_norm,
        mode: config.mode,
        ...(model.lora ? {} : { lora }),
        signal: context.signal,
        onStep: (step, metrics) => {
          if (step % 10 === 0 || step === warmupSteps) logger.log(0, { 'warmup/step': step, 'warmup/loss': metrics.loss ?? NaN });
          context.onProgress?.({ step: 0, totalSteps, message: `SFT warm-up ${step}/${warmupSteps}: loss ${(metrics.loss ?? NaN).toFixed(3)}` });
        },
      });
      if (done < warmupSteps) {
        disposeLanguageModel(model);
        return { metrics: { 'warmup/steps': done }, interrupted: true };
      }
      const warmupDir = join(context.run.path, WARMUP_MODEL_DIR);
      saveLanguageModel(warmupDir, model);
      writePromptSettings(warmupDir, settings);
      logger.log(0, { 'warmup/seconds': (performance.now() - began) / 1000 });
    }

    // --- GRPO ---
    const updatesPerStep = config.num_iterations;
    const trainer = new LmTrainer<GrpoStepData>(
      model,
      groupPolicyLoss({ epsilonLow: config.epsilon, epsilonHigh: config.epsilon_high ?? config.epsilon, beta: config.beta, klEstimator: 'k3' }),
      {
        mode: config.mode,
        ...(model.lora ? {} : { lora }),
        learningRate: config.learning_rate,
        weightDecay: config.weight_decay,
        maxGradNorm: config.max_grad_norm,
        schedule: parseSchedule(config.schedule),
        totalUpdates: totalSteps * updatesPerStep,
        seed,
        keepReference: config.beta > 0,
      },
    );
    let step = 0;
    const recentRewards: number[] = []; // the mean reward of the last 10 steps smooths the prompt-to-prompt noise
    if (context.resumeFrom) {
      const restored = trainer.restore(context.resumeFrom);
      step = restored.counters.step ?? 0;
      if (Array.isArray(restored.metadata.recentRewards)) recentRewards.push(...(restored.metadata.recentRewards as number[]));
      if (restored.rngs.prompts) promptRng = Rng.fromState(restored.rngs.prompts);
      if (restored.rngs.sampling) samplingRng = Rng.fromState(restored.rngs.sampling);
    }

    const { reward, parts } = buildRewards({
      weights: config.rewards,
      options: config.reward_options,
      prompting,
      actionSpace: env.actionSpace,
      registry: context.registry,
      envId: context.envId,
      envKwargs: context.envKwargs,
    });
    const parser = new ActionParser(prompting.action, { assistantPrefix: prompting.assistantPrefix ?? null, mode: 'lenient', clip: true, fallback: 'random' });
    const readAction = (answer: string): unknown => {
      const parsed = parser.parse(answer);
      return parsed.ok ? parsed.action : undefined;
    };
    const source: PromptSource =
      config.prompt_source === 'dataset'
        ? new DatasetPromptSource(samples!)
        : await EnvPromptSource.open({ registry: context.registry, envId: context.envId, envKwargs: context.envKwargs, prompting, policy: config.env_policy, readAction });
    const maxNewTokens = config.max_completion_length ?? prompting.defaultMaxNewTokens;
    const G = config.group_size;

    let checkpoint: string | undefined;
    let savedStep = -1;
    let lastMetrics: Record<string, number> = {};
    const save = (): string => {
      const dir = join(context.run.checkpointsDir, checkpointName(step));
      trainer.save(dir, {
        counters: { step },
        rngs: { prompts: promptRng.getState(), sampling: samplingRng.getState() },
        config,
        metadata: { algorithm: GRPO_ID, envId: context.envId, recentRewards },
      });
      writePromptSettings(join(dir, CHECKPOINT_MODEL_DIR), settings);
      pruneCheckpoints(context.run.checkpointsDir, config.keep_checkpoints);
      savedStep = step;
      return dir;
    };

    try {
      while (step < totalSteps && !context.signal.aborted) {
        // --- Sample G completions of each prompt from the current policy ---
        const generationStarted = performance.now();
        const prompts = await source.next(config.prompts_per_step, promptRng);
        const promptTexts = prompts.map((p) => backend.promptText(p.request));
        const promptIds = promptTexts.map((text) => model.tokenizer.encode(text, { addSpecialTokens: false }));
        const repeatedIds = promptIds.flatMap((ids) => Array.from({ length: G }, () => ids));
        const generated = await backend.generator.generate(repeatedIds, {
          maxNewTokens,
          temperature: config.temperature,
          topP: config.top_p,
          topK: 0,
          stop: prompting.stop,
          seed: samplingRng.nextSeed(),
        });
        const generationSeconds = (performance.now() - generationStarted) / 1000;

        // --- Rewards and advantages ---
        const completionSamples: CompletionSample[] = generated.map((g, k) => {
          const prompt = prompts[Math.floor(k / G)]!;
          return {
            prompt: promptTexts[Math.floor(k / G)]!,
            completion: g.text,
            ...(prompting.assistantPrefix !== undefined ? { prefix: prompting.assistantPrefix } : {}),
            observation: prompt.observation,
            ...(prompt.referenceAction !== undefined ? { referenceAction: prompt.referenceAction } : {}),
            ...(prompt.envState ? { envState: prompt.envState } : {}),
            envId: context.envId,
          };
        });
        const scored = await scoreFloored(reward, completionSamples, config.reward_floor);
        const failures = generated.filter((g) => !parser.parse(g.text).ok).length;
        const batch = buildGroupBatch(
          repeatedIds,
          generated.map((g) => g.ids),
          scored.total,
          { groupSize: G, scale: config.scale_rewards, aggregation: config.loss_type, maxCompletionLength: maxNewTokens },
        );

        // --- Optimise: μ passes over the batch ---
        const learningStarted = performance.now();
        const oldLogProbs = updatesPerStep > 1 ? Float32Array.from(await trainer.scoreTokens(batch.sequences)) : undefined;
        const refLogProbs = config.beta > 0 ? Float32Array.from(await trainer.scoreTokens(batch.sequences, { reference: true })) : undefined;
        const passes: Record<string, number>[] = [];
        for (let pass = 0; pass < updatesPerStep; pass++) passes.push(trainer.step(groupStepData(batch, oldLogProbs, refLogProbs)));
        const learningSeconds = (performance.now() - learningStarted) / 1000;
        await source.observe?.(
          prompts.map((_, p) => generated.slice(p * G, (p + 1) * G).map((g) => g.text)),
          promptRng,
        );
        step++;

        // --- Metrics ---
        const stats = rewardStatistics(scored.total, G);
        recentRewards.push(stats.mean);
        if (recentRewards.length > 10) recentRewards.shift();
        const recentMean = recentRewards.reduce((sum, r) => sum + r, 0) / recentRewards.length;
        const generatedTokens = generated.reduce((n, g) => n + g.ids.length, 0);
        const mean = (key: string) => passes.reduce((s, m) => s + (m[key] ?? NaN), 0) / passes.length;
        lastMetrics = {
          ...Object.fromEntries(Object.entries(scored.components).map(([name, values]) => [`rewards/${name}`, values.reduce((s, v) => s + v, 0) / values.length])),
          'rewards/mean': stats.mean,
          'rewards/std': stats.std,
          'rewards/mean_last_10': recentMean,
          'rewards/frac_reward_zero_std': stats.fracZeroStd,
          'completions/mean_length': generatedTokens / generated.length,
          'completions/clipped_ratio': generated.filter((g) => g.finishReason === 'length').length / generated.length,
          'completions/parse_failure_rate': failures / generated.length,
          'losses/loss': mean('loss'),
          'losses/grad_norm': mean('grad_norm'),
          'losses/clip_fraction': mean('clip_fraction'),
          'losses/approx_kl': mean('approx_kl'),
          ...(config.beta > 0 ? { 'losses/kl': mean('kl') } : {}),
          'charts/learning_rate': passes[passes.length - 1]!.lr!,
          'charts/step': step,
          'perf/tokens_per_s': generationSeconds > 0 ? generatedTokens / generationSeconds : 0,
          'perf/generation_seconds': generationSeconds,
          'perf/learning_seconds': learningSeconds,
        };
        logger.log(step, lastMetrics);
        context.onProgress?.({
          step,
          totalSteps,
          meanReturn: stats.mean,
          message: `step ${step}/${totalSteps}: reward ${stats.mean.toFixed(3)} ± ${stats.std.toFixed(3)} (last 10 steps ${recentMean.toFixed(3)}), parse failures ${(100 * lastMetrics['completions/parse_failure_rate']!).toFixed(0)}%`,
        });
        if (config.checkpoint_every > 0 && step % config.checkpoint_every === 0) checkpoint = save();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (savedStep !== step || checkpoint === undefined) checkpoint = save();
      return {
        checkpoint,
        metrics: lastMetrics,
        interrupted: context.signal.aborted,
        evaluation: { policy: 'llm', options: { model: join(checkpoint, CHECKPOINT_MODEL_DIR) }, flags: `--policy llm --model ${context.run.path}` },
      };
    } finally {
      source.close();
      await closeRewards(parts);
      trainer.dispose();
      disposeLanguageModel(model);
    }
  }
}
