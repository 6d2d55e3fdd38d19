import { resolveCheckpointPath } from './checkpoint-path.js';
import { FlagValueError } from './key-values.js';

/**
 * `rlft eval` flags that are shorthands for `--policy-opt POLICY.OPTION=VALUE`, with the
 * policies they belong to. `required` ones must be given (by flag or --policy-opt) whenever one
 * of their policies is listed: the file a trained policy acts from.
 */
export const POLICY_FLAGS = [
  { policies: ['mlp'], flag: 'checkpoint', option: 'checkpoint', required: true, what: 'a run directory (its latest checkpoint) or a checkpoint directory' },
  {
    policies: ['onnx', 'llm'],
    flag: 'model',
    option: 'model',
    required: true,
    what: 'an .onnx file for onnx (rlft export writes one); a model directory (Hugging Face layout or an rlft run) or an OpenAI-compatible URL for llm',
  },
  { policies: ['llm'], flag: 'model-name', option: 'modelName', required: false, what: 'the model name an OpenAI-compatible server serves' },
  { policies: ['llm'], flag: 'format', option: 'format', required: false, what: 'the text format of observations and actions' },
  { policies: ['llm'], flag: 'temperature', option: 'temperature', required: false, what: 'the sampling temperature (0 = greedy)' },
] as const;

export type PolicyFlags = Partial<Record<(typeof POLICY_FLAGS)[number]['flag'], string | number>>;

/**
 * Put the policy shorthand flags into the options of the listed policies they belong to, and
 * insist on the required ones: a listed mlp/onnx/llm policy without its file, or a flag none
 * of whose policies is listed, is a usage error. The mlp checkpoint is resolved to one
 * checkpoint directory.
 */
export async function applyPolicyFlags(optionsByPolicy: Map<string, Record<string, unknown>>, flags: PolicyFlags): Promise<void> {
  for (const { policies, flag, option, required, what } of POLICY_FLAGS) {
    const value = flags[flag];
    const listed = policies.filter((policy) => optionsByPolicy.has(policy));
    if (listed.length === 0 && value !== undefined) {
      const names = policies.join(' or ');
      throw new FlagValueError(`--${flag} is for --policy ${names}; add ${policies[0]} to --policy (e.g. --policy ${policies[0]} --${flag} ${value})`);
    }
    for (const policy of listed) {
      const options = optionsByPolicy.get(policy)!;
      if (value !== undefined) {
        if (options[option] !== undefined) throw new FlagValueError(`--${flag} and --policy-opt ${option}=… both set the ${policy} policy's ${option}; give one`);
        options[option] = value;
      }
      if (required && options[option] === undefined) throw new FlagValueError(`--policy ${policy} needs --${flag} PATH: ${what}`);
      if (policy === 'mlp' && typeof options[option] === 'string') options[option] = await resolveCheckpointPath(options[option], `--${flag}`);
    }
  }
}
