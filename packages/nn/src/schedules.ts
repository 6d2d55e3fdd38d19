import { z, InvalidKwargsError } from '@rlft/core';

/**
 * A learning-rate schedule: maps the 0-based update index `step` of a run with `totalSteps`
 * updates to the factor (in [0, 1]) applied to the base learning rate. Schedules are plain
 * host functions, so the factor reaches the engine as data (see `Adam.scalars`) and changing
 * it never recompiles the train step.
 */
export type Schedule = (step: number, totalSteps: number) => number;

export const SCHEDULE_TYPES = ['constant', 'linear', 'cosine'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** Fraction of the run done before `step`, clamped to [0, 1]. */
function progress(step: number, totalSteps: number): number {
  if (!(totalSteps > 0)) throw new RangeError(`A schedule needs totalSteps > 0, got ${totalSteps}`);
  return Math.min(Math.max(step / totalSteps, 0), 1);
}

/** The base learning rate throughout. */
export const constantSchedule: Schedule = () => 1;

/**
 * CleanRL's anneal: 1 − step/totalSteps (their `frac = 1 − (update − 1)/num_updates` with a
 * 1-based update), so the first update uses the full rate and the last one 1/totalSteps of it.
 * `finalFraction` (default 0) lifts the end point: the factor goes from 1 towards finalFraction.
 */
export function linearSchedule(step: number, totalSteps: number, finalFraction = 0): number {
  return 1 - (1 - finalFraction) * progress(step, totalSteps);
}

/** Cosine decay from 1 to `finalFraction` (default 0): f + (1 − f)·½(1 + cos(π·step/totalSteps)). */
export function cosineSchedule(step: number, totalSteps: number, finalFraction = 0): number {
  return finalFraction + (1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * progress(step, totalSteps)));
}

/**
 * A linear warm-up over the first `warmupSteps` updates, from `startFraction` (default 0, as in
 * transformers' `get_*_schedule_with_warmup`) up to 1, then `schedule` over the remaining
 * `totalSteps − warmupSteps` updates (its step counted from the end of the warm-up).
 */
export function withWarmup(schedule: Schedule, warmupSteps: number, startFraction = 0): Schedule {
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new RangeError(`warmupSteps must be an integer ≥ 0, got ${warmupSteps}`);
  if (!(startFraction >= 0 && startFraction <= 1)) throw new RangeError(`The warm-up start fraction must be in [0, 1], got ${startFraction}`);
  if (warmupSteps === 0) return schedule;
  return (step, totalSteps) => {
    if (totalSteps <= warmupSteps) {
      throw new RangeError(`warmupSteps (${warmupSteps}) must be smaller than the number of updates (${totalSteps}); lower warmupSteps or train longer`);
    }
    if (step < warmupSteps) return startFraction + ((1 - startFraction) * Math.max(step, 0)) / warmupSteps;
    return schedule(step - warmupSteps, totalSteps - warmupSteps);
  };
}

const scheduleObjectSchema = z
  .object({
    type: z.enum(SCHEDULE_TYPES).describe('constant | linear | cosine'),
    warmupSteps: z.number().int().min(0).optional().describe('updates of linear warm-up before the schedule starts'),
    warmupStartFraction: z.number().min(0).max(1).optional().describe('factor at the first warm-up update (default 0)'),
    finalFraction: z.number().min(0).max(1).optional().describe('factor reached at the end (linear and cosine; default 0)'),
  })
  .strict()
  .refine((spec) => spec.type !== 'constant' || spec.finalFraction === undefined, {
    message: 'finalFraction applies to linear and cosine schedules only',
    path: ['finalFraction'],
  });

/**
 * The learning-rate schedule option that algorithm configs embed: a type name, or an object
 * with the type and its settings, e.g. `linear` or `{ type: cosine, warmupSteps: 10, finalFraction: 0.1 }`.
 */
export const scheduleSchema = z
  .union([z.enum(SCHEDULE_TYPES), scheduleObjectSchema])
  .describe(`learning-rate schedule: ${SCHEDULE_TYPES.join(' | ')}, or { type, warmupSteps?, warmupStartFraction?, finalFraction? }`);

export type ScheduleSpec = z.infer<typeof scheduleSchema>;

/** Build the schedule a config describes; errors name what was wrong and the allowed types and keys. */
export function parseSchedule(spec: ScheduleSpec): Schedule {
  // Parse against the branch the input's shape picks, so that errors are about that branch
  // (an unknown type name, a misspelt key) rather than "matched no member of the union".
  const isObject = typeof spec === 'object' && spec !== null;
  const parsed = isObject ? scheduleObjectSchema.safeParse(spec) : z.enum(SCHEDULE_TYPES).safeParse(spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (!isObject) return `unknown schedule ${JSON.stringify(spec)} (give a type name, or an object { type, warmupSteps?, warmupStartFraction?, finalFraction? })`;
      const where = issue.path.length ? `'${issue.path.join('.')}': ` : '';
      return `${where}${issue.message}`;
    });
    const allowed = isObject ? ['type', 'warmupSteps', 'warmupStartFraction', 'finalFraction'] : [...SCHEDULE_TYPES];
    throw new InvalidKwargsError('the learning-rate schedule', [...new Set(problems)], allowed);
  }
  const { type, warmupSteps = 0, warmupStartFraction = 0, finalFraction = 0 } = typeof parsed.data === 'string' ? { type: parsed.data } : parsed.data;
  const base: Schedule =
    type === 'constant'
      ? constantSchedule
      : type === 'linear'
        ? (step, total) => linearSchedule(step, total, finalFraction)
        : (step, total) => cosineSchedule(step, total, finalFraction);
  return withWarmup(base, warmupSteps, warmupStartFraction);
}
