import { Rng } from '@rlft/core';
import type { HostTensors } from '@rlft/nn';
import { parameterShapes } from '../model/init.js';
import type { TransformerConfig } from '../model/types.js';

/**
 * Host weights for `config` with every tensor (biases and norm weights included) drawn from
 * normal(mean, std): unlike a fresh init, nothing is zero or one, so a test comparing two
 * implementations notices a missing bias or a norm weight applied in the wrong place.
 */
export function randomHostWeights(config: TransformerConfig, seed: number, std = 0.2): HostTensors {
  const rng = Rng.fromSeed(seed);
  const out: HostTensors = new Map();
  const visit = (value: unknown, path: string): void => {
    if (value === undefined) return;
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
      const shape = value as number[];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      // Norm weights near one, everything else near zero.
      const mean = /norm\.weight$/.test(path) ? 1 : 0;
      for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
      out.set(path, { shape: [...shape], data });
      return;
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    for (const [key, child] of entries) visit(child, path ? `${path}.${key}` : key);
  };
  visit(parameterShapes(config), '');
  return out;
}
