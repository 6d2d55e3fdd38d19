import { disposeTree, initEngine, mapLeaves, np } from '@rlft/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, type SamplingOptions } from '../backend.js';
import { scratchConfig } from '../model/config.js';
import { causalAttnBias, forward, leftPaddedPositions } from '../model/forward.js';
import { initParams } from '../model/init.js';
import { createLora, loraForwardOption } from '../model/lora.js';
import type { TransformerConfig, TransformerParams } from '../model/types.js';
import { builtinTokenizer } from '../text/builtin-tokenizer.js';
import { Generator } from './generator.js';
import { argmax } from './sampling.js';
import { completionLogProbs } from './scoring.js';
import { generateText } from './text.js';

const tokenizer = builtinTokenizer();
let config: TransformerConfig;
let params: TransformerParams;
let generator: Generator;

beforeAll(async () => {
  await initEngine('wasm');
  config = scratchConfig('tiny', tokenizer.vocabSize);
  params = varied(initParams(config, 5));
  // Small buckets keep the compiled shapes few and small.
  generator = new Generator({ config, tokenizer, params: () => params, buckets: { promptMultiple: 8, capacityMultiple: 16 } });
});

/**
 * Fresh weights (std 0.02) make a model that repeats its last token whatever came before, which
 * a broken cache would reproduce too. Larger matrices make the continuation depend on the context.
 */
function varied(fresh: TransformerParams): TransformerParams {
  const scaled = mapLeaves(fresh, (w) => (w.ndim === 2 ? w.ref.mul(WEIGHT_SCALE) : w.ref));
  disposeTree(fresh);
  return scaled;
}
const WEIGHT_SCALE = 6;

const greedy = (maxNewTokens: number, extra: Partial<SamplingOptions> = {}): SamplingOptions => ({ ...DEFAULT_SAMPLING, maxNewTokens, ...extra });
const encode = (text: string) => tokenizer.encode(text);

/** Greedy decoding by recomputing the whole sequence every step, one prompt at a time, no cache. */
async function greedyByRecomputation(prompt: number[], steps: number): Promise<number[]> {
  const ids = [...prompt];
  for (let i = 0; i < steps; i++) {
    const length = ids.length;
    const { logits } = forward(config, params, {
      tokens: np.array(Int32Array.from(ids), { shape: [1, length], dtype: np.int32 }),
      positions: leftPaddedPositions([0], length),
      attnBias: causalAttnBias([0], length),
    });
    const all = (await logits.data()) as Float32Array;
    ids.push(argmax(all.subarray((length - 1) * config.vocabSize)));
  }
  return ids.slice(prompt.length);
}

describe('Generator', () => {
  it('decodes with the KV cache exactly as greedy recomputation does, for prompts of different lengths', async () => {
    const prompts = [encode('<observation>0.5</observation>'), encode('a'), encode('Cards: [A, 10]')];
    const results = await generator.generate(prompts, greedy(6));
    for (const [i, prompt] of prompts.entries()) {
      expect(results[i].ids).toEqual(await greedyByRecomputation(prompt, 6));
      expect(results[i].finishReason).toBe('length');
      expect(results[i].logprobs).toHaveLength(6);
      expect(results[i].text).toBe(tokenizer.decode(results[i].ids));
    }
  });

  it('gives a prompt the same greedy completion whatever else is in the batch', async () => {
    const prompt = encode('<action>1');
    const [alone] = await generator.generate([prompt], greedy(5));
    // A long neighbour changes the padded length (8 → 24) and the cache capacity.
    const batch = await generator.generate([encode('x'), prompt, encode('a much longer prompt, twenty')], greedy(5));
    expect(batch[1].ids).toEqual(alone.ids);
    batch[1].logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(alone.logprobs[i], 4));
  });

  it('stops at maxNewTokens, on a stop string spanning tokens, and on eos', async () => {
    const prompt = encode('<user>hi');
    const [long] = await generator.generate([prompt], greedy(12));
    expect(long.ids).toHaveLength(12);
    const stop = long.text.slice(3, 5); // two characters: two tokens of the built-in tokenizer
    const [stopped] = await generator.generate([prompt], greedy(12, { stop: [stop] }));
    const end = long.text.indexOf(stop) + stop.length;
    expect(stopped).toMatchObject({ text: long.text.slice(0, end), finishReason: 'stop', ids: long.ids.slice(0, end) });

    // The first token that differs from the first one (a random model repeats itself a lot).
    const eos = long.ids.find((id) => id !== long.ids[0]) ?? long.ids[0];
    const withEos = new Generator({ config: { ...config, eosTokenIds: [eos] }, tokenizer, params, buckets: { promptMultiple: 8, capacityMultiple: 16 } });
    const [ended] = await withEos.generate([prompt], greedy(12));
    const first = long.ids.indexOf(eos);
    expect(ended).toMatchObject({ ids: long.ids.slice(0, first + 1), text: first > 0 ? tokenizer.decode(long.ids.slice(0, first)) : '', finishReason: 'stop' });
  });

  it('is reproducible with a seed, and topK 1 is greedy', async () => {
    const prompts = [encode('<observation>'), encode('12')];
    const sample = (seed: number, extra: Partial<SamplingOptions> = {}) => generator.generate(prompts, greedy(8, { temperature: 1, seed, ...extra }));
    const first = await sample(1);
    expect(await sample(1)).toEqual(first);
    expect((await sample(2)).map((r) => r.ids)).not.toEqual(first.map((r) => r.ids));
    const topOne = await sample(3, { topK: 1, temperature: 0.7 });
    expect(topOne.map((r) => r.ids)).toEqual((await generator.generate(prompts, greedy(8))).map((r) => r.ids));
  });

  it('reports the log-probs completionLogProbs recomputes at temperature 1', async () => {
    const prompts = [encode('<action>'), encode('0,1,2,3,4,5,6,7,8,9')];
    const results = await generator.generate(prompts, greedy(7, { temperature: 1, seed: 9, topP: 0.95 }));
    const scored = await completionLogProbs(
      config,
      params,
      prompts,
      results.map((r) => r.ids),
    );
    results.forEach((r, i) => {
      expect(scored[i]).toHaveLength(r.ids.length);
      r.logprobs.forEach((lp, t) => expect(scored[i][t]).toBeCloseTo(lp, 4));
    });
  });

  it('reads the weights at every call, LoRA adapters included, and scores with the same adapters', async () => {
    const loraConfig = { r: 2, alpha: 4, targets: ['q' as const, 'v' as const, 'down' as const] };
    const lora = createLora(config, loraConfig, 3);
    // Fresh adapters have B = 0 (no change); give them a visible effect.
    for (const layer of lora.layers) {
      for (const pair of Object.values(layer)) {
        const [out, r] = pair.B.shape;
        pair.B.dispose();
        pair.B = np.ones([out, r]).mul(0.5);
      }
    }
    let adapters: ReturnType<typeof loraForwardOption> | undefined;
    let weights = params;
    const live = new Generator({ config, tokenizer, params: () => weights, lora: () => adapters, buckets: { promptMultiple: 8, capacityMultiple: 16 } });
    const prompts = [encode('<observation>1,2'), encode('q')];
    const sampling = greedy(6, { temperature: 1, seed: 4 });
    const base = await live.generate(prompts, sampling);
    expect(base).toEqual(await generator.generate(prompts, sampling));

    adapters = loraForwardOption(lora, loraConfig);
    const adapted = await live.generate(prompts, sampling);
    expect(adapted.map((r) => r.logprobs)).not.toEqual(base.map((r) => r.logprobs));
    const scored = await completionLogProbs(config, params, prompts, adapted.map((r) => r.ids), adapters);
    adapted.forEach((r, i) => r.logprobs.forEach((lp, t) => expect(scored[i][t]).toBeCloseTo(lp, 4)));

    adapters = undefined;
    weights = varied(initParams(config, 6));
    const replaced = await live.generate(prompts, sampling);
    expect(replaced.map((r) => r.logprobs)).not.toEqual(base.map((r) => r.logprobs));
  });

  it('leaves the weights with the references it found', async () => {
    const counts = () => [params.embed.refCount, params.layers[1].attn.q.weight.refCount, params.final_norm.weight.refCount];
    const before = counts();
    const [result] = await generator.generate([encode('abc')], greedy(3, { stop: ['zz'] }));
    await completionLogProbs(config, params, [encode('abc')], [result.ids]);
    expect(counts()).toEqual(before);
  });

  it('generates text and counts its throughput', async () => {
    const before = generator.stats.generatedTokens;
    const completions = await generateText(generator, tokenizer, ['<|user|>go', 'x'], greedy(4));
    expect(completions).toHaveLength(2);
    for (const c of completions) {
      expect(c).toMatchObject({ finishReason: 'length', tokenCount: 4 });
      expect(c.logprobs).toHaveLength(4);
    }
    expect(generator.stats.generatedTokens - before).toBe(8);
    expect(generator.stats.decodeTokensPerSecond).toBeGreaterThan(0);
  });

  it('rejects bad prompts and options with what is allowed', async () => {
    await expect(generator.generate([[]], greedy(4))).rejects.toThrow(/Prompt 0 is empty/);
    await expect(generator.generate([[1, 999]], greedy(4))).rejects.toThrow(/token id 999, outside the vocabulary \[0, 106\)/);
    await expect(generator.generate([[1]], greedy(0))).rejects.toThrow(/maxNewTokens must be an integer ≥ 1/);
    await expect(generator.generate([[1]], greedy(2, { topP: 0 }))).rejects.toThrow(/topP must be in \(0, 1\]/);
  });
});
