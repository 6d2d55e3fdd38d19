import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { RlftCommand } from '../../base-command.js';
import { collectDataset, defaultDatasetId } from '../../dataset-collect.js';
import { formatNumber } from '../../format/numbers.js';
import { abortOnInterrupt, INTERRUPTED_EXIT_CODE } from '../../interrupt.js';
import { parseKeyValues } from '../../key-values.js';
import { applyPolicyFlags } from '../../policy-files.js';
import { ProgressLine } from '../../progress.js';

export default class DatasetCollect extends RlftCommand {
  static override summary = 'Run a policy in an environment and save its episodes as a Minari dataset.';
  static override description =
    'Episode i is reset with seed S+i. The dataset is written to a hidden folder next to --out and moved into place only when every episode is done, so an interrupted collection leaves no dataset behind.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --policy expert --episodes 100 --seed 0 --out datasets/cartpole-expert-v0',
    '<%= config.bin %> <%= command.id %> --env cheetah --policy mlp --checkpoint runs/ppo-HalfCheetah-v5 --episodes 10 --out halfcheetah-medium-v0',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', helpValue: 'ID', description: 'Environment id or alias (see `rlft envs list`).', required: true }),
    policy: Flags.string({ char: 'p', helpValue: 'POLICY', description: 'Policy that acts: random, expert, mlp (with --checkpoint), or one a plugin provides.', required: true }),
    checkpoint: Flags.string({ helpValue: 'PATH', description: 'Checkpoint of --policy mlp: a run directory (its latest checkpoint) or a checkpoint directory.' }),
    episodes: Flags.integer({ char: 'n', helpValue: 'N', description: 'Number of episodes.', required: true, min: 1 }),
    seed: Flags.integer({ char: 's', helpValue: 'S', description: 'Seed of the first episode; episode i uses S+i.', default: 0, min: 0 }),
    out: Flags.string({ char: 'o', helpValue: 'DIR', description: 'Dataset directory to write (replaced when it exists).', required: true }),
    'dataset-id': Flags.string({ helpValue: 'ID', description: 'Minari dataset id, [namespace/]name-v<version> (default: from the --out folder name).' }),
    kwarg: Flags.string({ char: 'k', helpValue: 'KEY=VALUE', description: 'Environment option as key=value (repeatable; the value is read as JSON when it parses).', multiple: true }),
    'policy-opt': Flags.string({ helpValue: 'KEY=VALUE', description: 'Policy option as key=value (repeatable).', multiple: true }),
    'ref-min-score': Flags.string({ helpValue: 'R', description: "Reference return of a poor policy (usually random), stored for the normalised score (default: the env's registered reference, e.g. D4RL's)." }),
    'ref-max-score': Flags.string({ helpValue: 'R', description: 'Reference return of a good policy (usually the expert), stored for the normalised score.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DatasetCollect);
    const envKwargs = parseKeyValues(flags.kwarg, '-k');
    const policyOptions = parseKeyValues(flags['policy-opt'], '--policy-opt');
    const byPolicy = new Map([[flags.policy, policyOptions]]);
    await applyPolicyFlags(byPolicy, flags.checkpoint !== undefined ? { checkpoint: flags.checkpoint } : {});
    const refMin = this.score(flags['ref-min-score'], '--ref-min-score');
    const refMax = this.score(flags['ref-max-score'], '--ref-max-score');
    if ((refMin === undefined) !== (refMax === undefined)) this.usageError('--ref-min-score and --ref-max-score go together: give both or neither');
    if (refMin !== undefined && refMax !== undefined && !(refMax > refMin)) this.usageError(`--ref-max-score (${refMax}) must be above --ref-min-score (${refMin})`);
    const datasetId = flags['dataset-id'] ?? defaultDatasetId(flags.out);

    const host = await this.pluginHost();
    const spec = host.registry.spec(flags.env);
    host.registry.resolveKwargs(spec.id, envKwargs);
    const policy = host.policy(flags.policy);
    // The mlp policy acts deterministically unless told otherwise, as in `rlft eval`.
    if (policy.id === 'mlp' && policyOptions.deterministic === undefined) policyOptions.deterministic = true;
    const out = resolve(flags.out);
    const replacing = existsSync(out);

    const progress = process.stderr.isTTY ? new ProgressLine() : undefined;
    const interrupt = abortOnInterrupt(() => {
      progress?.clear();
      this.logToStderr('Interrupted: stopping after the current episode; nothing will be written (Ctrl-C again quits at once).');
    });
    let returnSum = 0;
    let result;
    try {
      progress?.update(`${policy.id} on ${spec.id}: episode 0/${flags.episodes}`, true);
      result = await collectDataset(host, {
        envId: spec.id,
        envKwargs,
        policy,
        policyOptions,
        episodes: flags.episodes,
        seed: flags.seed,
        out,
        datasetId,
        // The flags win; otherwise the env's registered references (e.g. D4RL's for the MuJoCo envs).
        ...(refMin !== undefined && refMax !== undefined
          ? { refMinScore: refMin, refMaxScore: refMax }
          : spec.referenceScores
            ? { refMinScore: spec.referenceScores.min, refMaxScore: spec.referenceScores.max }
            : {}),
        signal: interrupt.signal,
        onEpisode: (index, episodeReturn) => {
          returnSum += episodeReturn;
          const done = index + 1;
          progress?.update(`${policy.id} on ${spec.id}: episode ${done}/${flags.episodes}, mean return ${formatNumber(returnSum / done)}`, done === flags.episodes);
        },
      });
    } finally {
      interrupt.dispose();
      progress?.clear();
    }
    if (!result.metadata) {
      this.logToStderr(`Stopped by Ctrl-C after ${result.episodes} episode${result.episodes === 1 ? '' : 's'}: no dataset was written${replacing ? `; ${out} is unchanged` : ''}.`);
      process.exitCode = INTERRUPTED_EXIT_CODE;
      return;
    }
    const seeds = flags.episodes === 1 ? `seed ${flags.seed}` : `seeds ${flags.seed}…${flags.seed + flags.episodes - 1}`;
    this.log(
      `Wrote ${datasetId}: ${result.episodes} episode${result.episodes === 1 ? '' : 's'}, ${result.steps} steps of ${policy.id} on ${spec.id} (${seeds}), mean return ${formatNumber(returnSum / result.episodes)}, to ${out}`,
    );
  }

  private score(text: string | undefined, flag: string): number | undefined {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) this.usageError(`${flag} must be a finite number, got '${text}'`);
    return value;
  }
}
