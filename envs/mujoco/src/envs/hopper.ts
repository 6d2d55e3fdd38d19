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

export const HOPPER_ID = 'Hopper-v5';

export const hopperKwargsSchema = z
  .object({
    xml_file: xmlFileKwarg('hopper.xml'),
    frame_skip: frameSkipKwarg(4),
    forward_reward_weight: weightKwarg(1.0, 'Weight of the forward velocity reward'),
    ctrl_cost_weight: weightKwarg(1e-3, 'Weight of the control cost Σa²'),
    healthy_reward: weightKwarg(1.0, 'Reward for every step in which the hopper is healthy'),
    terminate_when_unhealthy: terminateWhenUnhealthyKwarg(),
    healthy_state_range: rangeKwarg([-100, 100], 'Healthy bounds for every entry of qpos[2:] and qvel'),
    healthy_z_range: rangeKwarg([0.7, null], 'Healthy torso height (qpos[1])'),
    healthy_angle_range: rangeKwarg([-0.2, 0.2], 'Healthy torso pitch in radians (qpos[2])'),
    reset_noise_scale: resetNoiseScaleKwarg(5e-3),
    exclude_current_positions_from_observation: excludePositionsKwarg('the x position (rootx)'),
  })
  .strict();

export type HopperKwargs = z.input<typeof hopperKwargsSchema>;

/**
 * A one-legged planar robot that should hop forwards (Gymnasium's Hopper-v5): 11 observations,
 * 3 motors, healthy while the torso is above 0.7 m, pitched less than 0.2 rad and every
 * qpos[2:]/qvel entry is within ±100. See {@link PlanarWalkerEnv} for reward and termination.
 */
export class HopperEnv extends PlanarWalkerEnv {
  static async create(kwargs: HopperKwargs = {}, options: MujocoEnvOptions = {}): Promise<HopperEnv> {
    return new HopperEnv(await loadMujoco(), kwargs, options);
  }

  constructor(mj: Mujoco, kwargs: HopperKwargs = {}, options: MujocoEnvOptions = {}) {
    const parsed = parseOptions(hopperKwargsSchema, kwargs, HOPPER_ID);
    super(mj, planarWalkerSettings(HOPPER_ID, parsed, 3), options);
  }
}
