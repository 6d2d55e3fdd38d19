import type { Architecture, LoraTarget } from './types.js';

/**
 * Hugging Face module names of each family, the one table that weight loading/saving and PEFT
 * adapters share. Llama, Qwen2 and Qwen3 follow `LlamaForCausalLM`'s layout; GPT-2 follows
 * `GPT2LMHeadModel` (Conv1D weights stored [in, out], q/k/v fused in `c_attn`).
 */

/** A module inside a decoder block, by rlft's name. */
export type BlockModule = 'attn_norm' | 'q' | 'k' | 'v' | 'o' | 'qkv' | 'q_norm' | 'k_norm' | 'mlp_norm' | 'gate' | 'up' | 'down';
/** A module outside the blocks. */
export type TopModule = 'embed' | 'position_embed' | 'final_norm' | 'lm_head';

const LLAMA_BLOCK: Partial<Record<BlockModule, string>> = {
  attn_norm: 'input_layernorm',
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  q_norm: 'self_attn.q_norm',
  k_norm: 'self_attn.k_norm',
  mlp_norm: 'post_attention_layernorm',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
};

const GPT2_BLOCK: Partial<Record<BlockModule, string>> = {
  attn_norm: 'ln_1',
  qkv: 'attn.c_attn',
  o: 'attn.c_proj',
  mlp_norm: 'ln_2',
  up: 'mlp.c_fc',
  down: 'mlp.c_proj',
};

const LLAMA_TOP: Partial<Record<TopModule, string>> = { embed: 'model.embed_tokens', final_norm: 'model.norm', lm_head: 'lm_head' };
const GPT2_TOP: Partial<Record<TopModule, string>> = { embed: 'transformer.wte', position_embed: 'transformer.wpe', final_norm: 'transformer.ln_f', lm_head: 'lm_head' };

function isGpt2(arch: Architecture): boolean {
  return arch === 'gpt2';
}

/** `model.layers.3.self_attn.q_proj` / `transformer.h.3.attn.c_attn`, or undefined where the family has no such module. */
export function hfBlockModule(arch: Architecture, layer: number, module: BlockModule): string | undefined {
  const table = isGpt2(arch) ? GPT2_BLOCK : LLAMA_BLOCK;
  const name = table[module];
  if (name === undefined) return undefined;
  return isGpt2(arch) ? `transformer.h.${layer}.${name}` : `model.layers.${layer}.${name}`;
}

export function hfTopModule(arch: Architecture, module: TopModule): string | undefined {
  return (isGpt2(arch) ? GPT2_TOP : LLAMA_TOP)[module];
}

/**
 * The name PEFT puts in `target_modules` for an rlft LoRA target (its last path component):
 * q → q_proj (Llama family), qkv → c_attn (GPT-2), …; undefined where the family has none.
 */
export function peftTargetName(arch: Architecture, target: LoraTarget): string | undefined {
  const path = hfBlockModule(arch, 0, target);
  return path?.slice(path.lastIndexOf('.') + 1);
}

/** LoRA targets each family offers (GPT-2's attention is one fused projection). */
export function loraTargetsOf(arch: Architecture): LoraTarget[] {
  return isGpt2(arch) ? ['qkv', 'o', 'up', 'down'] : ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
}

/**
 * Checkpoints saved from a base model class (GPT2Model, LlamaModel) lack the `transformer.` /
 * `model.` prefix; loaders try the name as given, then without that prefix.
 */
export function hfNameCandidates(name: string): string[] {
  for (const prefix of ['transformer.', 'model.']) {
    if (name.startsWith(prefix)) return [name, name.slice(prefix.length)];
  }
  return [name];
}
