import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RlftError, Rng } from '@rlft/core';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  LogitsProcessor,
  LogitsProcessorList,
  StoppingCriteria,
  StoppingCriteriaList,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import type { ChatMessage, Completion, GenerationRequest, LanguageModelBackend, SamplingOptions } from '../backend.js';
import { checkTokenSampling, sampleToken } from '../generation/sampling.js';
import { StopWatcher } from '../generation/stop.js';
import { ONNX_MODEL_FILE } from './model-dir.js';

/**
 * A {@link LanguageModelBackend} over transformers.js (onnxruntime-node underneath), for a
 * model directory holding `onnx/model.onnx` (see `exportOnnxModelDir`) with its config and
 * tokenizer files. Local files only: nothing is downloaded.
 *
 * transformers.js runs the decoder and its KV cache; the token choice is rlft's own
 * `sampleToken` (temperature, top-k, top-p as Hugging Face applies them, seeded by
 * `sampling.seed`), plugged in as a logits processor that leaves only the drawn token open, so
 * that transformers.js' greedy step picks it. (transformers.js 4.3 does not apply top-p, and
 * its sampler draws from one process-wide random state.) Stop strings and end-of-sequence are
 * watched per row; the batch ends when every row has finished.
 */

export class OnnxBackendError extends RlftError {
  constructor(message: string) {
    super('ONNX_BACKEND', message);
  }
}

export interface OnnxBackendOptions {
  /** Name in logs and results (default: the directory). */
  modelName?: string;
  /** Renders a conversation to prompt text ending where the assistant's answer starts; default: the tokenizer's chat template. */
  renderPrompt?: (messages: readonly ChatMessage[]) => string;
  /** Requests per transformers.js generate call (default 16). */
  maxBatch?: number;
  /**
   * Extra chat-template variables; as in the in-process backend, Qwen3's `enable_thinking` is
   * false by default so that a controller answers at once.
   */
  templateVariables?: Record<string, unknown>;
}

export class OnnxBackend implements LanguageModelBackend {
  readonly kind = 'onnx';

  private constructor(
    readonly modelName: string,
    private readonly model: PreTrainedModel,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly eosTokenIds: number[],
    private readonly options: OnnxBackendOptions,
  ) {}

  static async load(dir: string, options: OnnxBackendOptions = {}): Promise<OnnxBackend> {
    const absolute = resolve(dir);
    for (const file of ['config.json', 'tokenizer.json', ONNX_MODEL_FILE]) {
      if (!existsSync(join(absolute, file))) {
        throw new OnnxBackendError(`${dir} has no ${file}; an ONNX model directory needs config.json, tokenizer.json (+ tokenizer_config.json) and ${ONNX_MODEL_FILE} (write it with: rlft export --model DIR)`);
      }
    }
    const tokenizer = await AutoTokenizer.from_pretrained(absolute, { local_files_only: true });
    // Decoder-only generation continues every row at the same position: pad on the left.
    tokenizer.padding_side = 'left';
    const model = await AutoModelForCausalLM.from_pretrained(absolute, { local_files_only: true, dtype: 'fp32', device: 'cpu' });
    // As the in-process generator: every id that any of the files calls end-of-sequence.
    const config = model.config as { eos_token_id?: unknown };
    const eosTokenIds = [...new Set([model.generation_config?.eos_token_id, config.eos_token_id, tokenizer.eos_token_id].flatMap(tokenIds))];
    if (options.maxBatch !== undefined && !(Number.isInteger(options.maxBatch) && options.maxBatch >= 1)) {
      throw new OnnxBackendError(`maxBatch must be an integer ≥ 1, got ${options.maxBatch}`);
    }
    return new OnnxBackend(options.modelName ?? dir, model, tokenizer, eosTokenIds, options);
  }

  async generate(requests: readonly GenerationRequest[], sampling: SamplingOptions): Promise<Completion[]> {
    const prompts = requests.map((request) => this.render(request.messages) + (request.assistantPrefix ?? ''));
    return this.run(prompts, sampling);
  }

  /** Raw prompts, tokenized without added special tokens (as the in-process backend: a template already wrote any BOS). */
  async complete(prompts: readonly string[], sampling: SamplingOptions): Promise<Completion[]> {
    return this.run(prompts, sampling);
  }

  async close(): Promise<void> {
    await this.model.dispose();
  }

  /** The prompt text a conversation becomes (without any assistant prefix). */
  render(messages: readonly ChatMessage[]): string {
    if (this.options.renderPrompt) return this.options.renderPrompt(messages);
    const conversation = messages.map((m) => ({ role: m.role, content: m.content }));
    // Extra keys reach the template as variables (the option type does not list them).
    const options = { enable_thinking: false, ...this.options.templateVariables, tokenize: false as const, add_generation_prompt: true };
    return this.tokenizer.apply_chat_template(conversation, options) as string;
  }

  private async run(prompts: readonly string[], sampling: SamplingOptions): Promise<Completion[]> {
    checkTokenSampling(sampling);
    if (!(Number.isInteger(sampling.maxNewTokens) && sampling.maxNewTokens >= 1)) throw new OnnxBackendError(`maxNewTokens must be an integer ≥ 1, got ${sampling.maxNewTokens}`);
    // One stream per row, split from the seed as the in-process generator splits it, so both
    // backends draw the same tokens from the same logits.
    const root = Rng.fromSeed(sampling.seed);
    const rngs = prompts.map(() => root.split());
    const maxBatch = this.options.maxBatch ?? 16;
    const completions: Completion[] = [];
    for (let start = 0; start < prompts.length; start += maxBatch) {
      const end = start + maxBatch;
      completions.push(...(await this.runBatch(prompts.slice(start, end), sampling, rngs.slice(start, end))));
    }
    return completions;
  }

  private async runBatch(prompts: readonly string[], sampling: SamplingOptions, rngs: Rng[]): Promise<Completion[]> {
    if (prompts.length === 0) return [];
    const inputs = this.tokenizer(prompts as string[], { padding: true, add_special_tokens: false });
    const promptLength = (inputs.input_ids as Tensor).dims[1];
    // Special tokens stay in the text (as the in-process generator keeps them); eos is dropped by the watcher.
    const decode = (ids: readonly number[]) => this.tokenizer.decode(ids as number[], { skip_special_tokens: false });
    const watchers = prompts.map(() => new StopWatcher({ stop: sampling.stop, eosTokenIds: this.eosTokenIds, maxNewTokens: sampling.maxNewTokens }, decode));
    const logprobs: number[][] = prompts.map(() => []);
    const logitsProcessor = new LogitsProcessorList();
    logitsProcessor.push(new RlftTokenChoice(sampling, rngs, logprobs));
    const stoppingCriteria = new StoppingCriteriaList();
    stoppingCriteria.push(new WatchRows(watchers, promptLength));
    await this.model.generate({
      ...inputs,
      max_new_tokens: sampling.maxNewTokens,
      do_sample: false,
      logits_processor: logitsProcessor,
      stopping_criteria: stoppingCriteria,
      // Rows end by the watchers (sticky per row); transformers.js' own eos check looks at the last token only.
      ...NO_EOS_CHECK,
    });
    return watchers.map((watcher, row) => ({
      text: watcher.text(),
      finishReason: watcher.finishReason,
      tokenCount: watcher.ids.length,
      logprobs: logprobs[row].slice(0, watcher.ids.length),
    }));
  }
}

function tokenIds(value: unknown): number[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((id): id is number => typeof id === 'number' && Number.isInteger(id));
}

/** transformers.js' generation config types leave out null, which turns its end-of-sequence criterion off. */
export const NO_EOS_CHECK = { eos_token_id: null as unknown as number[] };

/**
 * Draws each row's next token with rlft's sampler and closes every other logit, so the greedy
 * step that follows takes the drawn token. Records log p(token) under the raw logits.
 */
class RlftTokenChoice extends LogitsProcessor {
  constructor(
    private readonly sampling: SamplingOptions,
    private readonly rngs: Rng[],
    private readonly logprobs: number[][],
  ) {
    super();
  }

  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    const data = logits.data as Float32Array;
    const vocab = logits.dims[logits.dims.length - 1];
    const rows = data.length / vocab;
    for (let row = 0; row < rows; row++) {
      const values = data.subarray(row * vocab, (row + 1) * vocab);
      const { token, logProb } = sampleToken(values, this.sampling, this.rngs[row]);
      this.logprobs[row].push(logProb);
      values.fill(-Infinity);
      values[token] = 0;
    }
    return logits;
  }
}

/** Feeds each row's new tokens to its StopWatcher; a row stays finished once it is. */
class WatchRows extends StoppingCriteria {
  constructor(
    private readonly watchers: StopWatcher[],
    private readonly promptLength: number,
  ) {
    super();
  }

  // Typed number[][] by transformers.js; the ids arrive as bigints.
  override _call(inputIds: (number | bigint)[][]): boolean[] {
    return inputIds.map((ids, row) => {
      const watcher = this.watchers[row];
      for (let at = this.promptLength + watcher.ids.length; at < ids.length && !watcher.done; at++) watcher.push(Number(ids[at]));
      return watcher.done;
    });
  }
}
