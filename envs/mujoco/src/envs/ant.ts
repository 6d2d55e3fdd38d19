import { parseOptions, z, type Info } from '@rlft/core';
import {
  excludePositionsKwarg,
  frameSkipKwarg,
  rangeKwarg,
  resetNoiseScaleKwarg,
  terminateWhenUnhealthyKwarg,
  weightKwarg,
  xmlFileKwarg,
  type Range,
} from '../kwargs.js';
import { loadMujoco, type Mujoco } from '../module.js';
import { MujocoEnv, type MujocoEnvOptions, type Transition } from '../mujoco-env.js';
import type { MujocoSimulation } from '../simulation.js';

export const ANT_ID = 'Ant-v5';

/** Values per body in MuJoCo's cfrc_ext: torque (3) then force (3). */
const SPATIAL = 6;

export const antKwargsSchema = z
  .object({
    xml_file: xmlFileKwarg('ant.xml'),
    frame_skip: frameSkipKwarg(5),
    forward_reward_weight: weightKwarg(1.0, 'Weight of the forward velocity reward'),
    ctrl_cost_weight: weightKwarg(0.5, 'Weight of the control cost Σa²'),
    contact_cost_weight: weightKwarg(5e-4, 'Weight of the contact cost Σ clip(cfrc_ext)²'),
    healthy_reward: weightKwarg(1.0, 'Reward for every step in which the ant is healthy'),
    main_body: z
      .union([z.number().int().nonnegative(), z.string().min(1)])
      .default(1)
      .describe('Body (id or name) whose x, y movement is rewarded (default 1, the torso)'),
    terminate_when_unhealthy: terminateWhenUnhealthyKwarg(),
    healthy_z_range: rangeKwarg([0.2, 1.0], 'Healthy torso height (qpos[2]), ends included'),
    contact_force_range: rangeKwarg([-1.0, 1.0], 'Range cfrc_ext is clipped to, for the contact cost and the observation'),
    reset_noise_scale: resetNoiseScaleKwarg(0.1),
    exclude_current_positions_from_observation: excludePositionsKwarg('the torso x and y position'),
    include_cfrc_ext_in_observation: z
      .boolean()
      .default(true)
      .describe('Append the clipped contact forces of every body but the world (6 each) to the observation'),
  })
  .strict();

export type AntKwargs = z.input<typeof antKwargsSchema>;

/**
 * A four-legged robot that should walk in +x (Gymnasium's Ant-v5). Observation: qpos[2:],
 * qvel, then clip(cfrc_ext[1:]) flattened (105 values). Reward: healthy_reward while healthy
 * + forward_reward_weight · Δx/dt of the main body − ctrl_cost_weight · Σa²
 * − contact_cost_weight · Σ clip(cfrc_ext)². Healthy while the state is finite and the torso
 * height is within healthy_z_range (ends included). Reset noise U(±0.1) on qpos (the
 * quaternion too, not renormalised) and 0.1·N(0, 1) on qvel.
 */
export class AntEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly contactCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: Range;
  readonly contactForceRange: Range;
  readonly excludeCurrentPositions: boolean;
  readonly includeCfrcExt: boolean;
  /** Body id whose world position measures progress. */
  readonly mainBody: number;
  private xBefore = 0;
  private yBefore = 0;

  static async create(kwargs: AntKwargs = {}, options: MujocoEnvOptions = {}): Promise<AntEnv> {
    return new AntEnv(await loadMujoco(), kwargs, options);
  }

  constructor(mj: Mujoco, kwargs: AntKwargs = {}, options: MujocoEnvOptions = {}) {
    const parsed = parseOptions(antKwargsSchema, kwargs, ANT_ID);
    const skipped = parsed.exclude_current_positions_from_observation ? 2 : 0;
    const include = parsed.include_cfrc_ext_in_observation;
    super(
      mj,
      {
        envId: ANT_ID,
        xmlFile: parsed.xml_file,
        frameSkip: parsed.frame_skip,
        resetNoiseScale: parsed.reset_noise_scale,
        velocityNoise: 'normal',
        observationSize: (sim) => sim.nq - skipped + sim.nv + (include ? (sim.nbody - 1) * SPATIAL : 0),
        camera: { trackBodyId: 1, cameraDistance: 4 },
      },
      options,
    );
    this.forwardRewardWeight = parsed.forward_reward_weight;
    this.ctrlCostWeight = parsed.ctrl_cost_weight;
    this.contactCostWeight = parsed.contact_cost_weight;
    this.healthyReward = parsed.healthy_reward;
    this.terminateWhenUnhealthy = parsed.terminate_when_unhealthy;
    this.healthyZRange = parsed.healthy_z_range;
    this.contactForceRange = parsed.contact_force_range;
    this.excludeCurrentPositions = parsed.exclude_current_positions_from_observation;
    this.includeCfrcExt = include;
    try {
      this.mainBody = resolveBody(mj, this.simulation, parsed.main_body);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Finite qpos and qvel, and the torso height qpos[2] within healthy_z_range (inclusive). */
  get isHealthy(): boolean {
    const { qpos, qvel } = this.simulation;
    for (let i = 0; i < qpos.length; i++) if (!Number.isFinite(qpos[i])) return false;
    for (let i = 0; i < qvel.length; i++) if (!Number.isFinite(qvel[i])) return false;
    const [low, high] = this.healthyZRange;
    return low <= qpos[2] && qpos[2] <= high;
  }

  protected observation(): Float64Array {
    const { qpos, qvel, cfrcExt } = this.simulation;
    const skipped = this.excludeCurrentPositions ? 2 : 0;
    const contacts = this.includeCfrcExt ? cfrcExt.length - SPATIAL : 0;
    const obs = new Float64Array(qpos.length - skipped + qvel.length + contacts);
    obs.set(qpos.subarray(skipped), 0);
    let k = qpos.length - skipped;
    obs.set(qvel, k);
    k += qvel.length;
    const [low, high] = this.contactForceRange;
    for (let i = SPATIAL; i < SPATIAL + contacts; i++) obs[k++] = Math.min(Math.max(cfrcExt[i], low), high);
    return obs;
  }

  protected override beforeSimulation(): void {
    const xpos = this.simulation.xpos;
    this.xBefore = xpos[3 * this.mainBody];
    this.yBefore = xpos[3 * this.mainBody + 1];
  }

  protected transition(squaredAction: number): Transition {
    const { qpos, xpos, cfrcExt } = this.simulation;
    const xVelocity = (xpos[3 * this.mainBody] - this.xBefore) / this.dt;
    const yVelocity = (xpos[3 * this.mainBody + 1] - this.yBefore) / this.dt;
    const healthy = this.isHealthy;
    const forwardReward = xVelocity * this.forwardRewardWeight;
    const surviveReward = healthy ? this.healthyReward : 0;
    const ctrlCost = this.ctrlCostWeight * squaredAction;
    const [low, high] = this.contactForceRange;
    let contactSquares = 0;
    for (let i = 0; i < cfrcExt.length; i++) {
      const f = Math.min(Math.max(cfrcExt[i], low), high);
      contactSquares += f * f;
    }
    const contactCost = this.contactCostWeight * contactSquares;
    return {
      reward: forwardReward + surviveReward - (ctrlCost + contactCost),
      terminated: !healthy && this.terminateWhenUnhealthy,
      info: {
        x_position: qpos[0],
        y_position: qpos[1],
        distance_from_origin: Math.sqrt(qpos[0] * qpos[0] + qpos[1] * qpos[1]),
        x_velocity: xVelocity,
        y_velocity: yVelocity,
        reward_forward: forwardReward,
        reward_ctrl: -ctrlCost,
        reward_contact: -contactCost,
        reward_survive: surviveReward,
      },
    };
  }

  protected override resetInfo(): Info {
    const qpos = this.simulation.qpos;
    return { x_position: qpos[0], y_position: qpos[1], distance_from_origin: Math.sqrt(qpos[0] * qpos[0] + qpos[1] * qpos[1]) };
  }
}

/** The `main_body` kwarg as a body id: an id below nbody, or a body name in the model. */
function resolveBody(mj: Mujoco, simulation: MujocoSimulation, body: number | string): number {
  if (typeof body === 'number') {
    if (body >= simulation.nbody) {
      throw new RangeError(`${ANT_ID}: main_body ${body} does not exist; the model has bodies 0…${simulation.nbody - 1}`);
    }
    return body;
  }
  const id = mj.mj_name2id(simulation.model, mj.mjtObj.mjOBJ_BODY.value, body);
  if (id < 0) throw new RangeError(`${ANT_ID}: the model has no body named '${body}' (main_body)`);
  return id;
}
