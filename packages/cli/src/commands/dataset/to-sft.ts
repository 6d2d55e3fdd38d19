import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { openDataset } from '@rlft/data';
import { RlftCommand } from '../../base-command.js';
import { exportSft, SFT_FORMATS } from '../../sft-export.js';

export default class DatasetToSft extends RlftCommand {
  static override summary = 'Write a dataset as JSONL records for supervised fine-tuning of a language model.';
  static override description = `One record per transition, in the LLM-as-controller text format: {"prompt": "<observation>v1,v2,…</observation>", "completion": "<action>…</action>"}, values with 5 decimals (a discrete action as its integer).
--format discretised writes each real value as a bin 0–999 over the dataset's per-dimension [min, max] and saves those ranges to <out>.ranges.json; --format chat writes {"messages": [system, user, assistant]}.
Episodes are split by a seeded shuffle: --eval-fraction of them go to <out> with .eval before .jsonl, the rest to <out>. Both files appear only when complete.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> datasets/cartpole-expert-v0 --out sft/cartpole.jsonl',
    '<%= config.bin %> <%= command.id %> datasets/halfcheetah-medium-v0 --out sft/cheetah.jsonl --format discretised --eval-fraction 0.05 --seed 1',
  ];
  static override args = {
    path: Args.string({ description: 'Dataset directory.', required: true }),
  };
  static override flags = {
    out: Flags.string({ char: 'o', helpValue: 'FILE.jsonl', description: 'Training file to write; the eval split goes next to it as FILE.eval.jsonl.', required: true }),
    format: Flags.string({ description: 'Record format.', options: [...SFT_FORMATS], default: 'reference' }),
    'eval-fraction': Flags.string({ helpValue: 'F', description: 'Fraction of episodes held out for evaluation, in [0, 1).', default: '0.1' }),
    seed: Flags.integer({ char: 's', helpValue: 'S', description: 'Seed of the train/eval split.', default: 0, min: 0 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DatasetToSft);
    const evalFraction = Number(flags['eval-fraction']);
    if (flags['eval-fraction'].trim() === '' || !(evalFraction >= 0 && evalFraction < 1)) {
      this.usageError(`--eval-fraction must be a number in [0, 1), got '${flags['eval-fraction']}'`);
    }
    const dataset = await openDataset(args.path);
    try {
      const result = exportSft(dataset, {
        out: resolve(flags.out),
        format: flags.format as (typeof SFT_FORMATS)[number],
        evalFraction,
        seed: flags.seed,
      });
      this.log(`Wrote ${result.train.records} records from ${plural(result.train.episodes, 'episode')} to ${result.train.path}`);
      this.log(`Wrote ${result.eval.records} records from ${plural(result.eval.episodes, 'episode')} to ${result.eval.path}`);
      if (result.rangesPath) this.log(`Wrote the discretisation ranges to ${result.rangesPath}`);
    } finally {
      dataset.close();
    }
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
