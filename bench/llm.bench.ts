// Language-model benchmarks on this machine: in-process generation tokens/s at batch 1 and 8 and
// a training step's tokens/s (forward + backward + Adam) for the ~1M ('small') and ~25M
// ('medium') from-scratch models, and the same greedy generation by transformers.js
// (onnxruntime) on the same weights exported to ONNX, measured in the same run: the ratio
// rlft / transformers.js. Writes bench/results/llm.json and prints a table.
//
//   npm run bench                      (builds first; runs every benchmark)
//   node bench/llm.bench.ts [--sizes small,medium] [--repeats 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '@rlft/core';
import { initEngine } from '@rlft/nn';
import {
  Generator,
  LmTrainer,
  disposeLanguageModel,
  engineSequences,
  exportOnnxModelDir,
  maskedNll,
  onnxGenerationSpeed,
  packSequences,
  parameterCount,
  saveLanguageModel,
  scratchLanguageModel,
  type LanguageModel,
  type TextTokenizer,
} from '@rlft/policy-llm';
import { formatTable, machineInfo, median } from './harness.ts';

const RESULTS = fileURLToPath(new URL('./results/llm.json', import.meta.url));
const PROMPT_TOKENS = 32;
const NEW_TOKENS = 32;
const TRAIN = { small: { batch: 8, tokens: 64 }, medium: { batch: 4, tokens: 64 } } as const;

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: 'small,medium' }, repeats: { type: 'string', default: '3' } } });
const sizes = args.sizes.split(',') as ('small' | 'medium')[];
const repeats = Number(args.repeats);

/** The prompts transformers.js is given in onnxGenerationSpeed: fixed pseudo-random ids. */
function prompts(batch: number, vocab: number): number[][] {
  return Array.from({ length: batch }, (_, b) => Array.from({ length: PROMPT_TOKENS }, (_, t) => ((b * PROMPT_TOKENS + t) * 7919 + 13) % vocab));
}

/** The model's tokenizer without end-of-sequence ids, so that every row generates exactly NEW_TOKENS. */
function withoutEos(tokenizer: TextTokenizer): TextTokenizer {
  return {
    vocabSize: tokenizer.vocabSize,
    encode: (text, options) => tokenizer.encode(text, options),
    decode: (ids, options) => tokenizer.decode(ids, options),
    tokenToId: (token) => tokenizer.tokenToId(token),
    eosTokenIds: [],
    ...(tokenizer.padTokenId !== undefined ? { padTokenId: tokenizer.padTokenId } : {}),
  };
}

async function generationSpeed(model: LanguageModel, batch: number): Promise<{ tokensPerSecond: number; seconds: number }> {
  const generator = new Generator({ config: { ...model.config, eosTokenIds: [] }, tokenizer: withoutEos(model.tokenizer), params: model.params });
  const input = prompts(batch, model.config.vocabSize);
  const sampling = { maxNewTokens: NEW_TOKENS, temperature: 0, topP: 1, topK: 0, stop: [] };
  await generator.generate(input, sampling); // compiles prefill and decode for this shape
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const out = await generator.generate(input, sampling);
    times.push((performance.now() - started) / 1000);
    if (out.some((row) => row.ids.length !== NEW_TOKENS)) throw new Error('a row stopped early');
  }
  generator.dispose();
  const seconds = median(times);
  return { tokensPerSecond: (batch * NEW_TOKENS) / seconds, seconds };
}

async function trainSpeed(model: LanguageModel, batch: number, tokens: number): Promise<{ tokensPerSecond: number; seconds: number }> {
  const trainer = new LmTrainer(model, maskedNll, { mode: 'full', learningRate: 1e-4 });
  const ids = prompts(batch, model.config.vocabSize).map((p) => [...p, ...p].slice(0, tokens + 1));
  const sequences = packSequences(ids.map((s) => s.slice(0, 1)), ids.map((s) => s.slice(1)), { lengthMultiple: 16, wholeSequence: true });
  trainer.step(engineSequences(sequences)); // compiles
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    trainer.step(engineSequences(sequences));
    times.push((performance.now() - started) / 1000);
  }
  trainer.dispose();
  const seconds = median(times);
  return { tokensPerSecond: (batch * tokens) / seconds, seconds };
}

await initEngine();
const scratch = mkdtempSync(join(tmpdir(), 'rlft-llm-bench-'));
const results: Record<string, unknown>[] = [];
try {
  for (const size of sizes) {
    const model = scratchLanguageModel(size, 0);
    const dir = join(scratch, size);
    saveLanguageModel(dir, model);
    exportOnnxModelDir(dir);
    const entry: Record<string, unknown> = { size, parameters: parameterCount(model.config), vocab: model.config.vocabSize, hidden: model.config.hiddenSize, layers: model.config.numLayers };
    for (const batch of [1, 8]) {
      const rlft = await generationSpeed(model, batch);
      const reference = await onnxGenerationSpeed(dir, { batch, promptTokens: PROMPT_TOKENS, newTokens: NEW_TOKENS, repeats });
      entry[`generate_b${batch}`] = { rlft, transformersJs: { tokensPerSecond: reference.tokensPerSecond, seconds: reference.seconds }, ratio: rlft.tokensPerSecond / reference.tokensPerSecond };
      console.error(`${size} batch ${batch}: rlft ${rlft.tokensPerSecond.toFixed(0)} tok/s, transformers.js ${reference.tokensPerSecond.toFixed(0)} tok/s`);
    }
    const { batch, tokens } = TRAIN[size];
    entry.train = { batch, tokens, ...(await trainSpeed(model, batch, tokens)) };
    console.error(`${size} train: ${JSON.stringify(entry.train)}`);
    disposeLanguageModel(model);
    results.push(entry);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const report = {
  benchmark: 'llm',
  description: `Greedy generation of ${NEW_TOKENS} tokens after ${PROMPT_TOKENS}-token prompts (prefill included, median of ${repeats}) by rlft's in-process transformer and by transformers.js on the same weights exported to ONNX; one full fine-tuning step (forward, backward, Adam) of from-scratch Qwen3-style models.`,
  machine: machineInfo(),
  loadAverage: loadavg(),
  results,
};
writeFileAtomic(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
const rate = (x: { tokensPerSecond: number }) => x.tokensPerSecond.toFixed(0);
console.log(
  formatTable(
    ['model', 'params', 'gen b1 rlft / tjs', 'ratio', 'gen b8 rlft / tjs', 'ratio', 'train tok/s'],
    results.map((r) => {
      const g1 = r.generate_b1 as { rlft: { tokensPerSecond: number }; transformersJs: { tokensPerSecond: number }; ratio: number };
      const g8 = r.generate_b8 as typeof g1;
      return [
        String(r.size),
        `${((r.parameters as number) / 1e6).toFixed(2)}M`,
        `${rate(g1.rlft)} / ${rate(g1.transformersJs)}`,
        `${g1.ratio.toFixed(2)}×`,
        `${rate(g8.rlft)} / ${rate(g8.transformersJs)}`,
        `${g8.ratio.toFixed(2)}×`,
        rate(r.train as { tokensPerSecond: number }),
      ];
    }),
  ),
);
console.log(`Wrote ${RESULTS}`);
