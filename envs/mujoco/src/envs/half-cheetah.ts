import { parseOptions, z, type Info } from '@rlft/core';
import { excludePositionsKwarg, frameSkipKwarg, resetNoiseScaleKwarg, weightKwarg, xmlFileKwarg } from '../kwargs.js';
import { loadMujoco, type Mujoco } from '../module.js';
import { MujocoEnv, type MujocoEnvOptions, type Transition } from '../mujoco-env.js';

export const HALF_CHEETAH_ID = 'HalfCheetah-v5';

export const halfCheetahKwargsSchema = z
  .object({
    xml_file: xmlFileKwarg('half_cheetah.xml'),
    frame_skip: frameSkipKwarg(5),
    forward_reward_weight: weightKwarg(1.0, 'Weight of the forward velocity reward'),
    ctrl_cost_weight: weightKwarg(0.1, 'Weight of the control cost Σa²'),
    reset_noise_scale: resetNoiseScaleKwarg(0.1),
    exclude_current_positions_from_observation: excludePositionsKwarg('the x position (rootx)'),
  })
  .strict();

export type HalfCheetahKwargs = z.input<typeof halfCheetahKwargsSchema>;

/**
 * A planar cheetah that should run forwards (Gymnasium's HalfCheetah-v5). Observation:
 * qpos[1:] then qvel (17 values, 18 with the x position). Reward: forward_reward_weight · Δx/dt
 * − ctrl_cost_weight · Σa². Never terminates; reset noise U(±0.1) on qpos and 0.1·N(0, 1) on qvel.
 */
export class HalfCheetahEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly excludeCurrentPositions: boolean;
  private xBefore = 0;

  static async create(kwargs: HalfCheetahKwargs = {}, options: MujocoEnvOptions = {}): Promise<HalfCheetahEnv> {
    return new HalfCheetahEnv(await loadMujoco(), kwargs, options);
  }

  constructor(mj: Mujoco, kwargs: HalfCheetahKwargs = {}, options: MujocoEnvOptions = {}) {
    const parsed = parseOptions(halfCheetahKwargsSchema, kwargs, HALF_CHEETAH_ID);
    const skipped = parsed.exclude_current_positions_from_observation ? 1 : 0;
    super(
      mj,
      {
        envId: HALF_CHEETAH_ID,
        xmlFile: parsed.xml_file,
        frameSkip: parsed.frame_skip,
        resetNoiseScale: parsed.reset_noise_scale,
        velocityNoise: 'normal',
        observationSize: (sim) => sim.nq - skipped + sim.nv,
        camera: { trackBodyId: 1, cameraDistance: 4 },
      },
      options,
    );
    this.forwardRewardWeight = parsed.forward_reward_weight;
    this.ctrlCostWeight = parsed.ctrl_cost_weight;
    this.excludeCurrentPositions = parsed.exclude_current_positions_from_observation;
  }

  protected observation(): Float64Array {
    const { qpos, qvel } = this.simulation;
    const skipped = this.excludeCurrentPositions ? 1 : 0;
    const obs = new Float64Array(qpos.length - skipped + qvel.length);
    obs.set(qpos.subarray(skipped), 0);
    obs.set(qvel, qpos.length - skipped);
    return obs;
  }

  protected override beforeSimulation(): void {
    this.xBefore = this.simulation.qpos[0];
  }

  protected transition(squaredAction: number): Transition {
    const xAfter = this.simulation.qpos[0];
    const xVelocity = (xAfter - this.xBefore) / this.dt;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const ctrlCost = this.ctrlCostWeight * squaredAction;
    return {
      reward: forwardReward - ctrlCost,
      terminated: false,
      info: { x_position: xAfter, x_velocity: xVelocity, reward_forward: forwardReward, reward_ctrl: -ctrlCost },
    };
  }

  protected override resetInfo(): Info {
    return { x_position: this.simulation.qpos[0] };
  }
}
