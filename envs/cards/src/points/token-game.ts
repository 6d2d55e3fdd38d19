import {
  Box,
  Dict,
  Discrete,
  Env,
  ResetNeededError,
  UnsupportedError,
  type Info,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '@rlft/core';
import { evaluateFormula, type Operator } from './expression.js';
import { MAX_RANK, MIN_RANK, cardValue, dealSolvable, rankName } from './cards.js';
import { Rational } from './rational.js';

/**
 * The token-by-token 24-points games (Points24, EZPoints): each action appends one token —
 * a number, an operator, a parenthesis — to a formula, and `=` submits it. A token that cannot
 * continue the formula (a number not among the unused cards, an operator where a number must
 * stand, …) is rejected with −1 and the episode goes on; `=` ends the episode with the correct
 * reward when the formula uses every card once and equals the target, else −1. Every step
 * counts toward the length limit, rejected tokens included; the step past it ends the episode
 * with −1.
 */

export interface TokenGameRules {
  id: string;
  cardCount: number;
  target: number;
  /** Number tokens are 1…maxNumber. */
  maxNumber: number;
  faceCardsAs10: boolean;
  operators: readonly Operator[];
  parentheses: boolean;
  /** Steps allowed; the next one ends the episode with `invalidReward`. */
  maxTokens: number;
  correctReward: number;
  invalidReward: number;
}

export const SUBMIT = '=';

/** The action meanings: '1'…'maxNumber', the operators, '(' ')' when allowed, '='. */
export function tokenVocabulary(rules: Pick<TokenGameRules, 'maxNumber' | 'operators' | 'parentheses'>): readonly string[] {
  const numbers = Array.from({ length: rules.maxNumber }, (_, i) => String(i + 1));
  return Object.freeze([...numbers, ...rules.operators, ...(rules.parentheses ? ['(', ')'] : []), SUBMIT]);
}

/** What may follow the formula so far: the unused card numbers, and whether an operand is due. */
interface FormulaState {
  unused: number[];
  expectOperand: boolean;
  openParens: number;
}

export type TokenGameObs = { cards: Int32Array; formula: Int32Array };

export class TokenPointsEnv extends Env<TokenGameObs, number> {
  readonly rules: TokenGameRules;
  readonly vocabulary: readonly string[];
  readonly actionSpace: Discrete;
  readonly observationSpace: Dict<{ cards: Box<'int32'>; formula: Box<'int32'> }>;
  private ranks: number[] = [];
  private values: number[] = [];
  /** Accepted tokens, as vocabulary indices. */
  private formula: number[] = [];
  private state: FormulaState = { unused: [], expectOperand: true, openParens: 0 };
  private steps = 0;
  private started = false;
  private done = false;

  constructor(rules: TokenGameRules) {
    super();
    this.rules = rules;
    this.vocabulary = tokenVocabulary(rules);
    this.actionSpace = new Discrete(this.vocabulary.length);
    this.observationSpace = new Dict({
      // The cards' numbers under the face-card rule.
      cards: new Box({ low: MIN_RANK, high: MAX_RANK, shape: [rules.cardCount], dtype: 'int32' }),
      // Accepted token indices, −1 where no token is yet.
      formula: new Box({ low: -1, high: this.vocabulary.length - 1, shape: [rules.maxTokens], dtype: 'int32' }),
    });
    this.metadata = { renderModes: ['ansi'] };
  }

  reset(options: ResetOptions = {}): ResetResult<TokenGameObs> {
    this.seedOnReset(options.seed);
    const fixed = options.options?.cards;
    if (fixed !== undefined) {
      if (!Array.isArray(fixed) || fixed.length !== this.rules.cardCount || !fixed.every((r) => Number.isInteger(r) && r >= MIN_RANK && r <= MAX_RANK)) {
        throw new RangeError(`${this.id}: reset option 'cards' must be ${this.rules.cardCount} ranks in ${MIN_RANK}–${MAX_RANK}, got ${JSON.stringify(fixed)}`);
      }
      this.ranks = [...(fixed as number[])];
    } else {
      this.ranks = dealSolvable(this.rng, {
        count: this.rules.cardCount,
        target: this.rules.target,
        faceCardsAs10: this.rules.faceCardsAs10,
        requireFaceCard: false,
        solve: { operators: this.rules.operators },
      });
    }
    this.values = this.ranks.map((r) => cardValue(r, this.rules.faceCardsAs10));
    this.formula = [];
    this.state = { unused: [...this.values], expectOperand: true, openParens: 0 };
    this.steps = 0;
    this.started = true;
    this.done = false;
    return { obs: this.observation(), info: this.info('') };
  }

  step(action: number): StepResult<TokenGameObs> {
    if (!this.started) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (this.done) throw new ResetNeededError(this.id, 'the episode has ended; call reset()');
    if (!this.actionSpace.contains(action)) {
      throw new RangeError(`${this.id}: action must be a token index in [0, ${this.vocabulary.length - 1}] (${this.vocabulary.join(' ')}), got ${String(action)}`);
    }
    this.steps++;
    if (this.steps > this.rules.maxTokens) {
      return this.finish(this.rules.invalidReward, `the formula ran past ${this.rules.maxTokens} tokens`, false);
    }
    const token = this.vocabulary[action];
    if (token === SUBMIT) return this.submit();
    const rejection = this.accept(token);
    if (rejection) return this.result(this.rules.invalidReward, false, `token '${token}' rejected: ${rejection}`);
    this.formula.push(action);
    return this.result(0, false, `token '${token}' accepted`);
  }

  override render(): RenderResult {
    if (!this.started) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode !== 'ansi') throw new UnsupportedError(`${this.id}: render() needs render mode 'ansi' (the only one)`);
    return this.text();
  }

  /** The formula so far as text (`( 7 - 8 / 8 ) * 4`). */
  get formulaText(): string {
    return this.formula.map((i) => this.vocabulary[i]).join(' ');
  }

  /** Updates the formula state for an acceptable token, or says why it is not. */
  private accept(token: string): string | undefined {
    const s = this.state;
    if (token === '(') {
      if (!s.expectOperand) return 'a "(" cannot follow a number or ")"';
      s.openParens++;
      return undefined;
    }
    if (token === ')') {
      if (s.expectOperand || s.openParens === 0) return s.openParens === 0 ? 'there is no open parenthesis to close' : 'a ")" must follow a number';
      s.openParens--;
      return undefined;
    }
    if ((this.rules.operators as readonly string[]).includes(token)) {
      if (s.expectOperand) return 'an operator must follow a number or ")"';
      s.expectOperand = true;
      return undefined;
    }
    const value = Number(token);
    if (!s.expectOperand) return 'a number cannot follow a number or ")"';
    const at = s.unused.indexOf(value);
    if (at < 0) return `${value} is not among the unused cards (${s.unused.join(', ') || 'none left'})`;
    s.unused.splice(at, 1);
    s.expectOperand = false;
    return undefined;
  }

  private submit(): StepResult<TokenGameObs> {
    const evaluated = evaluateFormula(this.formulaText);
    if (!evaluated.ok) return this.finish(this.rules.invalidReward, `the formula is not complete: ${evaluated.reason}`, false);
    if (this.state.unused.length > 0) {
      return this.finish(this.rules.invalidReward, `cards ${this.state.unused.join(', ')} are not used`, false);
    }
    if (!evaluated.value.equals(Rational.of(BigInt(this.rules.target)))) {
      return this.finish(this.rules.invalidReward, `the formula equals ${evaluated.value.toString()}, not ${this.rules.target}`, false);
    }
    return this.finish(this.rules.correctReward, `correct: the formula equals ${this.rules.target}`, true);
  }

  private finish(reward: number, reason: string, correct: boolean): StepResult<TokenGameObs> {
    this.done = true;
    return this.result(reward, true, reason, correct);
  }

  private result(reward: number, terminated: boolean, reason: string, correct = false): StepResult<TokenGameObs> {
    return { obs: this.observation(), reward, terminated, truncated: false, info: { ...this.info(reason), correct } };
  }

  private info(reason: string): Info {
    return {
      cards: this.ranks.map(rankName),
      card_ranks: [...this.ranks],
      numbers: [...this.values],
      target: this.rules.target,
      formula_tokens: this.formula.map((i) => this.vocabulary[i]),
      vocabulary: this.vocabulary,
      tokens_used: this.steps,
      max_tokens: this.rules.maxTokens,
      reward_reason: reason,
      text: this.text(),
    };
  }

  private text(): string {
    const formula = this.formulaText;
    return `Cards: ${this.ranks.map(rankName).join(', ')} (numbers ${this.values.join(', ')}); target ${this.rules.target}\nFormula: ${formula || '(empty)'}\nTokens: ${this.steps}/${this.rules.maxTokens}`;
  }

  private observation(): TokenGameObs {
    const formula = new Int32Array(this.rules.maxTokens).fill(-1);
    formula.set(this.formula.slice(0, this.rules.maxTokens));
    return { cards: Int32Array.from(this.values), formula };
  }
}
