import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { PluginHost, PluginLoadError } from '@rlft/core';

/** The `rlft` section of a package.json. */
export interface RlftManifest {
  /** Module (relative to the package root) whose default export is the plugin. */
  plugin?: string;
  /** For the CLI itself: packages that every install loads. */
  builtinPlugins?: string[];
}

/** A package that may carry an rlft plugin: its name, root directory and package.json. */
export interface PluginPackage {
  name: string;
  root: string;
  pjson: { rlft?: RlftManifest };
}

/** Where a plugin's entry module is, or why it cannot be loaded. */
export type PluginEntry = { name: string; entry: string } | { name: string; problem: string };

/** The entry of a package that declares `rlft.plugin`, or undefined when it declares none. */
export function pluginEntryOf(pkg: PluginPackage): PluginEntry | undefined {
  const declared = pkg.pjson.rlft?.plugin;
  if (declared === undefined) return undefined;
  if (typeof declared !== 'string' || declared === '') {
    return { name: pkg.name, problem: `"rlft.plugin" in its package.json must be a module path such as "./dist/plugin.js"` };
  }
  return { name: pkg.name, entry: resolve(pkg.root, declared) };
}

/**
 * Built-in plugin packages are ordinary dependencies of the CLI, found the way Node would
 * import them from the CLI's own directory.
 */
export function builtinPluginEntries(cliRoot: string, names: readonly string[]): PluginEntry[] {
  const require = createRequire(join(cliRoot, 'package.json'));
  return names.map((name): PluginEntry => {
    let manifestPath: string;
    try {
      manifestPath = require.resolve(`${name}/package.json`);
    } catch {
      return { name, problem: `the package is not installed next to the CLI (${cliRoot})` };
    }
    const pjson = JSON.parse(readFileSync(manifestPath, 'utf8')) as PluginPackage['pjson'];
    return pluginEntryOf({ name, root: dirname(manifestPath), pjson }) ?? { name, problem: 'its package.json has no "rlft.plugin" entry' };
  });
}

/**
 * One PluginHost per CLI invocation: the core baselines, then the built-in packages, then
 * every installed or linked oclif plugin that declares `rlft.plugin`. Failures are recorded
 * in `host.failures` and skipped; they never stop the CLI.
 */
export async function createPluginHost(entries: readonly PluginEntry[]): Promise<PluginHost> {
  const host = await PluginHost.create();
  for (const item of entries) {
    if ('problem' in item) host.failures.push({ plugin: item.name, error: new PluginLoadError(item.name, item.problem) });
    else await host.load(item.entry, item.name);
  }
  return host;
}

/** The text shown on stderr for each plugin that failed to load. */
export function describePluginFailures(host: PluginHost): string[] {
  return host.failures.map(({ plugin, error }) => {
    const message = error.message.startsWith(`Plugin '${plugin}'`) ? error.message : `Plugin '${plugin}' failed to load: ${error.message}`;
    return `Warning: ${message} (skipped)`;
  });
}
