import { createRequire } from 'node:module';
import { writeFileAtomic } from '@rlft/core';
import type { HostTensors } from '@rlft/nn';
import { loadMlpCheckpoint } from '../checkpoint.js';
import type { MlpPolicySpec } from '../spec.js';
import { buildOnnxModel } from './graph.js';
import { encodeOnnxModel } from './schema.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Write the actor of an MLP policy as an ONNX model (see `buildOnnxModel` for the graph),
 * atomically: readers see the old file or the complete new one. Returns the file's size in bytes.
 */
export function exportOnnx(spec: MlpPolicySpec, tensors: HostTensors, outFile: string): number {
  const bytes = encodeOnnxModel(buildOnnxModel(spec, tensors, version));
  writeFileAtomic(outFile, bytes);
  return bytes.byteLength;
}

/** `rlft export --format onnx`: the policy saved in a checkpoint directory, as an ONNX file. */
export async function exportCheckpointToOnnx(checkpointDir: string, outFile: string): Promise<{ outFile: string; bytes: number; spec: MlpPolicySpec }> {
  const { spec, tensors } = await loadMlpCheckpoint(checkpointDir);
  return { outFile, bytes: exportOnnx(spec, tensors, outFile), spec };
}
