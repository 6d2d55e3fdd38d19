import { evaluateTokens, tokenize, tokenTexts, type FailureKind } from './expression.js';
import { Rational } from './rational.js';
import { solutionTokenLists } from './solver.js';

/** GeneralPoints rewards of the reference work; the penalties add up when several apply. */
export const POINTS_REWARDS = {
  correct: 5,
  partial: 1,
  noSolution: -1,
  wrongNumbers: -2,
  illegalFormula: -3,
} as const;

export type Violation = 'no-solution' | 'wrong-numbers' | 'illegal-formula';

export interface Score {
  reward: number;
  correct: boolean;
  /** The formula is a proper prefix of a solution (paid `partial`, the episode goes on). */
  partial: boolean;
  violations: Violation[];
  /** One sentence: why this reward ("the formula evaluates to 23, not 24"). */
  reason: string;
  /** The formula's value when it has one (`7/2`). */
  value: string | undefined;
  /** The numbers the formula uses, in order. */
  numbers: number[];
  /** Why the formula could not be evaluated, when it could not. */
  failure: FailureKind | undefined;
}

/** The proper prefixes (token lists joined by spaces) of every solution, for the partial rule. */
export function solutionPrefixes(cards: readonly number[], target: number): Set<string> {
  const prefixes = new Set<string>();
  for (const tokens of solutionTokenLists(cards, target)) {
    for (let k = 1; k < tokens.length; k++) prefixes.add(tokens.slice(0, k).join(' '));
  }
  return prefixes;
}

function sameMultiset(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sortedA = [...a].sort((x, y) => x - y);
  const sortedB = [...b].sort((x, y) => x - y);
  return sortedA.every((v, i) => v === sortedB[i]);
}

function describeNumbers(used: readonly number[], cards: readonly number[]): string {
  const shown = used.length > 8 ? `${used.slice(0, 8).join(', ')}, …` : used.join(', ');
  return `it uses the numbers [${shown}] but the cards are [${cards.join(', ')}]; use each card's number exactly once`;
}

/**
 * Score a formula against the cards' values and the target. `prefixes` comes from
 * `solutionPrefixes` (built lazily by the caller, since correct answers never need it).
 */
export function scoreFormula(formula: string | undefined, cards: readonly number[], target: number, prefixes: () => Set<string>): Score {
  const base = { correct: false, partial: false, value: undefined, numbers: [] as number[], failure: undefined };
  if (formula === undefined || formula.length === 0) {
    const reason = formula === undefined ? 'no formula was found in the answer (answer with a JSON object that has a "formula" field)' : 'the formula is empty';
    return { ...base, reward: POINTS_REWARDS.illegalFormula, violations: ['illegal-formula'], reason, failure: 'empty' };
  }
  const tokenized = tokenize(formula);
  if (!tokenized.ok) {
    return { ...base, reward: POINTS_REWARDS.illegalFormula, violations: ['illegal-formula'], reason: `the formula is illegal: ${tokenized.reason}`, failure: tokenized.kind };
  }
  const evaluated = evaluateTokens(tokenized.tokens);
  // Numbers past the safe range can never match a card; keep them as NaN rather than rounding.
  const numbers = evaluated.numbers.map((n) => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : NaN));
  const usesCards = sameMultiset(numbers, cards);
  const violations: Violation[] = [];
  const reasons: string[] = [];
  if (!evaluated.ok) {
    violations.push('illegal-formula');
    reasons.push(`the formula is illegal: ${evaluated.reason}`);
  }
  if (!usesCards) {
    violations.push('wrong-numbers');
    reasons.push(describeNumbers(numbers, cards));
  }
  const value = evaluated.ok ? evaluated.value : undefined;
  if (value && !value.equals(Rational.of(BigInt(target)))) {
    violations.push('no-solution');
    reasons.push(`the formula evaluates to ${value.toString()}, not ${target}`);
  }
  if (violations.length === 0) {
    return { ...base, reward: POINTS_REWARDS.correct, correct: true, violations, numbers, value: value?.toString(), reason: `correct: the formula uses every card once and equals ${target}` };
  }
  // The beginning of a solution pays `partial` whatever it lacks: missing cards, or even all
  // cards named but unfinished ('4*(7-8/8'). A correct formula is never a proper prefix.
  if (prefixes().has(tokenTexts(tokenized.tokens).join(' '))) {
    return {
      ...base,
      reward: POINTS_REWARDS.partial,
      partial: true,
      violations: [],
      numbers,
      failure: evaluated.ok ? undefined : evaluated.kind,
      reason: 'the formula is only the beginning of a solution; finish it so that it uses every card and equals the target',
    };
  }
  const penalty = { 'illegal-formula': POINTS_REWARDS.illegalFormula, 'wrong-numbers': POINTS_REWARDS.wrongNumbers, 'no-solution': POINTS_REWARDS.noSolution };
  return {
    ...base,
    reward: violations.reduce((sum, v) => sum + penalty[v], 0),
    violations,
    numbers,
    value: value?.toString(),
    failure: evaluated.ok ? undefined : evaluated.kind,
    reason: reasons.join('; '),
  };
}
