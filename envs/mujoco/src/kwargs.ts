import { z } from '@rlft/core';

/**
 * Building blocks of the MuJoCo envs' kwargs schemas: the constructor arguments of
 * Gymnasium's v5 envs, with the same names and defaults.
 */

export function xmlFileKwarg(bundledName: string): z.ZodDefault<z.ZodString> {
  return z
    .string()
    .min(1)
    .default(bundledName)
    .describe(`MJCF model file: a path to your own model, or the name of a bundled one (default ${bundledName})`);
}

export function frameSkipKwarg(defaultValue: number): z.ZodDefault<z.ZodNumber> {
  return z.number().int().positive().default(defaultValue).describe('MuJoCo steps per env step (the control period is timestep × frame_skip)');
}

export function weightKwarg(defaultValue: number, meaning: string): z.ZodDefault<z.ZodNumber> {
  return z.number().default(defaultValue).describe(meaning);
}

export function resetNoiseScaleKwarg(defaultValue: number): z.ZodDefault<z.ZodNumber> {
  return z.number().nonnegative().default(defaultValue).describe('Scale of the random perturbation of the initial qpos and qvel');
}

export function excludePositionsKwarg(excluded: string): z.ZodDefault<z.ZodBoolean> {
  return z.boolean().default(true).describe(`Leave ${excluded} out of the observation, so that the policy cannot see where it is`);
}

export function terminateWhenUnhealthyKwarg(): z.ZodDefault<z.ZodBoolean> {
  return z.boolean().default(true).describe('End the episode (terminated) as soon as the robot is unhealthy');
}

/** One end of a range: a number, or null (or ±Infinity) for an open end, since JSON has no infinity. */
const rangeEnd = z.union([z.number(), z.literal(Infinity), z.literal(-Infinity), z.null()]);

export type Range = readonly [low: number, high: number];

/**
 * A (low, high) pair such as `healthy_z_range`. A null low means −∞ and a null high +∞, so
 * that `[0.7, null]` can be written on the command line; low must not exceed high. The default
 * is given in that written form, so that help texts show it.
 */
export function rangeKwarg(defaultValue: readonly [number | null, number | null], meaning: string) {
  return z
    .tuple([rangeEnd, rangeEnd])
    .default([defaultValue[0], defaultValue[1]])
    .transform(([low, high]): Range => [low ?? -Infinity, high ?? Infinity])
    .refine(([low, high]) => low <= high, { message: 'the low end must not be above the high end' })
    .describe(`${meaning}; [low, high], null for an open end`);
}
