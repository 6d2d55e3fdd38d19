import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPluginEntries, createPluginHost, describePluginFailures, pluginEntryOf } from './host.js';

/** A fake CLI install: packages under node_modules, some good, some broken. */
let cliRoot: string;

function writePackage(name: string, pjson: object, files: Record<string, string> = {}): string {
  const root = join(cliRoot, 'node_modules', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', ...pjson }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  return root;
}

beforeAll(() => {
  cliRoot = mkdtempSync(join(tmpdir(), 'rlft-host-'));
  writeFileSync(join(cliRoot, 'package.json'), JSON.stringify({ name: 'fake-cli', version: '0.0.0' }));
  writePackage(
    'good-builtin',
    { rlft: { plugin: './plugin.js' } },
    {
      // The function-of-API form: the host passes its own @rlft/core.
      'plugin.js': `export default (rlft) => rlft.definePlugin({
        name: 'good-builtin',
        version: '1.0.0',
        policies: [{ id: 'always-zero', description: 'always action 0', create: () => ({ id: 'always-zero', act: () => 0 }) }],
      });`,
    },
  );
  writePackage('throws-on-import', { rlft: { plugin: './plugin.js' } }, { 'plugin.js': "throw new Error('broken on purpose');" });
  writePackage('no-rlft-entry', {});
});

afterAll(() => rmSync(cliRoot, { recursive: true, force: true }));

describe('pluginEntryOf', () => {
  it('resolves rlft.plugin against the package root, and skips packages without one', () => {
    expect(pluginEntryOf({ name: 'p', root: '/opt/p', pjson: { rlft: { plugin: './dist/plugin.js' } } })).toEqual({
      name: 'p',
      entry: '/opt/p/dist/plugin.js',
    });
    expect(pluginEntryOf({ name: 'q', root: '/opt/q', pjson: {} })).toBeUndefined();
    expect(pluginEntryOf({ name: 'r', root: '/opt/r', pjson: { rlft: { plugin: '' } } })).toMatchObject({ name: 'r', problem: expect.stringContaining('rlft.plugin') });
  });
});

describe('builtinPluginEntries', () => {
  it("finds built-in packages from the CLI's directory and explains the ones it cannot use", () => {
    const entries = builtinPluginEntries(cliRoot, ['good-builtin', 'no-rlft-entry', 'not-installed']);
    expect(entries[0]).toEqual({ name: 'good-builtin', entry: join(cliRoot, 'node_modules', 'good-builtin', 'plugin.js') });
    expect(entries[1]).toEqual({ name: 'no-rlft-entry', problem: 'its package.json has no "rlft.plugin" entry' });
    expect(entries[2]).toMatchObject({ name: 'not-installed', problem: expect.stringContaining('not installed') });
  });
});

describe('createPluginHost', () => {
  it('loads what it can, records every failure by name, and keeps the baselines', async () => {
    const entries = [
      ...builtinPluginEntries(cliRoot, ['good-builtin', 'no-rlft-entry']),
      { name: 'throws-on-import', entry: join(cliRoot, 'node_modules', 'throws-on-import', 'plugin.js') },
    ];
    const host = await createPluginHost(entries);
    expect(host.policies().map((p) => p.id).sort()).toEqual(['always-zero', 'constant', 'expert', 'random']);
    expect(host.policy('always-zero').plugin).toBe('good-builtin');
    expect(host.failures.map((f) => f.plugin)).toEqual(['no-rlft-entry', 'throws-on-import']);
    const lines = describePluginFailures(host);
    expect(lines[0]).toBe(`Warning: Plugin 'no-rlft-entry' failed to load: its package.json has no "rlft.plugin" entry (skipped)`);
    expect(lines[1]).toBe("Warning: Plugin 'throws-on-import' failed to load: broken on purpose (skipped)");
  });
});
