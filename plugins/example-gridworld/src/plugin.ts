import { readFileSync } from 'node:fs';
import type * as Rlft from '@rlft/core';
import { gridWorldRegistration, type RlftApi } from './grid-world.js';
import { shortestPathPolicy } from './shortest-path-policy.js';

const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/**
 * The plugin entry (package.json `rlft.plugin`). It is a function of the host's `@rlft/core`
 * API rather than a module that imports core: an installed plugin lives in the CLI's data
 * directory, and a second copy of core there would have its own Env class and registry.
 * Only types come from `@rlft/core` (`import type`), so nothing of it is needed at run time.
 */
export default function gridWorldPlugin(rlft: RlftApi): Rlft.RlftPlugin {
  return rlft.definePlugin({
    name,
    version,
    description: 'A seeded grid world with walls and a goal, and its shortest-path baseline',
    envs: [gridWorldRegistration(rlft)],
    policies: [shortestPathPolicy(rlft)],
  });
}
