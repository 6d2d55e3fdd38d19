// The xml_file kwarg: bundled names, the user's own MJCF, and the errors for a missing or bad file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvRegistry, RlftError } from '@rlft/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODELS_DIR, HalfCheetahEnv, HopperEnv, MjcfError, resolveXmlFile } from './index.js';
import plugin from './plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'rlft-mujoco-xml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

describe('xml_file', () => {
  it('names a bundled model by its file name, and anything with a directory part as a path', () => {
    expect(resolveXmlFile('hopper.xml')).toBe(join(BUNDLED_MODELS_DIR, 'hopper.xml'));
    expect(resolveXmlFile('/abs/robot.xml')).toBe('/abs/robot.xml');
    expect(resolveXmlFile('./robot.xml')).toBe(join(process.cwd(), 'robot.xml'));
    expect(resolveXmlFile('robot.xml')).toBe(join(process.cwd(), 'robot.xml'));
  });

  it("loads the user's own model: a cheetah with a stronger back thigh runs with the same spaces", async () => {
    const xml = readFileSync(join(BUNDLED_MODELS_DIR, 'half_cheetah.xml'), 'utf8').replace('gear="120"', 'gear="240"');
    const path = join(dir, 'strong-cheetah.xml');
    writeFileSync(path, xml);
    const env = await HalfCheetahEnv.create({ xml_file: path });
    try {
      expect(env.modelPath).toBe(path);
      expect((env.simulation.model.actuator_gear as Float64Array)[0]).toBe(240);
      env.reset({ seed: 0 });
      expect(env.step(new Float32Array(6).fill(0.5)).obs).toHaveLength(17);
    } finally {
      env.close();
    }
  });

  it('reports a missing file with the path it looked at and the bundled names', async () => {
    const missing = join(dir, 'nowhere.xml');
    const error = await HalfCheetahEnv.create({ xml_file: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MjcfError);
    expect(error).toBeInstanceOf(RlftError);
    expect((error as MjcfError).code).toBe('MJCF_NOT_FOUND');
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toMatch(/bundled model: ant\.xml, half_cheetah\.xml, hopper\.xml, inverted_pendulum\.xml, walker2d\.xml/);
    await expect(HalfCheetahEnv.create({ xml_file: dir })).rejects.toThrow(/is not a file/);
  });

  it("passes on MuJoCo's message for malformed XML and for a model MuJoCo rejects, and the process carries on", async () => {
    const broken = join(dir, 'broken.xml');
    writeFileSync(broken, '<mujoco>\n  <worldbody>\n    <body>\n  </worldbody>\n</mujoco>\n');
    const brokenError = await registry().make('cheetah', { xml_file: broken }).catch((e: unknown) => e);
    expect(brokenError).toBeInstanceOf(MjcfError);
    expect((brokenError as MjcfError).code).toBe('MJCF_INVALID');
    expect((brokenError as Error).message).toMatch(new RegExp(`HalfCheetah-v5: MuJoCo could not load the model ${broken}: MuJoCo Error: .*XML parse error`, 's'));

    const invalid = join(dir, 'invalid.xml');
    writeFileSync(invalid, '<mujoco>\n  <worldbody>\n    <body>\n      <geom type="sphere" size="-1"/>\n      <wheel/>\n    </body>\n  </worldbody>\n</mujoco>\n');
    await expect(HopperEnv.create({ xml_file: invalid })).rejects.toThrow(/Schema violation: unrecognized element\s+Element 'wheel', line 5/);

    const env = await HalfCheetahEnv.create();
    try {
      env.reset({ seed: 0 });
      expect(env.step(new Float32Array(6)).obs.every(Number.isFinite)).toBe(true);
    } finally {
      env.close();
    }
  });

  it('rejects an empty xml_file through the kwargs schema', async () => {
    await expect(registry().make('cheetah', { xml_file: '' })).rejects.toThrow(/xml_file/);
  });
});
