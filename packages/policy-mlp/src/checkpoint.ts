import { loadCheckpoint, type HostTensors } from '@rlft/nn';
import { MlpSpecError, validateMlpSpec, type MlpPolicySpec } from './spec.js';

/** The checkpoint metadata key that holds the `MlpPolicySpec` (trainers write it when they save). */
export const POLICY_METADATA_KEY = 'policy';

export interface MlpCheckpoint {
  spec: MlpPolicySpec;
  /** Parameters (`actor.0.w`, …) and, for normalised runs, `obs_rms.mean` / `obs_rms.var`. */
  tensors: HostTensors;
  metadata: Record<string, unknown>;
}

/** Read the policy part of a checkpoint directory: its spec and tensors (optimizer state is not read). */
export async function loadMlpCheckpoint(dir: string): Promise<MlpCheckpoint> {
  const checkpoint = await loadCheckpoint(dir);
  const metadata = (checkpoint.metadata ?? {}) as Record<string, unknown>;
  const spec = metadata[POLICY_METADATA_KEY];
  if (spec === undefined) {
    throw new MlpSpecError(
      `The checkpoint at ${dir} has no policy spec (metadata.${POLICY_METADATA_KEY}); it was not written for an MLP policy. Keys present: ${Object.keys(metadata).join(', ') || 'none'}.`,
    );
  }
  try {
    return { spec: validateMlpSpec(spec), tensors: checkpoint.tensors, metadata };
  } catch (error) {
    throw new MlpSpecError(`The checkpoint at ${dir}: ${(error as Error).message}`);
  }
}
