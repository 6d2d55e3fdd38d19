import { resolveCheckpointPath } from './checkpoint-path.js';
import { FlagValueError } from './key-values.js';

/** Policies that act from a file, and the `rlft eval` flag that names it (a shorthand for `--policy-opt POLICY.OPTION=PATH`). */
export const POLICY_FILE_FLAGS = [
  { policy: 'mlp', flag: 'checkpoint', option: 'checkpoint', what: 'a run directory (its latest checkpoint) or a checkpoint directory' },
  { policy: 'onnx', flag: 'model', option: 'model', what: 'an .onnx file (rlft export writes one)' },
] as const;

export type PolicyFileFlags = Partial<Record<(typeof POLICY_FILE_FLAGS)[number]['flag'], string>>;

/**
 * Put `--checkpoint` / `--model` into the options of the policies they belong to, and insist on
 * them: a listed mlp or onnx policy without its file, or a flag without its policy, is a usage
 * error. The mlp checkpoint (flag or --policy-opt) is resolved to one checkpoint directory.
 */
export async function applyPolicyFileFlags(optionsByPolicy: Map<string, Record<string, unknown>>, flags: PolicyFileFlags): Promise<void> {
  for (const { policy, flag, option, what } of POLICY_FILE_FLAGS) {
    const value = flags[flag];
    const options = optionsByPolicy.get(policy);
    if (options === undefined) {
      if (value !== undefined) throw new FlagValueError(`--${flag} is for --policy ${policy}; add ${policy} to --policy (e.g. --policy ${policy} --${flag} ${value})`);
      continue;
    }
    if (value !== undefined) {
      if (options[option] !== undefined) throw new FlagValueError(`--${flag} and --policy-opt ${option}=… both set the ${policy} policy's ${option}; give one`);
      options[option] = value;
    }
    if (options[option] === undefined) throw new FlagValueError(`--policy ${policy} needs --${flag} PATH: ${what}`);
    if (policy === 'mlp' && typeof options[option] === 'string') options[option] = await resolveCheckpointPath(options[option], `--${flag}`);
  }
}
