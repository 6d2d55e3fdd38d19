export { Generator, GenerationStats, type GeneratedSequence, type GeneratorOptions, type Live } from './generator.js';
export { completionLogProbs, SCORE_LENGTH_MULTIPLE } from './scoring.js';
export { generateText, type GenerateTextOptions } from './text.js';
export { TokenSampler, sampleToken, checkTokenSampling, type SampledToken, type TokenSampling } from './sampling.js';
export { StopWatcher, type FinishReason, type StopCriteria } from './stop.js';
export { DEFAULT_BUCKETS, type BucketSizes } from './layout.js';
export { CompiledForwards, compiledForwards } from './compiled.js';
