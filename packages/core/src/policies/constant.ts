import { UnsupportedError } from '../errors.js';
import type { Policy } from '../policy.js';
import { Box } from '../spaces/box.js';
import { Discrete } from '../spaces/discrete.js';
import { MultiBinary } from '../spaces/multi-binary.js';
import { MultiDiscrete } from '../spaces/multi-discrete.js';
import type { Space } from '../spaces/space.js';
import { InvalidKwargsError } from '../errors.js';

/**
 * Always takes the same action: by default the first discrete action, or zeros clipped into
 * the box (the "do nothing" baseline); or a given `value`.
 */
export class ConstantPolicy<Act = unknown> implements Policy<unknown, Act> {
  readonly id = 'constant';
  readonly action: Act;

  constructor(actionSpace: Space<Act>, value?: number | readonly number[]) {
    this.action = constantAction(actionSpace, value) as Act;
  }

  act(): Act {
    return copyAction(this.action);
  }

  actBatch(observations: readonly unknown[]): Act[] {
    return observations.map(() => copyAction(this.action));
  }
}

function copyAction<Act>(action: Act): Act {
  return (ArrayBuffer.isView(action) ? (action as unknown as Float64Array).slice() : action) as Act;
}

function constantAction(space: Space, value: number | readonly number[] | undefined): unknown {
  const fail = (why: string): never => {
    throw new InvalidKwargsError('the constant policy', [why], ['value']);
  };
  if (space instanceof Discrete) {
    const action = value === undefined ? space.start : Array.isArray(value) ? value[0] : value;
    if (!space.contains(action)) fail(`value ${String(action)} is not in ${space.toString()}`);
    return action;
  }
  if (space instanceof Box) {
    const values = value === undefined ? new Array(space.size).fill(0) : typeof value === 'number' ? new Array(space.size).fill(value) : value;
    if (values.length !== space.size) fail(`value has ${values.length} entries; ${space.toString()} needs ${space.size}`);
    const action = space.clip(values as number[]);
    if (value !== undefined && !space.contains(values)) fail(`value ${JSON.stringify(value)} is outside ${space.toString()}`);
    return action;
  }
  if (space instanceof MultiDiscrete) {
    const values = value === undefined ? Array.from(space.start) : typeof value === 'number' ? new Array(space.size).fill(value) : [...value];
    if (!space.contains(values)) fail(`value ${JSON.stringify(values)} is not in ${space.toString()}`);
    return Int32Array.from(values);
  }
  if (space instanceof MultiBinary) {
    const values = value === undefined ? new Array(space.size).fill(0) : typeof value === 'number' ? new Array(space.size).fill(value) : [...value];
    if (!space.contains(values)) fail(`value ${JSON.stringify(values)} is not in ${space.toString()}`);
    return Uint8Array.from(values);
  }
  throw new UnsupportedError(`The constant policy supports Discrete, Box, MultiDiscrete and MultiBinary action spaces, not ${space.toString()}`);
}
