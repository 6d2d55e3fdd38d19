import { parseOptions, z } from '@rlft/core';
import { frameSkipKwarg, resetNoiseScaleKwarg, xmlFileKwarg } from '../kwargs.js';
import { loadMujoco, type Mujoco } from '../module.js';
import { MujocoEnv, type MujocoEnvOptions, type Transition } from '../mujoco-env.js';

export const INVERTED_PENDULUM_ID = 'InvertedPendulum-v5';

/** The pole counts as fallen beyond this angle (radians). */
const MAX_POLE_ANGLE = 0.2;

export const invertedPendulumKwargsSchema = z
  .object({
    xml_file: xmlFileKwarg('inverted_pendulum.xml'),
    frame_skip: frameSkipKwarg(2),
    reset_noise_scale: resetNoiseScaleKwarg(0.01),
  })
  .strict();

export type InvertedPendulumKwargs = z.input<typeof invertedPendulumKwargsSchema>;

/**
 * Keep a pole upright on a cart (Gymnasium's InvertedPendulum-v5). Observation: cart position,
 * pole angle, and their velocities. Reward 1 for every step that does not end the episode, 0
 * on the one that does; terminated when |pole angle| > 0.2 rad. Reset noise U(±0.01) on all.
 */
export class InvertedPendulumEnv extends MujocoEnv {
  static async create(kwargs: InvertedPendulumKwargs = {}, options: MujocoEnvOptions = {}): Promise<InvertedPendulumEnv> {
    return new InvertedPendulumEnv(await loadMujoco(), kwargs, options);
  }

  constructor(mj: Mujoco, kwargs: InvertedPendulumKwargs = {}, options: MujocoEnvOptions = {}) {
    const parsed = parseOptions(invertedPendulumKwargsSchema, kwargs, INVERTED_PENDULUM_ID);
    super(
      mj,
      {
        envId: INVERTED_PENDULUM_ID,
        xmlFile: parsed.xml_file,
        frameSkip: parsed.frame_skip,
        resetNoiseScale: parsed.reset_noise_scale,
        velocityNoise: 'uniform',
        observationSize: (sim) => sim.nq + sim.nv,
        camera: { cameraDistance: 2.04 },
      },
      options,
    );
  }

  protected observation(): Float64Array {
    const { qpos, qvel } = this.simulation;
    const obs = new Float64Array(qpos.length + qvel.length);
    obs.set(qpos, 0);
    obs.set(qvel, qpos.length);
    return obs;
  }

  protected transition(): Transition {
    // Non-finite states never get here: the base class ends those steps as unstable.
    const terminated = Math.abs(this.simulation.qpos[1]) > MAX_POLE_ANGLE;
    const reward = terminated ? 0 : 1;
    return { reward, terminated, info: { reward_survive: reward } };
  }
}
