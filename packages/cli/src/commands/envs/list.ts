import { Flags } from '@oclif/core';
import { RlftCommand } from '../../base-command.js';
import { describeEnv } from '../../env-description.js';
import { renderTable } from '../../format/table.js';

export default class EnvsList extends RlftCommand {
  static override summary = 'List the registered environments.';
  static override description =
    'Every environment contributed by the built-in plugins and by installed plugins (`rlft plugins install`), with its observation and action spaces and the plugin that provides it.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = {
    json: Flags.boolean({ description: 'Print a JSON array (one object per environment, with the spaces in JSON form).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(EnvsList);
    const host = await this.pluginHost();
    const envs = await Promise.all(host.registry.list().map((spec) => describeEnv(host, spec)));
    for (const env of envs) {
      if (env.unavailable) this.logToStderr(`Warning: could not create ${env.id} to read its spaces: ${env.unavailable}`);
    }
    if (flags.json) {
      this.log(JSON.stringify(envs, null, 2));
      return;
    }
    if (envs.length === 0) {
      this.log('No environments are registered. Install a plugin that provides some: rlft plugins install <package>');
      return;
    }
    this.log(
      renderTable(envs, [
        { header: 'id', value: (e) => e.id },
        { header: 'aliases', value: (e) => e.aliases.join(', ') },
        { header: 'observation space', value: (e) => e.observationSpace ?? '?' },
        { header: 'action space', value: (e) => e.actionSpace ?? '?' },
        { header: 'plugin', value: (e) => e.plugin },
      ]),
    );
  }
}
