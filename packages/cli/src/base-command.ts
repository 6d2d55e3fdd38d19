import { Command, Errors } from '@oclif/core';
import { RlftError, type PluginHost } from '@rlft/core';
import { builtinPluginEntries, createPluginHost, describePluginFailures, pluginEntryOf, type PluginEntry, type RlftManifest } from './host.js';
import { FlagValueError } from './key-values.js';

/** Bad flag values are usage errors (2, like oclif's own parse errors); other failures exit 1. */
const USAGE_EXIT_CODE = 2;

/**
 * Shared by every rlft command: one PluginHost per invocation (built-in plugins plus every
 * installed or linked oclif plugin that declares `rlft.plugin`), failures reported on stderr
 * by name, and errors shown as one clean message with a non-zero exit code.
 */
export abstract class RlftCommand extends Command {
  private hostPromise: Promise<PluginHost> | undefined;

  protected pluginHost(): Promise<PluginHost> {
    this.hostPromise ??= this.loadPluginHost();
    return this.hostPromise;
  }

  private async loadPluginHost(): Promise<PluginHost> {
    const builtins = (this.config.pjson as { rlft?: RlftManifest }).rlft?.builtinPlugins ?? [];
    const entries: PluginEntry[] = builtinPluginEntries(this.config.root, builtins);
    for (const plugin of this.config.getPluginsList()) {
      if (plugin.isRoot) continue;
      const entry = pluginEntryOf({ name: plugin.name, root: plugin.root, pjson: plugin.pjson as { rlft?: RlftManifest } });
      if (entry) entries.push(entry);
    }
    const host = await createPluginHost(entries);
    for (const line of describePluginFailures(host)) this.logToStderr(line);
    return host;
  }

  /** Throw a usage error: what was wrong and what is allowed. */
  protected usageError(message: string): never {
    throw new FlagValueError(message);
  }

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own errors (flag parsing, this.exit) already carry their message and exit code.
    if (error instanceof Errors.CLIError || error.oclif?.exit !== undefined) return super.catch(error);
    const code = error instanceof FlagValueError ? USAGE_EXIT_CODE : 1;
    // Expected failures (RlftError) read as one message; anything else is a bug, whose stack
    // trace is shown on request.
    const debug = Boolean(process.env.RLFT_DEBUG) && !(error instanceof RlftError);
    this.logToStderr(`Error: ${debug && error.stack ? error.stack : error.message}`);
    if (!(error instanceof RlftError) && !debug) this.logToStderr('(Set RLFT_DEBUG=1 to see the stack trace.)');
    return this.exit(code);
  }
}
