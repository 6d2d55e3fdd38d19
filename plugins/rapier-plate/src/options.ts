import type * as Rlft from '@rlft/core';

/** The host's `@rlft/core` API, handed to the plugin at load time. */
export type RlftApi = typeof Rlft;

// A type alias, not an interface: it must fit the Record<string, unknown> of an options schema.
export type BallOnPlateOptions = {
  plate_size: number;
  ball_radius: number;
  max_tilt: number;
  max_tilt_rate: number;
  reset_noise: number;
  action_cost: number;
  friction: number;
  dt: number;
  substeps: number;
};

/**
 * The kwargs schema of BallOnPlate, built from the host's zod so that `rlft envs info` can
 * describe it and `make` reports misspelt or out-of-range options.
 */
export function ballOnPlateOptions(rlft: RlftApi): Rlft.OptionsSchema<BallOnPlateOptions> {
  const { z } = rlft;
  return z
    .object({
      plate_size: z.number().min(0.1).max(10).default(0.5).describe('side of the square plate (m)'),
      ball_radius: z.number().min(0.005).max(0.5).default(0.025).describe('radius of the ball (m); at most plate_size / 8'),
      max_tilt: z.number().gt(0).max(0.6).default(0.2).describe('largest tilt about either axis (rad); an action of ±1 asks for ±max_tilt'),
      max_tilt_rate: z.number().gt(0).max(20).default(2).describe('how fast the plate can tilt toward the commanded angle (rad/s)'),
      reset_noise: z
        .number()
        .min(0)
        .max(1)
        .default(1)
        .describe('scale s of the random start, per axis: ball position and velocity uniform in ±s·plate_size/4 (m, m/s), tilt in ±s·max_tilt'),
      action_cost: z.number().min(0).default(0.01).describe('reward subtracted per unit of squared action norm'),
      friction: z.number().min(0).max(2).default(0.8).describe('friction coefficient of ball and plate (the ball rolls without slipping when it is high enough)'),
      dt: z.number().gt(0).max(0.1).default(0.02).describe('seconds between actions (the control period)'),
      substeps: z.number().int().min(1).max(50).default(4).describe('physics steps per action (Rapier steps of dt / substeps)'),
    })
    .strict()
    .refine((o) => o.ball_radius <= o.plate_size / 8, {
      message: 'the ball must be small next to the plate: ball_radius at most plate_size / 8',
      path: ['ball_radius'],
    });
}
