import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Hook } from '@oclif/core';

const INSTALL_COMMANDS = new Set(['plugins:install', 'plugins:add']);

/**
 * `rlft plugins install ./my-env-0.1.0.tgz`: @oclif/plugin-plugins reads an argument with a
 * slash and no colon as a GitHub `owner/repo`, so a path to a packed tarball would be fetched
 * from GitHub. Rewrite such paths to the `file:` specifier npm installs from disk. oclif runs
 * the command with this same argv array, so the rewrite is seen by `plugins install`.
 */
const hook: Hook.Init = async function ({ id, argv }) {
  if (!id || !INSTALL_COMMANDS.has(id.replaceAll(' ', ':'))) return;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('-') || arg.includes(':') || !/\.(tgz|tar\.gz)$/.test(arg)) continue;
    const path = resolve(arg);
    if (existsSync(path)) argv[i] = `file:${path}`;
  }
};

export default hook;
