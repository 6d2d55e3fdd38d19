import {
  Discrete,
  Env,
  ResetNeededError,
  Tuple,
  UnsupportedError,
  parseOptions,
  z,
  type Info,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '@rlft/core';
import { DECK, handSum, hasUsableAce, isBust, isNatural, showdownScore } from './hand.js';
import { describeOutcome, describePosition } from './text.js';

export const BLACKJACK_ID = 'Blackjack-v1';

export const blackjackKwargsSchema = z
  .object({
    natural: z.boolean().default(false).describe('a player natural (ace + ten) that wins pays +1.5 instead of +1'),
    sab: z.boolean().default(false).describe("Sutton & Barto's rules: a player natural wins +1 unless the dealer also has one; overrides natural"),
  })
  .strict();

export type BlackjackKwargs = z.input<typeof blackjackKwargsSchema>;

/** (player sum, dealer's showing card, usable ace as 0/1). */
export type BlackjackObservation = [number, number, number];

export const STICK = 0;
export const HIT = 1;

export function blackjackObservationSpace(): Tuple<[Discrete, Discrete, Discrete]> {
  return new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)]);
}

/**
 * Blackjack against a dealer with an infinite deck (Gymnasium's Blackjack-v1). Reset deals
 * two cards to the dealer (the first is shown) and two to the player. Actions: 0 stick, 1
 * hit. Hitting past 21 loses (−1); sticking lets the dealer draw until 17 or more, then the
 * higher score wins (+1 / 0 / −1, a bust scores 0). Kwargs `natural` and `sab` change the
 * payout of a natural as in Gymnasium.
 *
 * `reset({ options: { cards: [...] } })` scripts the deck: draws take these values in order
 * (dealer, dealer, player, player, then hits and the dealer's draws) before random draws
 * resume. `info.text` describes the position in words.
 */
export class BlackjackEnv extends Env<BlackjackObservation, number> {
  readonly observationSpace = blackjackObservationSpace();
  readonly actionSpace = new Discrete(2);
  readonly natural: boolean;
  readonly sab: boolean;
  private player: number[] = [];
  private dealer: number[] = [];
  private scripted: readonly number[] = [];
  private scriptedNext = 0;
  private done = true;
  private hasState = false;
  private lastReward: number | undefined;

  constructor(kwargs: BlackjackKwargs = {}, options: { renderMode?: string } = {}) {
    super();
    const parsed = parseOptions(blackjackKwargsSchema, kwargs, BLACKJACK_ID);
    this.natural = parsed.natural;
    this.sab = parsed.sab;
    this.metadata = { renderModes: ['ansi'], renderFps: 4 };
    if (options.renderMode !== undefined && options.renderMode !== 'ansi') {
      throw new UnsupportedError(`${BLACKJACK_ID} has no render mode '${options.renderMode}'; allowed: ansi`);
    }
    this.renderMode = options.renderMode;
  }

  reset(options: ResetOptions = {}): ResetResult<BlackjackObservation> {
    this.seedOnReset(options.seed);
    this.scripted = readScriptedCards(this.id, options.options);
    this.scriptedNext = 0;
    this.dealer = [this.drawCard(), this.drawCard()];
    this.player = [this.drawCard(), this.drawCard()];
    this.done = false;
    this.hasState = true;
    this.lastReward = undefined;
    return { obs: this.observation(), info: this.positionInfo() };
  }

  step(action: number): StepResult<BlackjackObservation> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (this.done) throw new ResetNeededError(this.id, 'step() was called after the hand ended');
    if (action !== STICK && action !== HIT) {
      throw new RangeError(`${this.id}: action must be 0 (stick) or 1 (hit), got ${String(action)}`);
    }
    let reward = 0;
    if (action === HIT) {
      this.player.push(this.drawCard());
      if (isBust(this.player)) {
        reward = -1;
        this.done = true;
      }
    } else {
      this.done = true;
      while (handSum(this.dealer) < 17) this.dealer.push(this.drawCard());
      reward = this.showdownReward();
    }
    if (!this.done) return { obs: this.observation(), reward, terminated: false, truncated: false, info: this.positionInfo() };
    this.lastReward = reward;
    const dealerSum = action === STICK ? handSum(this.dealer) : undefined;
    const info: Info = {
      text: describeOutcome(handSum(this.player), dealerSum, reward),
      player_hand: [...this.player],
      dealer_hand: [...this.dealer],
    };
    return { obs: this.observation(), reward, terminated: true, truncated: false, info };
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode !== 'ansi') {
      throw new UnsupportedError(`${this.id}: render() needs renderMode 'ansi' (make(id, kwargs, { renderMode: 'ansi' }))`);
    }
    const cards = (hand: readonly number[]): string => hand.map((c) => (c === 1 ? 'A' : String(c))).join(' ');
    // The dealer's second card stays face down until the hand is over.
    const dealer = this.done ? `${cards(this.dealer)} (${handSum(this.dealer)})` : `${cards(this.dealer.slice(0, 1))} ?`;
    const player = `${cards(this.player)} (${handSum(this.player)}${hasUsableAce(this.player) ? ', usable ace' : ''})`;
    const outcome = this.lastReward === undefined ? '' : `\nresult: ${this.lastReward > 0 ? '+' : ''}${this.lastReward}`;
    return `dealer: ${dealer}\nplayer: ${player}${outcome}\n`;
  }

  /** Gymnasium's payout once the dealer has drawn. */
  private showdownReward(): number {
    const player = showdownScore(this.player);
    const dealer = showdownScore(this.dealer);
    const reward = Math.sign(player - dealer);
    if (this.sab) return isNatural(this.player) && !isNatural(this.dealer) ? 1 : reward;
    if (this.natural && isNatural(this.player) && reward === 1) return 1.5;
    return reward;
  }

  private drawCard(): number {
    if (this.scriptedNext < this.scripted.length) return this.scripted[this.scriptedNext++];
    return DECK[this.rng.integer(0, DECK.length - 1)];
  }

  private observation(): BlackjackObservation {
    return [handSum(this.player), this.dealer[0], hasUsableAce(this.player) ? 1 : 0];
  }

  private positionInfo(): Info {
    return { text: describePosition(handSum(this.player), this.dealer[0], hasUsableAce(this.player)) };
  }
}

function readScriptedCards(envId: string, options: Record<string, unknown> | undefined): readonly number[] {
  const cards = options?.cards;
  if (cards === undefined) return [];
  if (!Array.isArray(cards) || !cards.every((c) => Number.isInteger(c) && c >= 1 && c <= 10)) {
    throw new RangeError(`${envId}: reset option 'cards' must be an array of card values 1–10 (ace = 1, faces = 10), got ${JSON.stringify(cards)}`);
  }
  return [...(cards as number[])];
}
