import type { ActContext, Policy } from '@rlft/core';
import { solutions } from './solver.js';

/**
 * The solver as a GeneralPoints player: reads the deal from `info` (present in both
 * representations) and answers with the first solution as the JSON object the prompt asks for.
 */
export class GeneralPointsExpert implements Policy<unknown, string> {
  readonly id = 'expert';

  act(_obs: unknown, context?: ActContext): string {
    const info = context?.info;
    const numbers = info?.numbers;
    const target = info?.target;
    if (!Array.isArray(numbers) || typeof target !== 'number') {
      throw new TypeError('GeneralPoints expert: info must carry the deal (numbers and target); it reads them from the env\'s info');
    }
    const found = solutions(numbers as number[], target);
    return JSON.stringify({ cards: info?.cards ?? [], number: numbers, formula: found[0] ?? '' });
  }
}
