import { Adam, countParameters, disposeTree, initEngine, mapLeaves, np, refTree, treeToHost, type HostTensors } from '@rlft/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchConfig } from './config.js';
import { causalAttnBias, forward, leftPaddedPositions, tokenLogProbs, type ForwardInput } from './forward.js';
import { initParams } from './init.js';
import { createLora, loraForwardOption, loraParameterCount, loraProjectionShape, loraScaling, makeLoraTrainStep, mergeLora, validateLoraConfig } from './lora.js';
import type { LoraConfig, LoraParams, LoraTarget, TransformerConfig, TransformerParams } from './types.js';

beforeAll(async () => {
  await initEngine('wasm');
});

const VOCAB = 40;
/** Qwen3-style: grouped-query attention (4 query heads, 2 kv heads of 16), SwiGLU, q/k norm. */
const qwen3 = scratchConfig('tiny', VOCAB);
const gpt2: TransformerConfig = {
  ...qwen3,
  architecture: 'gpt2',
  numKvHeads: 4,
  intermediateSize: 256,
  maxPositions: 32,
  norm: 'layernorm',
  normEps: 1e-5,
  positions: 'learned',
  mlp: 'gelu',
  qkvBias: true,
  projectionBias: true,
  qkNorm: false,
};
const ALL_QWEN3: LoraConfig = { r: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] };
const ALL_GPT2: LoraConfig = { r: 4, alpha: 16, targets: ['qkv', 'o', 'up', 'down'] };

function input(rows: number[][]): ForwardInput {
  const T = rows[0].length;
  return {
    tokens: np.array(Int32Array.from(rows.flat()), { shape: [rows.length, T], dtype: np.int32 }),
    positions: leftPaddedPositions(rows.map(() => 0), T),
    attnBias: causalAttnBias(rows.map(() => 0), T),
  };
}

/** Adapters whose B is non-zero too (fresh ones leave the model unchanged, which would prove nothing). */
function nonZeroLora(config: TransformerConfig, loraConfig: LoraConfig, seed: number): LoraParams {
  const fresh = createLora(config, loraConfig, seed);
  const moved = mapLeaves(fresh, (leaf) => leaf.ref.add(np.array(Float32Array.from({ length: leaf.size }, (_, i) => Math.sin(i + seed) * 0.2)).reshape([...leaf.shape])));
  disposeTree(fresh);
  return moved;
}

function values(array: np.Array): number[] {
  return Array.from(array.dataSync() as ArrayLike<number>);
}

function maxDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i])), 0);
}

function expectSameTensors(actual: HostTensors, expected: HostTensors): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [path, tensor] of expected) expect(Array.from(actual.get(path)!.data), path).toEqual(Array.from(tensor.data));
}

describe('createLora', () => {
  it('shapes A [r, in] and B [out, r] per projection, B zero, A uniform within ±1/√in (PEFT init)', () => {
    const lora = createLora(qwen3, ALL_QWEN3, 7);
    expect(lora.layers).toHaveLength(qwen3.numLayers);
    const expected: Partial<Record<LoraTarget, [number, number]>> = { q: [64, 64], k: [32, 64], v: [32, 64], o: [64, 64], gate: [192, 64], up: [192, 64], down: [64, 192] };
    for (const target of ALL_QWEN3.targets) {
      expect(loraProjectionShape(qwen3, target)).toEqual(expected[target]);
      const [out, inFeatures] = expected[target]!;
      const { A, B } = lora.layers[1][target]!;
      expect(A.shape).toEqual([4, inFeatures]);
      expect(B.shape).toEqual([out, 4]);
      expect(values(B.ref).every((b) => b === 0)).toBe(true);
      const a = values(A.ref);
      const bound = 1 / Math.sqrt(inFeatures);
      expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    }
    expect(countParameters(lora)).toBe(loraParameterCount(qwen3, ALL_QWEN3));
    expect(loraParameterCount(qwen3, { r: 2, alpha: 2, targets: ['q'] })).toBe(2 * 2 * (64 + 64));
    disposeTree(lora);
  });

  it("adapts GPT-2's fused c_attn as one [3·hidden, hidden] projection", () => {
    const lora = createLora(gpt2, { r: 2, alpha: 2, targets: ['qkv'] }, 0);
    expect(lora.layers[0].qkv!.A.shape).toEqual([2, 64]);
    expect(lora.layers[0].qkv!.B.shape).toEqual([192, 2]);
    disposeTree(lora);
  });

  it('is reproducible from its seed', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => createLora(qwen3, { r: 2, alpha: 2, targets: ['v'] }, seed));
    expect(values(a.layers[0].v!.A.ref)).toEqual(values(b.layers[0].v!.A.ref));
    expect(values(a.layers[0].v!.A.ref)).not.toEqual(values(c.layers[0].v!.A.ref));
    // Different layers draw different matrices.
    expect(values(a.layers[0].v!.A.ref)).not.toEqual(values(a.layers[1].v!.A.ref));
    [a, b, c].forEach(disposeTree);
  });

  it('refuses bad settings, naming what each family allows', () => {
    expect(() => validateLoraConfig(qwen3, { r: 4, alpha: 8, targets: ['qkv'] })).toThrow(/'qkv' are not projections of qwen3; it offers q, k, v, o, gate, up, down/);
    expect(() => validateLoraConfig(gpt2, { r: 4, alpha: 8, targets: ['q', 'gate'] })).toThrow(/'q', 'gate' are not projections of gpt2; it offers qkv, o, up, down/);
    expect(() => validateLoraConfig(qwen3, { r: 0, alpha: -1, targets: [] })).toThrow(/r must be an integer ≥ 1, got 0; alpha must be a finite number > 0, got -1; targets must list at least one projection/);
    expect(() => validateLoraConfig(qwen3, { r: 2.5, alpha: 8, targets: ['q', 'q'], dropout: 1 })).toThrow(/r must be an integer ≥ 1, got 2.5; targets repeat q; dropout must be in \[0, 1\), got 1\..*Allowed: r, alpha, targets, dropout/);
    expect(() => createLora(qwen3, { r: 4, alpha: 8, targets: ['qkv'] }, 0)).toThrow(/not projections of qwen3/);
  });

  it('scales by alpha / r', () => {
    expect(loraScaling({ r: 8, alpha: 16, targets: ['q'] })).toBe(2);
    expect(loraForwardOption({ layers: [] }, { r: 4, alpha: 1, targets: ['q'] }).scaling).toBe(0.25);
  });
});

describe.each([
  ['qwen3 (GQA, every projection)', qwen3, ALL_QWEN3],
  ['gpt2 (fused qkv)', gpt2, ALL_GPT2],
] as const)('mergeLora on %s', (_name, config, loraConfig) => {
  it('gives the logits of the forward with the LoRA hook, without consuming its inputs', () => {
    const base = initParams(config, 3);
    const lora = nonZeroLora(config, loraConfig, 4);
    const rows = [
      [1, 5, 9, 2, 6, 5],
      [3, 5, 8, 9, 7, 9],
    ];
    const hooked = values(forward(config, base, input(rows), { lora: loraForwardOption(lora, loraConfig) }).logits);
    const plain = values(forward(config, base, input(rows)).logits);
    const merged = mergeLora(config, base, lora, loraConfig);
    const fromMerged = values(forward(config, merged, input(rows)).logits);
    expect(maxDifference(hooked, plain)).toBeGreaterThan(1e-2);
    expect(maxDifference(fromMerged, hooked)).toBeLessThan(1e-4);
    // The base and the adapters are intact and the untouched leaves are shared, not consumed.
    expect(maxDifference(values(forward(config, base, input(rows)).logits), plain)).toBe(0);
    expect(values(merged.embed.ref)).toEqual(values(base.embed.ref));
    disposeTree(merged);
    expect(values(forward(config, base, input(rows), { lora: loraForwardOption(lora, loraConfig) }).logits)).toEqual(hooked);
    disposeTree(base);
    disposeTree(lora);
  });
});

it('mergeLora names the projection whose base weight does not fit the adapters', () => {
  const base = initParams(qwen3, 1);
  const wider = { ...qwen3, intermediateSize: 256 };
  const lora = createLora(wider, { r: 2, alpha: 2, targets: ['up'] }, 0);
  expect(() => mergeLora(wider, base, lora, { r: 2, alpha: 2, targets: ['up'] })).toThrow(/layers\.0 up weight is \[192, 64\] but the adapter's delta is \[256, 64\]/);
  // The failed merge consumed nothing.
  expect(values(base.layers[0].mlp.up.weight.ref)).toHaveLength(192 * 64);
  disposeTree(base);
  disposeTree(lora);
});

describe('makeLoraTrainStep', () => {
  it('trains the adapters of a frozen base: LoRA params move, the base does not, the loss falls', () => {
    const config = qwen3;
    const loraConfig: LoraConfig = { r: 4, alpha: 8, targets: ['q', 'v', 'down'] };
    const base = initParams(config, 5);
    let lora = createLora(config, loraConfig, 6);
    const baseBefore = treeToHost(base);
    const sequence = [4, 17, 23, 8, 31, 2, 11, 19, 4];
    type Data = { input: ForwardInput; targets: np.Array };
    const makeData = (): Data => ({ input: input([sequence.slice(0, -1)]), targets: np.array(Int32Array.from(sequence.slice(1)), { shape: [1, 8], dtype: np.int32 }) });

    // −mean log p(next token) of the sequence under base + adapters.
    const loss = (adapters: LoraParams, frozen: TransformerParams, data: Data) => {
      const { logits } = forward(config, frozen, data.input, { lora: loraForwardOption(adapters, loraConfig) });
      disposeTree(adapters);
      disposeTree(frozen);
      return [tokenLogProbs(logits, data.targets).mean().neg(), {}] as [np.Array, Record<string, np.Array>];
    };
    const optimizer = new Adam({ learningRate: 1e-2 });
    const step = makeLoraTrainStep(loss, optimizer);
    let state = optimizer.init(lora);
    expect(countParameters(state.m)).toBe(loraParameterCount(config, loraConfig));

    const losses: number[] = [];
    for (let t = 1; t <= 4; t++) {
      const result = step(lora, state, np.array(optimizer.scalars(t)), base, makeData());
      ({ params: lora, state } = result);
      losses.push(result.metrics.loss);
    }
    losses.slice(1).forEach((value, i) => expect(value).toBeLessThan(losses[i]));
    expect(losses[3]).toBeLessThan(losses[0] - 0.1);
    expect(values(lora.layers[0].v!.B.ref).some((b) => b !== 0)).toBe(true);
    expectSameTensors(treeToHost(base), baseBefore);
    disposeTree(base);
    disposeTree(lora);
    disposeTree(state);
  });
});
