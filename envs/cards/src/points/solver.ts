import { Rational } from './rational.js';
import type { Operator } from './expression.js';

/**
 * The 24-points solver: every way to combine a hand of numbers (each used exactly once) with
 * + − × ÷ and parentheses into the target, in exact rational arithmetic. It works by
 * repeatedly replacing two items of the hand by their combination, which reaches every
 * binary expression tree over the hand. The work grows steeply with the hand's size
 * (measured: about 10 ms for four numbers, 0.1 s for five, 5 s for six).
 */

export interface SolveOptions {
  /** The operators allowed (default all four). */
  operators?: readonly Operator[];
}

export const ALL_OPERATORS: readonly Operator[] = ['+', '-', '*', '/'];

interface Item {
  value: Rational;
  /** Tokens separated by single spaces: `( 7 - 8 / 8 ) * 4`. */
  text: string;
  /** 1 for + −, 2 for × ÷, 3 for a number or a parenthesised group. */
  precedence: number;
}

const PRECEDENCE: Record<Operator, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

function apply(a: Rational, op: Operator, b: Rational): Rational | undefined {
  if (op === '+') return a.plus(b);
  if (op === '-') return a.minus(b);
  if (op === '*') return a.times(b);
  return a.dividedBy(b);
}

/** `a op b` with only the parentheses the precedence rules need (a − (b − c) keeps its, a + (b − c) drops them). */
function combine(a: Item, op: Operator, b: Item): Item | undefined {
  const value = apply(a.value, op, b.value);
  if (value === undefined) return undefined;
  const precedence = PRECEDENCE[op];
  const left = a.precedence < precedence ? `( ${a.text} )` : a.text;
  const rightNeedsParens = b.precedence < precedence || (b.precedence === precedence && (op === '-' || op === '/'));
  const right = rightNeedsParens ? `( ${b.text} )` : b.text;
  return { value, text: `${left} ${op} ${right}`, precedence };
}

function leaves(hand: readonly number[]): Item[] {
  return hand.map((n) => ({ value: Rational.of(BigInt(n)), text: String(n), precedence: 3 }));
}

function checkHand(hand: readonly number[]): void {
  if (hand.length === 0) throw new RangeError('solver: the hand is empty; give at least one number');
  for (const n of hand) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`solver: hand values must be non-negative integers, got ${n}`);
  }
}

/**
 * Visits every expression over the items. `ordered` also visits the mirrored form of + and ×
 * (b + a beside a + b), which the prefix rule needs; otherwise each commutative pair is
 * written once, smaller text first.
 */
function search(items: Item[], ops: readonly Operator[], ordered: boolean, target: Rational, found: Set<string>): void {
  if (items.length === 1) {
    if (items[0].value.equals(target)) found.add(items[0].text);
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const rest = items.filter((_, k) => k !== i && k !== j);
      const a = items[i];
      const b = items[j];
      for (const op of ops) {
        const commutative = op === '+' || op === '*';
        const pairs: [Item, Item][] = commutative && !ordered ? [a.text <= b.text ? [a, b] : [b, a]] : [[a, b], [b, a]];
        for (const [x, y] of pairs) {
          const combined = combine(x, op, y);
          if (combined) search([...rest, combined], ops, ordered, target, found);
        }
      }
    }
  }
}

function compact(text: string): string {
  return text.replaceAll(' ', '');
}

/**
 * All distinct solutions, as formulas like `(7-8/8)*4`. Distinct means different formula
 * text after writing each + and × with its operands in a fixed order and dropping needless
 * parentheses, so `4*(7-8/8)` and `(7-8/8)*4` count once.
 */
export function solutions(hand: readonly number[], target: number, options: SolveOptions = {}): string[] {
  checkHand(hand);
  const found = new Set<string>();
  search(leaves(hand), options.operators ?? ALL_OPERATORS, false, Rational.of(BigInt(target)), found);
  return [...found].map(compact).sort();
}

/** Every solution in every operand order, as token lists (for the prefix rule and the token experts). */
export function solutionTokenLists(hand: readonly number[], target: number, options: SolveOptions = {}): string[][] {
  checkHand(hand);
  const found = new Set<string>();
  search(leaves(hand), options.operators ?? ALL_OPERATORS, true, Rational.of(BigInt(target)), found);
  return [...found].sort().map((text) => text.split(' '));
}

function anyReaches(values: Rational[], ops: readonly Operator[], target: Rational): boolean {
  if (values.length === 1) return values[0].equals(target);
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const rest = values.filter((_, k) => k !== i && k !== j);
      const a = values[i];
      const b = values[j];
      for (const op of ops) {
        const candidates = op === '+' || op === '*' ? [apply(a, op, b)] : [apply(a, op, b), apply(b, op, a)];
        for (const value of candidates) {
          if (value !== undefined && anyReaches([...rest, value], ops, target)) return true;
        }
      }
    }
  }
  return false;
}

const solvableCache = new Map<string, boolean>();
/** Hands are few (1,820 four-card multisets of 1–13), so the cache stays small; the bound is a guard. */
const SOLVABLE_CACHE_LIMIT = 100_000;

/** Whether some formula over the hand reaches the target (stops at the first one found). */
export function isSolvable(hand: readonly number[], target: number, options: SolveOptions = {}): boolean {
  checkHand(hand);
  const ops = options.operators ?? ALL_OPERATORS;
  const key = `${target}|${[...hand].sort((a, b) => a - b).join(',')}|${ops.join('')}`;
  const cached = solvableCache.get(key);
  if (cached !== undefined) return cached;
  const result = anyReaches(hand.map((n) => Rational.of(BigInt(n))), ops, Rational.of(BigInt(target)));
  if (solvableCache.size >= SOLVABLE_CACHE_LIMIT) solvableCache.clear();
  solvableCache.set(key, result);
  return result;
}
