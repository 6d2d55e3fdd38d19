import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@rlft/core';
import { disposeTree, treeToHost, type HostTensors } from '@rlft/nn';
import { loadTransformerWeights } from '../model/weights-io.js';
import type { TransformerConfig } from '../model/types.js';
import { exportTransformerOnnx } from './export-transformer.js';
import type { ExternalDataSink } from './graph-builder.js';

/** Where transformers.js looks for the fp32 decoder of a model directory. */
export const ONNX_MODEL_FILE = join('onnx', 'model.onnx');
/** Its external weights (transformers.js' and Optimum's name for them). */
export const ONNX_DATA_FILE = `${ONNX_MODEL_FILE}_data`;
/** Weights above this size go to ONNX_DATA_FILE under `externalData: 'auto'` (one file cannot pass 2 GiB). */
const AUTO_EXTERNAL_BYTES = 2 ** 30;

export interface WriteOnnxOptions {
  /** Weights in `onnx/model.onnx_data` beside the graph: always, never, or (default) above 1 GiB of weights. */
  externalData?: boolean | 'auto';
}
/** The files besides the ONNX graph that transformers.js reads from a model directory. */
const COMPANION_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json'];

/**
 * Write `onnx/model.onnx` (and `onnx/model.onnx_data` with external weights) for the given
 * weights into `dir`, each file atomically. Returns the model file's path.
 */
export function writeOnnxModel(dir: string, config: TransformerConfig, weights: HostTensors, options: WriteOnnxOptions = {}): string {
  const path = join(dir, ONNX_MODEL_FILE);
  const dataPath = join(dir, ONNX_DATA_FILE);
  const mode = options.externalData ?? 'auto';
  let totalBytes = 0;
  for (const tensor of weights.values()) totalBytes += tensor.data.byteLength;
  if (mode === true || (mode === 'auto' && totalBytes > AUTO_EXTERNAL_BYTES)) {
    const sink = new FileSink(dataPath);
    let model: Uint8Array;
    try {
      model = exportTransformerOnnx(config, weights, { externalData: sink });
      sink.commit();
    } finally {
      sink.discard();
    }
    writeFileAtomic(path, model);
  } else {
    writeFileAtomic(path, exportTransformerOnnx(config, weights));
    // A data file left from an earlier export would only mislead.
    rmSync(dataPath, { force: true });
  }
  return path;
}

/** Appends tensor bytes to a temporary file that becomes `path` on commit. */
class FileSink implements ExternalDataSink {
  readonly location: string;
  readonly minBytes = 1024;
  private readonly temporary: string;
  private fd: number | undefined;
  private size = 0;

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.location = basename(path);
    this.temporary = join(dirname(path), `.${this.location}.${randomBytes(6).toString('hex')}.tmp`);
    this.fd = openSync(this.temporary, 'w');
  }

  append(bytes: Uint8Array): { offset: number; length: number } {
    if (this.fd === undefined) throw new Error('Internal error: external data written after the file was closed');
    const offset = this.size;
    for (let written = 0; written < bytes.byteLength; ) written += writeSync(this.fd, bytes, written, bytes.byteLength - written, offset + written);
    this.size += bytes.byteLength;
    return { offset, length: bytes.byteLength };
  }

  commit(): void {
    this.close();
    renameSync(this.temporary, this.path);
  }

  /** Removes the temporary file unless committed. */
  discard(): void {
    this.close();
    rmSync(this.temporary, { force: true });
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Export a model directory in Hugging Face layout (config.json + safetensors, as rlft saves
 * them) to `outDir/onnx/model.onnx` (default: the same directory). When `outDir` differs, the
 * config and tokenizer files are copied along so that `outDir` loads in transformers.js alone.
 */
export function exportOnnxModelDir(modelDir: string, outDir: string = modelDir, options: WriteOnnxOptions = {}): string {
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
  return writeOnnxModel(outDir, config, weights, options);
}
