import {
  Box,
  Env,
  ResetNeededError,
  Text,
  UnsupportedError,
  parseOptions,
  z,
  type Info,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '@rlft/core';
import { MAX_ANSWER_SCAN, parseAnswer } from './answer.js';
import { MAX_RANK, MIN_RANK, cardValue, dealSolvable, rankName } from './cards.js';
import { scoreFormula, solutionPrefixes } from './score.js';
import { solutions } from './solver.js';

export const GENERAL_POINTS_ID = 'GeneralPoints-v0';
export const GENERAL_POINTS_CARDS = 4;
/** Room for the prompt plus the feedback of a failed attempt. */
export const GENERAL_POINTS_OBS_MAX_LENGTH = 4096;
/**
 * Model answers may be long (reasoning before the JSON): room for about 32k tokens. Longer
 * text is outside the action space, so make()'s action checker refuses it.
 */
export const GENERAL_POINTS_ACTION_MAX_LENGTH = MAX_ANSWER_SCAN;
/** What a step after the last allowed attempt pays (it also truncates the episode). */
export const ATTEMPTS_EXHAUSTED_REWARD = -1;

export const generalPointsKwargsSchema = z
  .object({
    target: z.number().int().min(1).max(10_000).default(24).describe('the number the formula must equal'),
    face_cards_as_10: z
      .boolean()
      .default(true)
      .describe('J, Q and K count 10 (the in-distribution rule); false: they count 11, 12 and 13'),
    ood: z.boolean().default(false).describe('deal at least one face card (J, Q or K): the out-of-distribution split'),
    representation: z
      .enum(['text', 'numeric'])
      .default('text')
      .describe("'text': the observation is the prompt; 'numeric': a Box of the four card values (for MLP policies)"),
    max_attempts: z.number().int().min(1).max(100).default(5).describe('verification attempts per episode'),
  })
  .strict();

export type GeneralPointsKwargs = z.input<typeof generalPointsKwargsSchema>;

const RANK_BY_NAME: Record<string, number> = { A: 1, J: 11, Q: 12, K: 13 };

/** `reset({ options: { cards } })`: ranks 1–13 or names ('A', '7', 'J', …); the hand need not be solvable. */
function readCardsOption(envId: string, options: Record<string, unknown> | undefined): number[] | undefined {
  const cards = options?.cards;
  if (cards === undefined) return undefined;
  if (!Array.isArray(cards) || cards.length !== GENERAL_POINTS_CARDS) {
    throw new RangeError(`${envId}: reset option 'cards' must be an array of ${GENERAL_POINTS_CARDS} cards, got ${JSON.stringify(cards)}`);
  }
  return cards.map((card: unknown) => {
    const rank = typeof card === 'number' ? card : typeof card === 'string' ? (RANK_BY_NAME[card.toUpperCase()] ?? Number(card)) : NaN;
    if (!Number.isInteger(rank) || rank < MIN_RANK || rank > MAX_RANK) {
      throw new RangeError(`${envId}: card ${JSON.stringify(card)} is not a card; use ranks ${MIN_RANK}–${MAX_RANK} or A, 2–10, J, Q, K`);
    }
    return rank;
  });
}

/** Feedback quotes at most this much of a reason, so the observation stays inside its space. */
const MAX_FEEDBACK_REASON = 400;

function clip(reason: string): string {
  return reason.length > MAX_FEEDBACK_REASON ? `${reason.slice(0, MAX_FEEDBACK_REASON)}…` : reason;
}

/**
 * The 24-points game with a language interface (GeneralPoints of the SFT-vs-RL reference
 * work). Four cards are dealt (redrawn until a solution exists); the model answers in text with
 * a JSON object holding a formula over the cards' numbers. Each answer is one verification
 * attempt: a correct formula pays 5 and ends the episode; any other answer pays its penalties
 * (or 1 for the beginning of a solution) and the next observation says why it failed. After
 * `max_attempts` attempts one more step pays −1 and truncates.
 */
export class GeneralPointsEnv extends Env<string | Float32Array, string> {
  readonly observationSpace: Text | Box<'float32'>;
  readonly actionSpace = new Text(GENERAL_POINTS_ACTION_MAX_LENGTH, { minLength: 0, charset: null });
  readonly target: number;
  readonly faceCardsAs10: boolean;
  readonly ood: boolean;
  readonly representation: 'text' | 'numeric';
  readonly maxAttempts: number;
  private ranks: number[] = [];
  private values: number[] = [];
  private solutionCount = 0;
  private prefixes: Set<string> | undefined;
  private attempts = 0;
  private done = true;
  private started = false;
  private prompt = '';
  private lastText = '';

  constructor(kwargs: GeneralPointsKwargs = {}) {
    super();
    const parsed = parseOptions(generalPointsKwargsSchema, kwargs, GENERAL_POINTS_ID);
    this.target = parsed.target;
    this.faceCardsAs10 = parsed.face_cards_as_10;
    this.ood = parsed.ood;
    this.representation = parsed.representation;
    this.maxAttempts = parsed.max_attempts;
    this.observationSpace =
      this.representation === 'text'
        ? new Text(GENERAL_POINTS_OBS_MAX_LENGTH, { charset: null })
        : new Box({ low: MIN_RANK, high: MAX_RANK, shape: [GENERAL_POINTS_CARDS], dtype: 'float32' });
    this.metadata = { renderModes: ['ansi'] };
  }

  reset(options: ResetOptions = {}): ResetResult<string | Float32Array> {
    this.seedOnReset(options.seed);
    const fixed = readCardsOption(this.id, options.options);
    this.ranks =
      fixed ??
      dealSolvable(this.rng, { count: GENERAL_POINTS_CARDS, target: this.target, faceCardsAs10: this.faceCardsAs10, requireFaceCard: this.ood });
    this.values = this.ranks.map((r) => cardValue(r, this.faceCardsAs10));
    this.solutionCount = solutions(this.values, this.target).length;
    this.prefixes = undefined;
    this.attempts = 0;
    this.done = false;
    this.started = true;
    this.prompt = this.writePrompt();
    this.lastText = this.prompt;
    return { obs: this.observation(), info: { ...this.dealInfo(), text: this.lastText } };
  }

  step(action: string): StepResult<string | Float32Array> {
    if (!this.started) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (this.done) throw new ResetNeededError(this.id, 'the episode has ended (a correct answer or the attempt limit); call reset()');
    if (this.attempts >= this.maxAttempts) {
      this.done = true;
      const reason = `all ${this.maxAttempts} attempts are used up`;
      this.lastText = `${this.prompt}\n\nThe game is over: ${reason}.`;
      return {
        obs: this.observation(),
        reward: ATTEMPTS_EXHAUSTED_REWARD,
        terminated: false,
        truncated: true,
        info: { ...this.dealInfo(), text: this.lastText, reward_reason: reason, correct: false, partial: false, formula: null, formula_numbers: [] },
      };
    }
    this.attempts++;
    const answer = parseAnswer(action);
    const score = scoreFormula(answer.formula, this.values, this.target, () => (this.prefixes ??= solutionPrefixes(this.values, this.target)));
    if (score.correct) {
      this.done = true;
      this.lastText = `${this.prompt}\n\nCorrect: ${clip(answer.formula ?? '')} = ${this.target}.`;
    } else {
      const left = this.maxAttempts - this.attempts;
      this.lastText =
        `${this.prompt}\n\nYou failed this trial because ${clip(score.reason)}. ` +
        (left > 0 ? `${left} attempt${left === 1 ? '' : 's'} left; answer again in the same JSON format.` : 'No attempts are left.');
    }
    const info: Info = {
      ...this.dealInfo(),
      text: this.lastText,
      reward_reason: score.reason,
      correct: score.correct,
      partial: score.partial,
      violations: score.violations,
      formula: answer.formula ?? null,
      formula_numbers: score.numbers,
      formula_value: score.value ?? null,
      answer_source: answer.source,
      claimed_numbers: answer.claimedNumbers ?? null,
      claimed_cards: answer.claimedCards ?? null,
    };
    return { obs: this.observation(), reward: score.reward, terminated: score.correct, truncated: false, info };
  }

  override render(): RenderResult {
    if (!this.started) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode !== 'ansi') throw new UnsupportedError(`${this.id}: render() needs render mode 'ansi' (the only one)`);
    return this.lastText;
  }

  /** The card names of the current deal ('A', '7', 'J', …). */
  get cardNames(): string[] {
    return this.ranks.map(rankName);
  }

  private dealInfo(): Info {
    return {
      cards: this.cardNames,
      card_ranks: [...this.ranks],
      numbers: [...this.values],
      target: this.target,
      solutions: this.solutionCount,
      attempt: this.attempts,
      max_attempts: this.maxAttempts,
    };
  }

  private observation(): string | Float32Array {
    if (this.representation === 'numeric') return Float32Array.from(this.values);
    return this.lastText;
  }

  private writePrompt(): string {
    const faceRule = this.faceCardsAs10 ? "'J', 'Q' and 'K' each count as 10" : "'J' counts as 11, 'Q' as 12 and 'K' as 13";
    return [
      `Game: make ${this.target} from four playing cards.`,
      `Your cards: ${this.cardNames.join(', ')}.`,
      `Write one arithmetic formula that equals ${this.target} and uses the number of every card exactly once, ` +
        "combined with +, -, * and / and parentheses as needed. An 'A' counts as 1 and " +
        `${faceRule}; other cards count their face value.`,
      'Reply with a JSON object with these fields:',
      '{"cards": [the four cards as written above], "number": [the numbers they count as], "formula": "your formula, without \'= ...\'"}',
    ].join('\n');
  }
}
