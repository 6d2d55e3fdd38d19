import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { RlftCommand } from '../base-command.js';
import { resolveCheckpointPath } from '../checkpoint-path.js';

export default class Export extends RlftCommand {
  static override summary = 'Export a trained MLP policy, e.g. as an ONNX model.';
  static override description = `--checkpoint takes a run directory (its latest checkpoint) or a checkpoint directory. The ONNX model maps a batch of flattened observations ('obs', float32 [batch, obsDim]) to the actor's output ('logits' or 'mean') and the action ('action': the argmax, or the Gaussian mean clipped to the action space). A run's observation normalisation is part of the graph, with its statistics frozen.

Evaluate the model with: rlft eval --env ID --policy onnx --model FILE`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --checkpoint runs/ppo-CartPole-v1-20260101T120000 --format onnx',
    '<%= config.bin %> <%= command.id %> --checkpoint runs/ppo-CartPole-v1-20260101T120000/checkpoints/step-000000100352 --out cartpole.onnx',
  ];
  static override flags = {
    checkpoint: Flags.string({ char: 'c', helpValue: 'PATH', description: 'A run directory or a checkpoint directory.', required: true }),
    format: Flags.string({ char: 'f', helpValue: 'FORMAT', description: 'Output format.', options: ['onnx'], default: 'onnx' }),
    out: Flags.string({ char: 'o', helpValue: 'FILE', description: 'Output file (default: policy.onnx inside the checkpoint directory).' }),
    json: Flags.boolean({ description: 'Print one JSON line {"checkpoint","format","out","bytes"} instead of text.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Export);
    const checkpoint = await resolveCheckpointPath(flags.checkpoint);
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
}
