import { Args, Flags } from '@oclif/core';
import { openDataset } from '@rlft/data';
import { RlftCommand } from '../../base-command.js';
import { describeDataset } from '../../dataset-description.js';
import { formatNumber } from '../../format/numbers.js';

export default class DatasetInfo extends RlftCommand {
  static override summary = 'Describe a dataset: episodes, steps, returns, spaces.';
  static override description =
    'PATH is a dataset directory (or its data/ folder). The normalised score, 100·(R − ref_min)/(ref_max − ref_min) of the mean return, is shown when the dataset has reference scores.';
  static override examples = ['<%= config.bin %> <%= command.id %> datasets/cartpole-expert-v0', '<%= config.bin %> <%= command.id %> ~/.minari/datasets/mujoco/halfcheetah/medium-v0 --json'];
  static override args = {
    path: Args.string({ description: 'Dataset directory.', required: true }),
  };
  static override flags = {
    json: Flags.boolean({ description: 'Print one JSON object.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DatasetInfo);
    const dataset = await openDataset(args.path);
    let description;
    try {
      description = describeDataset(dataset);
    } finally {
      dataset.close();
    }
    if (flags.json) {
      this.log(JSON.stringify(description, null, 2));
      return;
    }
    const r = description.return;
    const lines = [
      `${description.id}  (${description.path})`,
      `  episodes            ${description.episodes}`,
      `  steps               ${description.steps}`,
      `  return              ${formatNumber(r.mean)} ± ${formatNumber(r.std)} (min ${formatNumber(r.min)}, max ${formatNumber(r.max)})`,
      `  observation space   ${description.observationSpace}`,
      `  action space        ${description.actionSpace}`,
      `  env                 ${description.env ?? '–'}`,
      `  algorithm           ${description.algorithm ?? '–'}`,
      `  reference scores    ${description.refMinScore !== null && description.refMaxScore !== null ? `${formatNumber(description.refMinScore)} … ${formatNumber(description.refMaxScore)}` : '–'}`,
      `  normalised score    ${description.normalizedScore !== null ? formatNumber(description.normalizedScore) : '– (no reference scores)'}`,
      `  size                ${description.sizeMB} MB`,
    ];
    this.log(lines.join('\n'));
  }
}
