import { Flags } from '@oclif/core';
import { datasetsRoot, listDatasets } from '@rlft/data';
import { RlftCommand } from '../../base-command.js';
import { envIdOf } from '../../dataset-description.js';
import { renderTable } from '../../format/table.js';

export default class DatasetList extends RlftCommand {
  static override summary = 'List the local datasets.';
  static override description =
    'Datasets under RLFT_DATASETS_PATH, else MINARI_DATASETS_PATH, else ~/.minari/datasets (Minari\'s own folder), namespaces included.';
  static override examples = ['<%= config.bin %> <%= command.id %>', 'RLFT_DATASETS_PATH=datasets <%= config.bin %> <%= command.id %> --json'];
  static override flags = {
    json: Flags.boolean({ description: 'Print a JSON array (id, path, episodes, steps, env, algorithm, or the error reading it).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DatasetList);
    const root = datasetsRoot();
    const rows = listDatasets(root).map((entry): ListedDataset => {
      const m = entry.metadata;
      return {
        id: entry.id,
        path: entry.path,
        ...(m
          ? {
              episodes: m.total_episodes,
              steps: m.total_steps,
              env: envIdOf(m.env_spec),
              algorithm: m.algorithm_name ?? null,
              sizeMB: m.dataset_size,
            }
          : { error: entry.error ?? 'unreadable metadata.json' }),
      };
    });
    if (flags.json) {
      this.log(JSON.stringify(rows, null, 2));
      return;
    }
    if (rows.length === 0) {
      this.log(`No datasets under ${root}. Write one with: rlft dataset collect --env ID --policy expert --episodes N --out ${root}/NAME-v0`);
      return;
    }
    this.log(
      renderTable(rows, [
        { header: 'id', value: (r) => r.id },
        { header: 'episodes', value: (r) => (r.error ? '?' : String(r.episodes)) },
        { header: 'steps', value: (r) => (r.error ? '?' : String(r.steps)) },
        { header: 'env', value: (r) => r.env ?? '–' },
        { header: 'algorithm', value: (r) => r.error ?? r.algorithm ?? '–' },
      ]),
    );
  }
}

interface ListedDataset {
  id: string;
  path: string;
  episodes?: number;
  steps?: number;
  env?: string | null;
  algorithm?: string | null;
  sizeMB?: number;
  error?: string;
}
