import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@rlft/core';
import { disposeTree, treeToHost, type HostTensors } from '@rlft/nn';
import { loadTransformerWeights } from '../model/weights-io.js';
import type { TransformerConfig } from '../model/types.js';
import { exportTransformerOnnx } from './export-transformer.js';

/** Where transformers.js looks for the fp32 decoder of a model directory. */
export const ONNX_MODEL_FILE = join('onnx', 'model.onnx');
/** The files besides the ONNX graph that transformers.js reads from a model directory. */
const COMPANION_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json'];

/** Write `onnx/model.onnx` for the given weights into `dir` (atomically). Returns the file's path. */
export function writeOnnxModel(dir: string, config: TransformerConfig, weights: HostTensors): string {
  const path = join(dir, ONNX_MODEL_FILE);
  writeFileAtomic(path, exportTransformerOnnx(config, weights));
  return path;
}

/**
 * Export a model directory in Hugging Face layout (config.json + safetensors, as rlft saves
 * them) to `outDir/onnx/model.onnx` (default: the same directory). When `outDir` differs, the
 * config and tokenizer files are copied along so that `outDir` loads in transformers.js alone.
 */
export function exportOnnxModelDir(modelDir: string, outDir: string = modelDir): string {
  const { config, params } = loadTransformerWeights(modelDir);
  let weights: HostTensors;
  try {
    weights = treeToHost(params);
  } finally {
    disposeTree(params);
  }
  if (resolve(outDir) !== resolve(modelDir)) {
    mkdirSync(outDir, { recursive: true });
    for (const file of COMPANION_FILES) if (existsSync(join(modelDir, file))) copyFileSync(join(modelDir, file), join(outDir, file));
  }
  return writeOnnxModel(outDir, config, weights);
}
