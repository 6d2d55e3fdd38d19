import type * as Rlft from '@rlft/core';
import { ballOnPlateOptions, type BallOnPlateOptions, type RlftApi } from './options.js';
import { plateAngularVelocity, tiltMatrix, toPlate } from './plate-frame.js';
import { PlateWorld } from './plate-world.js';
import { loadRapier, type Rapier } from './rapier.js';
import { renderAnsi, renderRgb, type PlateSnapshot } from './render.js';
import { chooseStart } from './start.js';

export const BALL_ON_PLATE_ID = 'rapier/BallOnPlate-v0';
export const MAX_EPISODE_STEPS = 500;

/** Indices into the observation (and the env's state vector). */
export const OBS = { tiltX: 0, tiltY: 1, tiltRateX: 2, tiltRateY: 3, ballX: 4, ballY: 5, ballVx: 6, ballVy: 7 } as const;
export const OBS_SIZE = 8;

const EMPTY_INFO: Rlft.Info = Object.freeze({}) as Rlft.Info;

/**
 * The reward of one step: 1 at the centre falling linearly to 0 at half the plate's side
 * from it (and staying 0 beyond), minus `actionCost` times the squared action norm.
 */
export function ballOnPlateReward(ballX: number, ballY: number, actionX: number, actionY: number, plateSize: number, actionCost: number): number {
  const closeness = 1 - Math.min(1, Math.hypot(ballX, ballY) / (plateSize / 2));
  return closeness - actionCost * (actionX * actionX + actionY * actionY);
}

/** The registration of `rapier/BallOnPlate-v0`; the class is built here because it extends the host's Env. */
export function ballOnPlateRegistration(rlft: RlftApi): Rlft.EnvRegistration {
  class BallOnPlate extends rlft.Env<Float32Array, Float32Array> {
    readonly observationSpace: Rlft.Box;
    readonly actionSpace = new rlft.Box({ low: -1, high: 1, shape: [2], dtype: 'float32' });
    readonly options: BallOnPlateOptions;
    private readonly rapier: Rapier;
    private world: PlateWorld | undefined;
    /** [tilt x, tilt y, tilt rate x, tilt rate y, ball x, ball y, ball vx, ball vy], as observed. */
    private readonly state = new Float64Array(OBS_SIZE);
    // Buffers reused by every step.
    private readonly frame = new Float64Array(9);
    private readonly ballWorld = new Float64Array(6);
    private readonly angularVelocity = new Float64Array(3);
    private readonly ballPlate = new Float64Array(3);

    constructor(rapier: Rapier, options: BallOnPlateOptions) {
      super();
      this.rapier = rapier;
      this.options = options;
      const { max_tilt: tilt, max_tilt_rate: rate } = options;
      this.observationSpace = new rlft.Box({
        low: [-tilt, -tilt, -rate, -rate, -Infinity, -Infinity, -Infinity, -Infinity],
        high: [tilt, tilt, rate, rate, Infinity, Infinity, Infinity, Infinity],
        dtype: 'float32',
      });
      this.metadata = { renderModes: ['ansi', 'rgb_array'], renderFps: Math.round(1 / options.dt) };
    }

    reset(resetOptions: Rlft.ResetOptions = {}): Rlft.ResetResult<Float32Array> {
      this.seedOnReset(resetOptions.seed);
      const start = chooseStart(this.id, this.options, this.rng, resetOptions.options);
      // A fresh world per episode: Rapier keeps contact and solver caches between steps, so
      // reusing a world would let the previous episode leak into this one.
      this.close(); // first, so that a world that fails to build leaves no freed one behind
      this.world = new PlateWorld(
        this.rapier,
        {
          plateSize: this.options.plate_size,
          ballRadius: this.options.ball_radius,
          friction: this.options.friction,
          physicsStep: this.options.dt / this.options.substeps,
        },
        start,
      );
      this.state.fill(0);
      this.state[OBS.tiltX] = start.tiltX;
      this.state[OBS.tiltY] = start.tiltY;
      this.observeBall();
      return { obs: Float32Array.from(this.state), info: {} };
    }

    step(action: Float32Array | readonly number[]): Rlft.StepResult<Float32Array> {
      if (!this.world) throw new rlft.ResetNeededError(this.id, 'step() was called before reset()');
      const actionX = readAction(this.id, action, 0);
      const actionY = readAction(this.id, action, 1);
      const { max_tilt: maxTilt, max_tilt_rate: maxRate, substeps } = this.options;
      const h = this.options.dt / substeps;
      const s = this.state;
      // The plate is servoed toward the commanded angles at a bounded rate.
      for (let k = 0; k < substeps; k++) {
        s[OBS.tiltRateX] = clamp((actionX * maxTilt - s[OBS.tiltX]) / h, maxRate);
        s[OBS.tiltRateY] = clamp((actionY * maxTilt - s[OBS.tiltY]) / h, maxRate);
        s[OBS.tiltX] = clamp(s[OBS.tiltX] + s[OBS.tiltRateX] * h, maxTilt);
        s[OBS.tiltY] = clamp(s[OBS.tiltY] + s[OBS.tiltRateY] * h, maxTilt);
        this.world.step(s[OBS.tiltX], s[OBS.tiltY]);
      }
      this.observeBall();
      const half = this.options.plate_size / 2;
      const terminated = Math.abs(s[OBS.ballX]) > half || Math.abs(s[OBS.ballY]) > half;
      const reward = ballOnPlateReward(s[OBS.ballX], s[OBS.ballY], actionX, actionY, this.options.plate_size, this.options.action_cost);
      return { obs: Float32Array.from(s), reward, terminated, truncated: false, info: EMPTY_INFO };
    }

    override render(): Rlft.RenderResult {
      if (!this.world) throw new rlft.ResetNeededError(this.id, 'render() was called before reset()');
      if (this.renderMode === 'ansi') return renderAnsi(this.snapshot());
      if (this.renderMode === 'rgb_array') return renderRgb(this.snapshot());
      throw new rlft.UnsupportedError(
        `${this.id}: render() needs a render mode; create the env with one of ${this.metadata.renderModes.join(', ')} (make(id, kwargs, { renderMode }))`,
      );
    }

    /** Frees the Rapier world (WebAssembly memory); a later reset() builds a new one. */
    override close(): void {
      this.world?.free();
      this.world = undefined;
    }

    /** The ball's position and velocity relative to the plate, in plate coordinates. */
    private observeBall(): void {
      const s = this.state;
      const ball = this.world!.readBall(this.ballWorld);
      const r = tiltMatrix(s[OBS.tiltX], s[OBS.tiltY], this.frame);
      toPlate(r, ball[0], ball[1], ball[2], this.ballPlate);
      s[OBS.ballX] = this.ballPlate[0];
      s[OBS.ballY] = this.ballPlate[1];
      // Velocity seen from the turning plate: v − ω × p (the plate's origin does not move).
      const w = plateAngularVelocity(s[OBS.tiltX], s[OBS.tiltRateX], s[OBS.tiltRateY], this.angularVelocity);
      const vx = ball[3] - (w[1] * ball[2] - w[2] * ball[1]);
      const vy = ball[4] - (w[2] * ball[0] - w[0] * ball[2]);
      const vz = ball[5] - (w[0] * ball[1] - w[1] * ball[0]);
      toPlate(r, vx, vy, vz, this.ballPlate);
      s[OBS.ballVx] = this.ballPlate[0];
      s[OBS.ballVy] = this.ballPlate[1];
    }

    private snapshot(): PlateSnapshot {
      const s = this.state;
      return {
        plateSize: this.options.plate_size,
        ballRadius: this.options.ball_radius,
        maxTilt: this.options.max_tilt,
        tiltX: s[OBS.tiltX],
        tiltY: s[OBS.tiltY],
        ballX: s[OBS.ballX],
        ballY: s[OBS.ballY],
        ballVx: s[OBS.ballVx],
        ballVy: s[OBS.ballVy],
      };
    }
  }

  return {
    id: BALL_ON_PLATE_ID,
    aliases: ['ballplate'],
    description:
      'Keep a ball near the centre of a square plate by tilting the plate about two axes (Rapier 3D physics). ' +
      'Actions: target tilt angles in [-1, 1] × max_tilt. Observation: tilt angles and rates, ball position and velocity relative to the plate centre. ' +
      'Reward 1 − distance/(plate_size/2) minus an action cost; ends when the ball leaves the plate.',
    kwargsSchema: ballOnPlateOptions(rlft),
    maxEpisodeSteps: MAX_EPISODE_STEPS,
    entryPoint: async (kwargs) => new BallOnPlate(await loadRapier(), kwargs as unknown as BallOnPlateOptions),
  };
}

function clamp(value: number, limit: number): number {
  return value > limit ? limit : value < -limit ? -limit : value;
}

/** One action component, clipped to [−1, 1]; NaN and infinities are refused, they would poison the physics. */
function readAction(envId: string, action: ArrayLike<number>, index: number): number {
  const value = action[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${envId}: action[${index}] must be a finite number (the action is [tilt x, tilt y] in [-1, 1]), got ${String(value)}`);
  }
  return clamp(value, 1);
}
