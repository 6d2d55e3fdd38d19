import type { Info } from '@rlft/core';
import type { Range } from '../kwargs.js';
import type { Mujoco } from '../module.js';
import { MujocoEnv, type MujocoEnvOptions, type Transition } from '../mujoco-env.js';

/** Velocities in the observation are clipped to ±10, as in Gymnasium's Hopper and Walker2d. */
const VELOCITY_CLIP = 10;

export interface PlanarWalkerSettings {
  envId: string;
  xmlFile: string;
  frameSkip: number;
  resetNoiseScale: number;
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  healthyZRange: Range;
  healthyAngleRange: Range;
  /** Bounds for every entry of qpos[2:] ++ qvel (Hopper); undefined when not checked (Walker2d). */
  healthyStateRange: Range | undefined;
  excludeCurrentPositions: boolean;
  /** Side-view camera height and zoom for rendering. */
  cameraDistance: number;
}

/** The Gymnasium kwargs Hopper-v5 and Walker2d-v5 both take, as their schemas parse them. */
export interface PlanarWalkerKwargs {
  xml_file: string;
  frame_skip: number;
  reset_noise_scale: number;
  forward_reward_weight: number;
  ctrl_cost_weight: number;
  healthy_reward: number;
  terminate_when_unhealthy: boolean;
  healthy_z_range: Range;
  healthy_angle_range: Range;
  /** Hopper only. */
  healthy_state_range?: Range;
  exclude_current_positions_from_observation: boolean;
}

/** Settings from parsed kwargs (one mapping for both envs). */
export function planarWalkerSettings(envId: string, kwargs: PlanarWalkerKwargs, cameraDistance: number): PlanarWalkerSettings {
  return {
    envId,
    xmlFile: kwargs.xml_file,
    frameSkip: kwargs.frame_skip,
    resetNoiseScale: kwargs.reset_noise_scale,
    forwardRewardWeight: kwargs.forward_reward_weight,
    ctrlCostWeight: kwargs.ctrl_cost_weight,
    healthyReward: kwargs.healthy_reward,
    terminateWhenUnhealthy: kwargs.terminate_when_unhealthy,
    healthyZRange: kwargs.healthy_z_range,
    healthyAngleRange: kwargs.healthy_angle_range,
    healthyStateRange: kwargs.healthy_state_range,
    excludeCurrentPositions: kwargs.exclude_current_positions_from_observation,
    cameraDistance,
  };
}

/**
 * What Hopper-v5 and Walker2d-v5 share: a planar body on rootx/rootz/rooty whose qpos[1] is
 * the torso height and qpos[2] its pitch. Observation: qpos[1:] then clip(qvel, ±10).
 * Reward: healthy_reward while healthy + forward_reward_weight · Δx/dt − ctrl_cost_weight · Σa².
 * Healthy (all strict): height in healthy_z_range, pitch in healthy_angle_range, and for the
 * Hopper every entry of qpos[2:] ++ qvel in healthy_state_range. Terminated when unhealthy
 * (unless terminate_when_unhealthy is false). Reset noise U(±scale) on qpos and qvel.
 */
export abstract class PlanarWalkerEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: Range;
  readonly healthyAngleRange: Range;
  readonly healthyStateRange: Range | undefined;
  readonly excludeCurrentPositions: boolean;
  private xBefore = 0;

  protected constructor(mj: Mujoco, settings: PlanarWalkerSettings, options: MujocoEnvOptions) {
    const skipped = settings.excludeCurrentPositions ? 1 : 0;
    super(
      mj,
      {
        envId: settings.envId,
        xmlFile: settings.xmlFile,
        frameSkip: settings.frameSkip,
        resetNoiseScale: settings.resetNoiseScale,
        velocityNoise: 'uniform',
        observationSize: (sim) => sim.nq - skipped + sim.nv,
        camera: { trackBodyId: 1, cameraDistance: settings.cameraDistance, lookAtZ: 1.15 },
      },
      options,
    );
    this.forwardRewardWeight = settings.forwardRewardWeight;
    this.ctrlCostWeight = settings.ctrlCostWeight;
    this.healthyReward = settings.healthyReward;
    this.terminateWhenUnhealthy = settings.terminateWhenUnhealthy;
    this.healthyZRange = settings.healthyZRange;
    this.healthyAngleRange = settings.healthyAngleRange;
    this.healthyStateRange = settings.healthyStateRange;
    this.excludeCurrentPositions = settings.excludeCurrentPositions;
  }

  /** Whether the current state is inside the healthy ranges (Gymnasium's `is_healthy`). */
  get isHealthy(): boolean {
    const { qpos, qvel } = this.simulation;
    const z = qpos[1];
    const angle = qpos[2];
    if (!(this.healthyZRange[0] < z && z < this.healthyZRange[1])) return false;
    if (!(this.healthyAngleRange[0] < angle && angle < this.healthyAngleRange[1])) return false;
    const stateRange = this.healthyStateRange;
    if (stateRange) {
      const [low, high] = stateRange;
      for (let i = 2; i < qpos.length; i++) if (!(low < qpos[i] && qpos[i] < high)) return false;
      for (let i = 0; i < qvel.length; i++) if (!(low < qvel[i] && qvel[i] < high)) return false;
    }
    return true;
  }

  protected observation(): Float64Array {
    const { qpos, qvel } = this.simulation;
    const skipped = this.excludeCurrentPositions ? 1 : 0;
    const positions = qpos.length - skipped;
    const obs = new Float64Array(positions + qvel.length);
    obs.set(qpos.subarray(skipped), 0);
    for (let i = 0; i < qvel.length; i++) obs[positions + i] = Math.min(Math.max(qvel[i], -VELOCITY_CLIP), VELOCITY_CLIP);
    return obs;
  }

  protected override beforeSimulation(): void {
    this.xBefore = this.simulation.qpos[0];
  }

  protected transition(squaredAction: number): Transition {
    const qpos = this.simulation.qpos;
    const xAfter = qpos[0];
    const xVelocity = (xAfter - this.xBefore) / this.dt;
    const healthy = this.isHealthy;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const surviveReward = healthy ? this.healthyReward : 0;
    const ctrlCost = this.ctrlCostWeight * squaredAction;
    return {
      reward: forwardReward + surviveReward - ctrlCost,
      terminated: !healthy && this.terminateWhenUnhealthy,
      info: {
        x_position: xAfter,
        z_distance_from_origin: qpos[1] - this.initQpos[1],
        x_velocity: xVelocity,
        reward_forward: forwardReward,
        reward_ctrl: -ctrlCost,
        reward_survive: surviveReward,
      },
    };
  }

  protected override resetInfo(): Info {
    const qpos = this.simulation.qpos;
    return { x_position: qpos[0], z_distance_from_origin: qpos[1] - this.initQpos[1] };
  }
}
