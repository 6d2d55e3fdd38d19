import { Args, Flags } from '@oclif/core';
import { RlftCommand } from '../../base-command.js';
import { describeEnv, type EnvDescription } from '../../env-description.js';
import { renderTable } from '../../format/table.js';

export default class EnvsInfo extends RlftCommand {
  static override summary = "Show an environment's spec: spaces, time limit, reward threshold and options.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> CartPole-v1',
    '<%= config.bin %> <%= command.id %> MountainCar-v0 --json',
  ];
  static override args = {
    id: Args.string({ description: 'Environment id or alias (see `rlft envs list`).', required: true }),
  };
  static override flags = {
    json: Flags.boolean({ description: 'Print the spec as one JSON object.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EnvsInfo);
    const host = await this.pluginHost();
    const env = await describeEnv(host, host.registry.spec(args.id));
    if (env.unavailable) this.logToStderr(`Warning: could not create ${env.id} to read its spaces: ${env.unavailable}`);
    this.log(flags.json ? JSON.stringify(env, null, 2) : formatEnvInfo(env));
  }
}

function formatEnvInfo(env: EnvDescription): string {
  const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
  const facts: [string, string][] = [
    ['Plugin', env.plugin],
    ['Aliases', env.aliases.join(', ') || '–'],
    ['Observation space', env.observationSpace ?? '?'],
    ['Action space', env.actionSpace ?? '?'],
    ['Max episode steps', env.maxEpisodeSteps === undefined ? 'none' : String(env.maxEpisodeSteps)],
    ['Reward threshold', env.rewardThreshold === undefined ? 'none' : String(env.rewardThreshold)],
    ['Nondeterministic', yesNo(env.nondeterministic)],
    ['Render modes', env.renderModes?.join(', ') || 'none'],
    ['Expert policy', env.expert ? 'yes (--policy expert)' : 'none'],
  ];
  if (Object.keys(env.registeredKwargs).length) facts.push(['Registered kwargs', JSON.stringify(env.registeredKwargs)]);
  const width = Math.max(...facts.map(([label]) => label.length)) + 1;
  const lines = [env.id, ...(env.description ? [env.description] : []), ''];
  for (const [label, value] of facts) lines.push(`${`${label}:`.padEnd(width)}  ${value}`);
  lines.push('');
  if (env.options.length === 0) {
    lines.push('Options: none');
  } else {
    lines.push('Options (-k key=value):');
    lines.push(
      renderTable(env.options, [
        { header: 'name', value: (o) => o.name },
        { header: 'type', value: (o) => o.type },
        { header: 'default', value: (o) => (o.default === undefined ? '' : JSON.stringify(o.default)) },
        { header: 'description', value: (o) => o.description ?? '' },
      ]),
    );
  }
  return lines.join('\n');
}
