import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { RlftCommand } from '../base-command.js';
import { formatMetric, formatNumber } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { abortOnInterrupt, INTERRUPTED_EXIT_CODE } from '../interrupt.js';
import { parseKeyValues } from '../key-values.js';
import { ProgressLine } from '../progress.js';
import { NoAlgorithmsError, trainOnEnv } from '../training.js';

export default class Run extends RlftCommand {
  static override summary = 'Train a policy on an environment with a training algorithm.';
  static override description = `Writes one run directory: config.json (the resolved config), metrics.jsonl, checkpoints/ and summary.md. Without --algo, lists the algorithms the installed plugins provide.

Ctrl-C stops training at the algorithm's next safe point, which saves a checkpoint that --resume continues from.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --env CartPole-v1 --algo ppo --seed 1 -c total_timesteps=100000',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', helpValue: 'ID', description: 'Environment id or alias (see `rlft envs list`).' }),
    algo: Flags.string({ char: 'a', helpValue: 'NAME', description: 'Training algorithm (run without it to list those available).' }),
    seed: Flags.integer({ char: 's', helpValue: 'S', description: 'Seed for the environments and the algorithm (default 0).', default: 0, min: 0 }),
    kwarg: Flags.string({
      char: 'k',
      helpValue: 'KEY=VALUE',
      description: 'Environment option as key=value (repeatable); the value is read as JSON when it parses, else as text.',
      multiple: true,
    }),
    config: Flags.string({
      char: 'c',
      helpValue: 'KEY=VALUE',
      description: "Algorithm setting as key=value (repeatable), checked against the algorithm's config schema.",
      multiple: true,
    }),
    'runs-dir': Flags.string({ helpValue: 'DIR', description: 'Directory under which the run directory is created.', default: 'runs' }),
    resume: Flags.string({ helpValue: 'DIR', description: 'Checkpoint directory to continue training from.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Run);
    const envKwargs = parseKeyValues(flags.kwarg, '-k');
    const config = parseKeyValues(flags.config, '-c');
    const host = await this.pluginHost();
    const algorithms = host.algorithms();
    if (algorithms.length === 0) throw new NoAlgorithmsError();
    if (flags.algo === undefined) {
      this.log('Available training algorithms:\n');
      this.log(
        renderTable(algorithms, [
          { header: 'algorithm', value: (a) => a.id },
          { header: 'plugin', value: (a) => a.plugin },
          { header: 'description', value: (a) => a.description },
        ]),
      );
      this.log('\nStart one with: rlft run --env <id> --algo <algorithm>');
      return;
    }
    const algorithm = host.algorithm(flags.algo);
    if (flags.env === undefined) this.usageError(`--algo ${algorithm.id} needs an environment: add --env <id> (see \`rlft envs list\`)`);

    const progress = process.stderr.isTTY ? new ProgressLine() : undefined;
    const interrupt = abortOnInterrupt(() => {
      progress?.clear();
      this.logToStderr('Interrupted: saving a checkpoint and stopping (Ctrl-C again quits at once).');
    });
    try {
      const { run, result } = await trainOnEnv(host, {
        algorithm,
        envId: flags.env,
        envKwargs,
        config,
        seed: flags.seed,
        runsRoot: resolve(flags['runs-dir']),
        ...(flags.resume !== undefined ? { resumeFrom: resolve(flags.resume) } : {}),
        signal: interrupt.signal,
        onProgress: (p) => {
          const mean = p.meanReturn === undefined ? '' : `, mean return ${formatNumber(p.meanReturn)}`;
          progress?.update(`${algorithm.id}: step ${p.step}/${p.totalSteps}${mean}${p.message ? ` ${p.message}` : ''}`);
        },
      });
      progress?.clear();
      const metrics = Object.entries(result.metrics);
      if (metrics.length) this.log(renderTable(metrics, [{ header: 'metric', value: ([name]) => name }, { header: 'value', value: ([, v]) => formatMetric(v), align: 'right' }]));
      this.log(`Run directory: ${run.path}`);
      if (result.checkpoint) this.log(`Last checkpoint: ${result.checkpoint}`);
      if (result.interrupted) {
        this.logToStderr(`Interrupted.${result.checkpoint ? ` Continue with: rlft run --env ${flags.env} --algo ${algorithm.id} --resume ${result.checkpoint}` : ''}`);
        process.exitCode = INTERRUPTED_EXIT_CODE;
      }
    } finally {
      interrupt.dispose();
      progress?.clear();
    }
  }
}
