import type { ActContext, Policy } from '@rlft/core';
import { type Operator } from './expression.js';
import { solutionTokenLists } from './solver.js';
import { SUBMIT } from './token-game.js';

/**
 * The solver as a player of the token games: finds a solution whose tokens start with the
 * formula so far (from `info`) and emits its next token, or `=` once it is complete. Solutions
 * are cached per deal, since every step of an episode asks about the same cards.
 */
export class TokenPointsExpert implements Policy<unknown, number> {
  readonly id = 'expert';
  private cacheKey = '';
  private cached: string[][] = [];

  act(_obs: unknown, context?: ActContext): number {
    const info = context?.info;
    const numbers = info?.numbers;
    const target = info?.target;
    const vocabulary = info?.vocabulary;
    const formula = info?.formula_tokens;
    if (!Array.isArray(numbers) || typeof target !== 'number' || !Array.isArray(vocabulary) || !Array.isArray(formula)) {
      throw new TypeError('token-game expert: info must carry numbers, target, vocabulary and formula_tokens (the env puts them there)');
    }
    const operators = (vocabulary as string[]).filter((t): t is Operator => t === '+' || t === '-' || t === '*' || t === '/');
    const key = `${target}|${numbers.join(',')}|${operators.join('')}`;
    if (key !== this.cacheKey) {
      this.cacheKey = key;
      this.cached = solutionTokenLists(numbers as number[], target, { operators });
    }
    const next = this.cached.find((tokens) => tokens.length > formula.length && formula.every((t, i) => tokens[i] === t))?.[formula.length];
    return (vocabulary as string[]).indexOf(next ?? SUBMIT);
  }
}
