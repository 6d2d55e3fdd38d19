import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { RlftCommand } from '../base-command.js';
import { resolveCheckpointPath } from '../checkpoint-path.js';

export default class Export extends RlftCommand {
  static override summary = 'Export a trained MLP policy or a language model as an ONNX model.';
  static override description = `MLP policies: --checkpoint takes a run directory (its latest checkpoint) or a checkpoint directory. The ONNX model maps a batch of flattened observations ('obs', float32 [batch, obsDim]) to the actor's output ('logits' or 'mean') and the action ('action': the argmax, or the Gaussian mean clipped to the action space). A run's observation normalisation is part of the graph, with its statistics frozen.

Evaluate the model with: rlft eval --env ID --policy onnx --model FILE

Language models: --model DIR takes a model directory (Hugging Face layout) or an rlft run (its latest checkpoint's model) and writes onnx/model.onnx next to its weights (or into --out DIR, with the config and tokenizer copied), a decoder with a KV cache in transformers.js' layout (weights in onnx/model.onnx_data above 1 GiB). Evaluate it with: rlft eval --env ID --policy llm --model DIR --policy-opt engine=onnx`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --checkpoint runs/ppo-CartPole-v1-20260101T120000 --format onnx',
    '<%= config.bin %> <%= command.id %> --checkpoint runs/ppo-CartPole-v1-20260101T120000/checkpoints/step-000000100352 --out cartpole.onnx',
    '<%= config.bin %> <%= command.id %> --model runs/sft-CartPole-v1-20260101T120000',
  ];
  static override flags = {
    checkpoint: Flags.string({ char: 'c', helpValue: 'PATH', description: 'An MLP run directory or checkpoint directory.', exactlyOne: ['checkpoint', 'model'] }),
    model: Flags.string({ char: 'm', helpValue: 'DIR', description: 'A language model: a model directory or an rlft run.', exactlyOne: ['checkpoint', 'model'] }),
    format: Flags.string({ char: 'f', helpValue: 'FORMAT', description: 'Output format.', options: ['onnx'], default: 'onnx' }),
    out: Flags.string({ char: 'o', helpValue: 'FILE|DIR', description: 'Output file (default: policy.onnx inside the checkpoint directory); for --model an output model directory (default: the model directory itself).' }),
    json: Flags.boolean({ description: 'Print one JSON line {"checkpoint"|"model","format","out","bytes"} instead of text.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Export);
    if (flags.model !== undefined) return this.exportLanguageModel(flags.model, flags.out, flags.json);
    const checkpoint = await resolveCheckpointPath(flags.checkpoint!);
    const outFile = resolve(flags.out ?? join(checkpoint, `policy.${flags.format}`));
    // policy-mlp brings onnxruntime and protobufjs; load them only for this command.
    const { exportCheckpointToOnnx } = await import('@rlft/policy-mlp');
    const { bytes } = await exportCheckpointToOnnx(checkpoint, outFile);
    if (flags.json) {
      this.log(JSON.stringify({ checkpoint, format: flags.format, out: outFile, bytes }));
    } else {
      this.log(`Wrote ${outFile} (${bytes} bytes) from ${checkpoint}`);
    }
  }

  private async exportLanguageModel(model: string, out: string | undefined, json: boolean): Promise<void> {
    const { exportOnnxModelDir, resolveModelSource } = await import('@rlft/policy-llm');
    const source = resolveModelSource(model);
    if (source.kind !== 'directory') {
      const why = source.kind === 'adapter' ? 'a LoRA adapter (merge it into its base first)' : source.kind === 'http' ? 'a server URL' : 'an untrained scratch model';
      throw new Error(`--model ${model} is ${why}; ONNX export takes a model directory with its weights`);
    }
    const { initEngine } = await import('@rlft/nn');
    await initEngine();
    const onnxFile = exportOnnxModelDir(source.dir, out === undefined ? source.dir : resolve(out));
    const bytes = statSync(onnxFile).size;
    if (json) this.log(JSON.stringify({ model: source.dir, format: 'onnx', out: onnxFile, bytes }));
    else this.log(`Wrote ${onnxFile} (${bytes} bytes) from ${source.dir}`);
  }
}
