import { readFileSync } from 'node:fs';
import type * as Rlft from '@rlft/core';
import { ballOnPlateRegistration } from './ball-on-plate.js';
import type { RlftApi } from './options.js';
import { loadRapier } from './rapier.js';

const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/**
 * The plugin entry (package.json `rlft.plugin`): a function of the host's `@rlft/core` API,
 * so that an installed copy uses rlft's own Env class and registry (only types are imported
 * from core). It is async because Rapier's WebAssembly module is initialised here, once per
 * process or worker thread, before any environment is made.
 */
export default async function rapierPlatePlugin(rlft: RlftApi): Promise<Rlft.RlftPlugin> {
  await loadRapier();
  return rlft.definePlugin({
    name,
    version,
    description: 'BallOnPlate: balance a ball on a tilting plate, simulated with the Rapier physics engine',
    envs: [ballOnPlateRegistration(rlft)],
  });
}
