import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, type Algorithm, type TrainContext, type TrainResult } from '@rlft/core';
import { openDataset } from '@rlft/data';
import { checkpointDirName, disposeTree, initEngine, loadCheckpoint, parseSchedule, pruneCheckpoints, refTree, saveCheckpoint, treeFromHost } from '@rlft/nn';
import {
  buildPrompting,
  CHECKPOINT_MODEL_DIR,
  datasetSamples,
  disposeLanguageModel,
  engineSequences,
  InProcessBackend,
  LmTrainer,
  loadLanguageModel,
  maskedNll,
  mergePromptSettings,
  packSequences,
  readPromptSettings,
  resolveModelSource,
  tokenizeSamples,
  writePromptSettings,
  ModelSourceError,
  type EngineSequences,
  type LanguageModel,
  type LoraParams,
  type ModelSource,
  type PromptSettings,
  type SequenceBatch,
  type TokenizedSamples,
  type TransformerParams,
} from '@rlft/policy-llm';
import { promptSettingsOf, type SftConfig } from './config.js';
import { assertDatasetFits, datasetPathFor, withDatasetRanges } from './data.js';

export const SFT_ID = 'sft';

/** Where the best weights of an interrupted run wait for its resumption (when they are not the latest). */
const BEST_DIR = 'best';

/** Counters saved with every checkpoint, besides LmTrainer's `updates`. */
interface SftCounters {
  /** Epochs begun. */
  epoch: number;
  /** Batches of the current epoch done. */
  batchInEpoch: number;
  /** Training samples (batch rows) seen. */
  samples: number;
  bestLoss: number;
  bestUpdate: number;
  evalsSinceBest: number;
}

type Trainable = TransformerParams | LoraParams;

/**
 * Supervised fine-tuning of a language-model policy: next-token cross-entropy of the dataset's
 * actions, written in the prompt format the `llm` policy uses, given the prompt each
 * observation makes. Shuffled batches over a training split of episodes; the loss on held-out
 * episodes picks the best weights and may stop training early.
 */
export class SupervisedFineTuning implements Algorithm<SftConfig> {
  readonly id = SFT_ID;

  constructor(readonly config: SftConfig) {}

  async train(context: TrainContext): Promise<TrainResult> {
    const config = this.config;
    await initEngine(config.device);
    const seed = config.seed ?? context.seed;

    // --- Model, prompt format and data ---
    const source = modelSourceOf(config);
    const datasetPath = datasetPathFor(config.dataset, context.envId);
    const env = await context.registry.make(context.envId, context.envKwargs);
    const promptEnv = { envId: context.envId, observationSpace: env.observationSpace, actionSpace: env.actionSpace, ...(env.spec ? { spec: env.spec } : {}) };
    env.close();
    const dataset = await openDataset(datasetPath);
    try {
      assertDatasetFits(datasetPath, dataset, context.envId, promptEnv);
    } finally {
      dataset.close();
    }
    const settings = await withDatasetRanges(mergePromptSettings(recordedSettings(source), promptSettingsOf(config)), datasetPath);
    const prompting = buildPrompting(settings, promptEnv);
    const samples = await datasetSamples(datasetPath, prompting, { evalFraction: config.eval_fraction, seed, ...(config.max_samples !== null ? { maxSamples: config.max_samples } : {}) });
    if (samples.train.length === 0) throw new RangeError(`dataset ${datasetPath} has no steps in its training split`);

    const model = loadLanguageModel(source, { seed });
    const renderer = new InProcessBackend(model);
    const train = tokenizeSamples(model, samples.train, renderer);
    const evalSet = tokenizeSamples(model, Rng.fromSeed(seed).shuffle([...samples.eval]).slice(0, config.eval_max_samples), renderer);

    const batchSize = Math.min(config.batch_size, samples.train.length);
    const batchesPerEpoch = Math.floor(samples.train.length / batchSize);
    const sampleCap = config.total_timesteps ?? Infinity;
    const totalUpdates = Math.max(1, Math.min(config.epochs * batchesPerEpoch, Math.floor(sampleCap / batchSize)));
    const trainer = new LmTrainer(model, maskedNll, {
      mode: config.mode,
      lora: { r: config.lora_r, alpha: config.lora_alpha, targets: config.lora_targets, ...(config.lora_dropout > 0 ? { dropout: config.lora_dropout } : {}) },
      learningRate: config.learning_rate,
      weightDecay: config.weight_decay,
      maxGradNorm: config.max_grad_norm,
      schedule: parseSchedule(config.schedule),
      totalUpdates,
      seed,
    });

    // --- Start, or continue exactly where a checkpoint stopped ---
    const counters: SftCounters = { epoch: 0, batchInEpoch: 0, samples: 0, bestLoss: Infinity, bestUpdate: 0, evalsSinceBest: 0 };
    // The data order of an epoch comes from this stream's state at the epoch's start (saved, so a resume re-shuffles the same).
    let epochRng = Rng.fromSeed(Rng.fromSeed(seed).nextSeed());
    let best: Trainable | undefined;
    if (context.resumeFrom) {
      const restored = trainer.restore(context.resumeFrom);
      Object.assign(counters, restored.counters);
      if (!Number.isFinite(counters.bestLoss)) counters.bestLoss = Infinity;
      if (restored.rngs.epoch) epochRng = Rng.fromState(restored.rngs.epoch);
      best = restoreBest(context.run.path, counters, trainer.updates, trainable(model));
    }
    const order = (rng: Rng) => rng.clone().shuffle(Array.from({ length: samples.train.length }, (_, i) => i));
    let epochOrder = counters.batchInEpoch > 0 ? order(epochRng) : undefined;

    const evaluate = async (): Promise<number | undefined> => (evalSet.prompts.length ? evalLoss(trainer, evalSet, batchSize, config) : undefined);
    const checkpoint = (): string => {
      const dir = join(context.run.checkpointsDir, checkpointDirName(trainer.updates));
      trainer.save(dir, {
        counters: { ...counters, bestLoss: Number.isFinite(counters.bestLoss) ? counters.bestLoss : -1 },
        rngs: { epoch: epochRng.getState() },
        config,
        metadata: { algorithm: SFT_ID, envId: context.envId, dataset: datasetPath },
      });
      writePromptSettings(join(dir, CHECKPOINT_MODEL_DIR), settings, { algorithm: SFT_ID, envId: context.envId });
      pruneCheckpoints(context.run.checkpointsDir, config.keep_checkpoints);
      // Best weights older than the checkpoint wait aside, for a resumed run to finish with.
      if (best && counters.bestUpdate !== trainer.updates) saveCheckpoint(join(context.run.path, BEST_DIR), { params: best, counters: { update: counters.bestUpdate } });
      return dir;
    };

    const started = performance.now();
    let learnSeconds = 0;
    let tokensSeen = 0;
    let window = { loss: 0, updates: 0, tokens: 0, seconds: 0 };
    let lastMetrics: Record<string, number> = {};
    let lastEval: number | undefined;
    let stoppedEarly = false;
    let lastCheckpoint: string | undefined;

    const recordEval = async (): Promise<void> => {
      const loss = await evaluate();
      if (loss === undefined) return;
      lastEval = loss;
      if (loss < counters.bestLoss) {
        counters.bestLoss = loss;
        counters.bestUpdate = trainer.updates;
        counters.evalsSinceBest = 0;
        if (best) disposeTree(best);
        best = refTree(trainable(model));
      } else {
        counters.evalsSinceBest++;
      }
      context.logger.log(counters.samples, { 'losses/eval': loss, 'losses/best_eval': counters.bestLoss, 'charts/update': trainer.updates });
    };

    try {
      while (trainer.updates < totalUpdates) {
        await new Promise((resolve) => setImmediate(resolve));
        if (context.signal.aborted) break;
        if (counters.batchInEpoch === 0 || epochOrder === undefined) {
          if (counters.batchInEpoch === 0) counters.epoch++;
          epochOrder = order(epochRng);
        }
        const rows = epochOrder.slice(counters.batchInEpoch * batchSize, (counters.batchInEpoch + 1) * batchSize);
        const batch = packSequences(
          rows.map((i) => train.prompts[i]!),
          rows.map((i) => train.completions[i]!),
          { lengthMultiple: config.length_multiple, wholeSequence: !config.completion_only },
        );
        const stepStart = performance.now();
        const metrics = trainer.step(engineSequences(batch));
        const seconds = (performance.now() - stepStart) / 1000;
        learnSeconds += seconds;
        const tokens = realTokens(batch);
        tokensSeen += tokens;
        counters.samples += batchSize;
        window = { loss: window.loss + metrics.loss!, updates: window.updates + 1, tokens: window.tokens + tokens, seconds: window.seconds + seconds };
        counters.batchInEpoch++;
        if (counters.batchInEpoch === batchesPerEpoch) {
          counters.batchInEpoch = 0;
          // The next epoch's order starts from the stream as this one left it.
          epochRng.shuffle(Array.from({ length: samples.train.length }, (_, i) => i));
        }

        const endOfEpoch = counters.batchInEpoch === 0;
        if (window.updates >= config.log_every || endOfEpoch || trainer.updates === totalUpdates) {
          lastMetrics = {
            'losses/train': window.loss / window.updates,
            'charts/learning_rate': metrics.lr!,
            'charts/grad_norm': metrics.grad_norm!,
            'charts/epoch': counters.epoch,
            'charts/update': trainer.updates,
            'perf/tokens_per_second': window.tokens / Math.max(window.seconds, 1e-9),
          };
          context.logger.log(counters.samples, lastMetrics);
          window = { loss: 0, updates: 0, tokens: 0, seconds: 0 };
        }
        const evalNow = config.eval_every > 0 ? trainer.updates % config.eval_every === 0 : endOfEpoch;
        if (evalNow || trainer.updates === totalUpdates) await recordEval();
        context.onProgress?.({
          step: trainer.updates,
          totalSteps: totalUpdates,
          message: `epoch ${counters.epoch}, loss ${lastMetrics['losses/train']?.toFixed(4) ?? '…'}${lastEval !== undefined ? `, eval ${lastEval.toFixed(4)}` : ''}`,
        });
        if (config.checkpoint_every > 0 && trainer.updates % config.checkpoint_every === 0 && trainer.updates < totalUpdates) lastCheckpoint = checkpoint();
        if (config.early_stopping_patience > 0 && counters.evalsSinceBest >= config.early_stopping_patience) {
          stoppedEarly = true;
          break;
        }
      }

      const interrupted = context.signal.aborted && trainer.updates < totalUpdates && !stoppedEarly;
      if (!interrupted && best && counters.bestUpdate !== trainer.updates) {
        // The result is the best model seen: it goes into the final checkpoint (the one `--model RUN` reads).
        setTrainable(model, best);
        best = undefined;
      }
      lastCheckpoint = checkpoint();
      const elapsed = (performance.now() - started) / 1000;
      return {
        checkpoint: lastCheckpoint,
        metrics: {
          ...lastMetrics,
          ...(lastEval !== undefined ? { 'losses/eval': lastEval, 'losses/best_eval': counters.bestLoss, 'charts/best_update': counters.bestUpdate } : {}),
          'charts/updates': trainer.updates,
          'charts/stopped_early': stoppedEarly ? 1 : 0,
          'charts/train_samples': samples.train.length,
          'charts/eval_samples': samples.eval.length,
          'perf/learn_seconds': learnSeconds,
          'perf/tokens_per_second': tokensSeen / Math.max(learnSeconds, 1e-9),
          'perf/wall_seconds': elapsed,
        },
        interrupted,
        evaluation: { policy: 'llm', options: { model: join(lastCheckpoint, CHECKPOINT_MODEL_DIR) }, flags: `--policy llm --model ${context.run.path}` },
      };
    } finally {
      if (best) disposeTree(best);
      trainer.dispose();
      disposeLanguageModel(model);
    }
  }
}

/** The model to start from: `init` (a previous run) when given, else `model`. */
function modelSourceOf(config: SftConfig): Exclude<ModelSource, { kind: 'http' }> {
  const name = config.init ?? config.model;
  const source = resolveModelSource(name);
  if (source.kind === 'http') throw new ModelSourceError(`${config.init !== null ? 'init' : 'model'} ${name} is a server; fine-tuning needs the weights on disk (a model directory, an adapter, a run or scratch:SIZE)`);
  return source;
}

/** The prompt settings a model directory (or an adapter and its base) recorded when it was trained. */
function recordedSettings(source: ModelSource): PromptSettings {
  if (source.kind === 'directory') return readPromptSettings(source.dir);
  if (source.kind === 'adapter') return mergePromptSettings(readPromptSettings(source.baseDir), readPromptSettings(source.dir));
  return {};
}

function trainable(model: LanguageModel): Trainable {
  return model.lora ? model.lora.params : model.params;
}

function setTrainable(model: LanguageModel, params: Trainable): void {
  if (model.lora) {
    disposeTree(model.lora.params);
    model.lora.params = params as LoraParams;
  } else {
    disposeTree(model.params);
    model.params = params as TransformerParams;
  }
}

/** The best weights of an interrupted run, when they are older than its checkpoint (else the checkpoint's own). */
function restoreBest(runDir: string, counters: SftCounters, updates: number, like: Trainable): Trainable | undefined {
  if (!Number.isFinite(counters.bestLoss) || counters.bestLoss < 0) {
    counters.bestLoss = Infinity;
    return undefined;
  }
  const dir = join(runDir, BEST_DIR);
  if (counters.bestUpdate !== updates && existsSync(dir)) {
    const loaded = loadCheckpoint(dir);
    if (loaded.counters.update === counters.bestUpdate) return treeFromHost(like, loaded.tensors);
  }
  return refTree(like);
}

/** Tokens of the batch that are not padding. */
function realTokens(batch: SequenceBatch): number {
  return batch.batch * batch.length - batch.leftPadding.reduce((a, b) => a + b, 0);
}

/** Mean next-token loss over the evaluation samples, counted as training counts it. */
async function evalLoss(trainer: LmTrainer<EngineSequences>, data: TokenizedSamples, batchSize: number, config: SftConfig): Promise<number> {
  let total = 0;
  let count = 0;
  for (let start = 0; start < data.prompts.length; start += batchSize) {
    const end = Math.min(start + batchSize, data.prompts.length);
    const batch = packSequences(data.prompts.slice(start, end), data.completions.slice(start, end), { lengthMultiple: config.length_multiple, wholeSequence: !config.completion_only });
    const logProbs = await trainer.scoreTokens(batch);
    batch.mask.forEach((m, i) => {
      total -= m * logProbs[i]!;
      count += m;
    });
  }
  return total / Math.max(count, 1);
}
