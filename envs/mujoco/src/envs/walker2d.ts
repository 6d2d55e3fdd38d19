import { parseOptions, z } from '@rlft/core';
import {
  excludePositionsKwarg,
  frameSkipKwarg,
  rangeKwarg,
  resetNoiseScaleKwarg,
  terminateWhenUnhealthyKwarg,
  weightKwarg,
  xmlFileKwarg,
} from '../kwargs.js';
import { loadMujoco, type Mujoco } from '../module.js';
import type { MujocoEnvOptions } from '../mujoco-env.js';
import { PlanarWalkerEnv, planarWalkerSettings } from './planar-walker.js';

export const WALKER2D_ID = 'Walker2d-v5';

export const walker2dKwargsSchema = z
  .object({
    xml_file: xmlFileKwarg('walker2d.xml'),
    frame_skip: frameSkipKwarg(4),
    forward_reward_weight: weightKwarg(1.0, 'Weight of the forward velocity reward'),
    ctrl_cost_weight: weightKwarg(1e-3, 'Weight of the control cost Σa²'),
    healthy_reward: weightKwarg(1.0, 'Reward for every step in which the walker is healthy'),
    terminate_when_unhealthy: terminateWhenUnhealthyKwarg(),
    healthy_z_range: rangeKwarg([0.8, 2.0], 'Healthy torso height (qpos[1])'),
    healthy_angle_range: rangeKwarg([-1, 1], 'Healthy torso pitch in radians (qpos[2])'),
    reset_noise_scale: resetNoiseScaleKwarg(5e-3),
    exclude_current_positions_from_observation: excludePositionsKwarg('the x position (rootx)'),
  })
  .strict();

export type Walker2dKwargs = z.input<typeof walker2dKwargsSchema>;

/**
 * A planar biped that should walk forwards (Gymnasium's Walker2d-v5): 17 observations,
 * 6 motors, healthy while the torso is between 0.8 and 2 m high and pitched less than 1 rad.
 * See {@link PlanarWalkerEnv} for reward and termination.
 */
export class Walker2dEnv extends PlanarWalkerEnv {
  static async create(kwargs: Walker2dKwargs = {}, options: MujocoEnvOptions = {}): Promise<Walker2dEnv> {
    return new Walker2dEnv(await loadMujoco(), kwargs, options);
  }

  constructor(mj: Mujoco, kwargs: Walker2dKwargs = {}, options: MujocoEnvOptions = {}) {
    const parsed = parseOptions(walker2dKwargsSchema, kwargs, WALKER2D_ID);
    super(mj, planarWalkerSettings(WALKER2D_ID, parsed, 4), options);
  }
}
