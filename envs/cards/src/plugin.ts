import { definePlugin, type EnvRegistration } from '@rlft/core';

// Each game module exports its registrations; this list is the package's single plugin.
const envs: EnvRegistration[] = [];

export default definePlugin({
  name: '@rlft/envs-cards',
  version: '0.1.0',
  description: 'Card and puzzle games with language and numeric interfaces',
  envs,
});
