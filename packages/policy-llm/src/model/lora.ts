import { InvalidKwargsError, Rng } from '@rlft/core';
import { disposeTree, kaimingUniformLinear, makeTrainStep, np, refTree, toEngine, type Adam, type AdamState, type LossAux, type TrainStepOptions, type TrainStepResult } from '@rlft/nn';
import type { LoraApplication } from './forward.js';
import { loraTargetsOf } from './hf-names.js';
import type { LinearParams, LoraConfig, LoraLayer, LoraPair, LoraParams, LoraTarget, TransformerConfig, TransformerParams } from './types.js';

/*
 * LoRA (Hu et al. 2021) on the in-process transformer: each targeted projection W [out, in]
 * gains ΔW = (alpha/r)·B·A with A [r, in] and B [out, r], the layout of PEFT's lora_A/lora_B.
 * The base stays frozen; only the adapters train. Scaling is PEFT's default alpha/r; rsLoRA's
 * alpha/√r (`use_rslora`) is not supported. `dropout` is carried to and from PEFT's
 * `lora_dropout`; the forward pass does not apply it.
 */

const LORA_CONFIG_KEYS = ['r', 'alpha', 'targets', 'dropout'];

/** [out, in] of the projection `target` adapts, from the model's shape. */
export function loraProjectionShape(config: TransformerConfig, target: LoraTarget): [out: number, inFeatures: number] {
  const { hiddenSize: hidden, intermediateSize: intermediate } = config;
  const qWidth = config.numHeads * config.headDim;
  const kvWidth = config.numKvHeads * config.headDim;
  switch (target) {
    case 'q':
      return [qWidth, hidden];
    case 'k':
    case 'v':
      return [kvWidth, hidden];
    case 'qkv':
      // GPT-2's c_attn: q, k and v stacked along the output (3·hidden for multi-head attention).
      return [qWidth + 2 * kvWidth, hidden];
    case 'o':
      return [hidden, qWidth];
    case 'gate':
    case 'up':
      return [intermediate, hidden];
    case 'down':
      return [hidden, intermediate];
  }
}

/** Throws InvalidKwargsError listing every problem with `loraConfig` for this model. */
export function validateLoraConfig(config: TransformerConfig, loraConfig: LoraConfig): void {
  const allowedTargets = loraTargetsOf(config.architecture);
  const problems: string[] = [];
  const { r, alpha, targets, dropout } = loraConfig;
  if (!Number.isInteger(r) || r < 1) problems.push(`r must be an integer ≥ 1, got ${r}`);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) problems.push(`alpha must be a finite number > 0, got ${alpha}`);
  if (!Array.isArray(targets) || targets.length === 0) {
    problems.push(`targets must list at least one projection; ${config.architecture} offers ${allowedTargets.join(', ')}`);
  } else {
    const unknown = targets.filter((target) => !allowedTargets.includes(target));
    if (unknown.length) problems.push(`targets ${unknown.map((t) => `'${t}'`).join(', ')} are not projections of ${config.architecture}; it offers ${allowedTargets.join(', ')}`);
    const repeated = targets.filter((target, i) => targets.indexOf(target) !== i);
    if (repeated.length) problems.push(`targets repeat ${[...new Set(repeated)].join(', ')}`);
  }
  if (dropout !== undefined && !(dropout >= 0 && dropout < 1)) problems.push(`dropout must be in [0, 1), got ${dropout}`);
  if (problems.length) throw new InvalidKwargsError(`LoRA on ${config.architecture}`, problems, LORA_CONFIG_KEYS);
}

/** PEFT's scaling of the low-rank update: alpha / r. */
export function loraScaling(loraConfig: LoraConfig): number {
  return loraConfig.alpha / loraConfig.r;
}

/**
 * Fresh adapters as PEFT initialises them: A ~ U(−1/√in, 1/√in) (kaiming-uniform with a = √5,
 * torch's Linear default), B = 0, so the adapted model starts equal to the base. Seeded: the
 * same seed gives the same A on every platform. Targets are drawn layer by layer, in `targets` order.
 */
export function createLora(config: TransformerConfig, loraConfig: LoraConfig, seed: number): LoraParams {
  validateLoraConfig(config, loraConfig);
  const rng = Rng.fromSeed(seed);
  const { r } = loraConfig;
  const layers: LoraLayer[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    const adapters: LoraLayer = {};
    for (const target of loraConfig.targets) {
      const [out, inFeatures] = loraProjectionShape(config, target);
      // Entries are i.i.d., so the [fanIn, fanOut] layout of the initialiser does not matter; its bound is 1/√in.
      const A = toEngine(kaimingUniformLinear(rng, [inFeatures, r]), [r, inFeatures]);
      adapters[target] = { A, B: np.zeros([out, r]) };
    }
    layers.push(adapters);
  }
  return { layers };
}

/** Trainable numbers of the adapters `loraConfig` describes: Σ r·(in + out) over targets and layers. */
export function loraParameterCount(config: TransformerConfig, loraConfig: LoraConfig): number {
  validateLoraConfig(config, loraConfig);
  const perLayer = loraConfig.targets.reduce((n, target) => {
    const [out, inFeatures] = loraProjectionShape(config, target);
    return n + loraConfig.r * (out + inFeatures);
  }, 0);
  return perLayer * config.numLayers;
}

/** ΔW = scaling·B·A [out, in]. Does not consume the pair. */
export function loraDelta(pair: LoraPair, scaling: number): np.Array {
  return np.matmul(pair.B.ref, pair.A.ref).mul(scaling);
}

/**
 * The base with every adapter folded in (W + scaling·B·A), for inference without the LoRA
 * hook or for export as a plain checkpoint. GPT-2's fused `qkv` delta is split by rows into
 * q, k and v. Returns a new tree: unchanged leaves are extra references to the base's arrays,
 * so dispose the result and the inputs independently. Consumes nothing.
 */
export function mergeLora(config: TransformerConfig, params: TransformerParams, lora: LoraParams, loraConfig: LoraConfig): TransformerParams {
  validateLoraConfig(config, loraConfig);
  checkLoraShapes(config, lora, loraConfig);
  const scaling = loraScaling(loraConfig);
  const merged = refTree(params);
  try {
    merged.layers.forEach((block, layer) => {
      for (const target of loraConfig.targets) {
        const delta = loraDelta(lora.layers[layer][target]!, scaling);
        if (target === 'qkv') {
          const qRows = config.numHeads * config.headDim;
          const kvRows = config.numKvHeads * config.headDim;
          const [q, k, v] = np.split(delta, [qRows, qRows + kvRows], 0);
          addInPlace(block.attn.q, q, layer, 'q');
          addInPlace(block.attn.k, k, layer, 'k');
          addInPlace(block.attn.v, v, layer, 'v');
        } else {
          const linear = target === 'gate' || target === 'up' || target === 'down' ? block.mlp[target] : block.attn[target];
          addInPlace(linear, delta, layer, target);
        }
      }
    });
  } catch (error) {
    disposeTree(merged);
    throw error;
  }
  return merged;
}

/** linear.weight ← linear.weight + delta, consuming the old weight (a reference of the merged tree's own) and the delta. */
function addInPlace(linear: LinearParams | undefined, delta: np.Array, layer: number, name: string): void {
  if (linear === undefined || linear.weight.shape.join() !== delta.shape.join()) {
    const actual = linear === undefined ? 'absent' : `[${linear.weight.shape.join(', ')}]`;
    const message = `mergeLora: layers.${layer} ${name} weight is ${actual} but the adapter's delta is [${delta.shape.join(', ')}]; the params do not match the config`;
    delta.dispose();
    throw new Error(message);
  }
  linear.weight = linear.weight.add(delta);
}

/** Throws naming the first adapter that is missing or has the wrong shape for `loraConfig`. */
export function checkLoraShapes(config: TransformerConfig, lora: LoraParams, loraConfig: LoraConfig): void {
  if (lora.layers.length !== config.numLayers) throw new Error(`LoRA params have ${lora.layers.length} layers, the model has ${config.numLayers}`);
  lora.layers.forEach((adapters, layer) => {
    for (const target of loraConfig.targets) {
      const pair = adapters[target];
      if (pair === undefined) throw new Error(`LoRA params lack layers.${layer}.${target} (targets: ${loraConfig.targets.join(', ')})`);
      const [out, inFeatures] = loraProjectionShape(config, target);
      const expected = { A: [loraConfig.r, inFeatures], B: [out, loraConfig.r] };
      for (const key of ['A', 'B'] as const) {
        if (pair[key].shape.join() !== expected[key].join()) {
          throw new Error(`LoRA layers.${layer}.${target}.${key} is [${pair[key].shape.join(', ')}], expected [${expected[key].join(', ')}] (r=${loraConfig.r})`);
        }
      }
    }
    const extra = Object.keys(adapters).filter((target) => !loraConfig.targets.includes(target as LoraTarget));
    if (extra.length) throw new Error(`LoRA params layers.${layer} adapt ${extra.join(', ')}, which are not in targets (${loraConfig.targets.join(', ')})`);
  });
}

/** The `lora` option of the forward pass for these adapters. Does not consume `lora`. */
export function loraForwardOption(lora: LoraParams, loraConfig: LoraConfig): LoraApplication {
  return { params: lora, scaling: loraScaling(loraConfig) };
}

/*
 * Frozen-base training. makeTrainStep differentiates its loss's first argument and passes the
 * batch through, so the adapters are the parameters and the base rides in the batch: gradients
 * and optimizer state cover the adapters only, and the base is an input of the compiled step
 * (not a constant baked into it), so one compile serves every call.
 */

/** What a LoRA train step's loss sees: the frozen base next to the data. */
export type LoraBatch<Data> = { base: TransformerParams; data: Data };

/**
 * A loss of the adapters, the frozen base and a batch of data. Consumes all three, like any loss
 * given to makeTrainStep: forward() only reads its params, so dispose `lora` and `base` after it.
 */
export type LoraLossFunction<Data> = (lora: LoraParams, base: TransformerParams, data: Data) => [np.Array, LossAux];

export type LoraTrainStep<Data> = (lora: LoraParams, state: AdamState<LoraParams>, scalars: np.Array, base: TransformerParams, data: Data) => TrainStepResult<LoraParams>;

/**
 * One compiled optimisation step of the adapters with the base frozen. Ownership: consumes
 * `lora`, `state`, `scalars` and `data` (returning new adapters and state) but NOT `base` —
 * each call takes its own reference, so the same base serves every step; dispose it when done.
 */
export function makeLoraTrainStep<Data>(loss: LoraLossFunction<Data>, optimizer: Adam, options: TrainStepOptions = {}): LoraTrainStep<Data> {
  const step = makeTrainStep<LoraParams, LoraBatch<Data>>((lora, batch) => loss(lora, batch.base, batch.data), optimizer, options);
  return (lora, state, scalars, base, data) => step(lora, state, scalars, { base: refTree(base), data });
}
