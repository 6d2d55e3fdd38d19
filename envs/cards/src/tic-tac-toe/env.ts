import {
  Discrete,
  Env,
  MultiDiscrete,
  ResetNeededError,
  UnsupportedError,
  parseOptions,
  z,
  type ActContext,
  type Info,
  type RenderResult,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '@rlft/core';
import { EMPTY, OTHER, OWN, countEmpty, fillLegalMask, hasLine, swapSides } from './board.js';
import { minimaxMove } from './minimax.js';
import { describeTurn, drawBoard, type Mark } from './text.js';

export const TIC_TAC_TOE_ID = 'TicTacToe-v0';

export const ticTacToeKwargsSchema = z
  .object({
    opponent: z.enum(['random', 'minimax']).default('random').describe("the opponent: 'random' (uniform over empty cells) or 'minimax' (perfect play, seeded tie-breaking)"),
    agent_mark: z.enum(['X', 'O']).default('X').describe('the agent plays X (moves first) or O (the opponent moves first)'),
    illegal_move_penalty: z.number().finite().default(-1).describe('reward for playing an occupied cell; the episode ends'),
  })
  .strict();

export type TicTacToeKwargs = z.input<typeof ticTacToeKwargsSchema>;

/**
 * An opponent for self-play: called with the board from the opponent's own side (1 = its
 * marks, 2 = the agent's) and `info.action_mask`, the same view the agent gets, so an
 * agent's synchronous `policy.act.bind(policy)` plugs in as is. Returns a cell 0–8.
 */
export type TicTacToeOpponent = (board: Int32Array, context: ActContext) => number;

export interface TicTacToeOptions {
  renderMode?: string;
  /** Overrides the `opponent` kwarg with any policy (self-play). Not reachable from the CLI. */
  opponentPolicy?: TicTacToeOpponent;
}

type Outcome = 'win' | 'loss' | 'draw' | 'illegal' | 'opponent_illegal';

/**
 * Tic-tac-toe against a built-in or supplied opponent. Observation: the 9 cells row-major
 * (0 empty, 1 the agent's mark, 2 the opponent's), whichever mark the agent plays. Action:
 * the cell to mark. Reward +1 for a win, −1 for a loss, 0 for a draw and for moves that do
 * not end the game. Playing an occupied cell ends the episode with `illegal_move_penalty`
 * and `info.illegal_move = true`; an opponent policy that does so forfeits (+1,
 * `info.opponent_illegal_move = true`). `info.action_mask` marks the empty cells and
 * `info.text` shows the board in words.
 */
export class TicTacToeEnv extends Env<Int32Array, number> {
  readonly observationSpace = new MultiDiscrete(new Array<number>(9).fill(3));
  readonly actionSpace = new Discrete(9);
  readonly agentMark: Mark;
  readonly opponentKind: 'random' | 'minimax' | 'policy';
  readonly illegalMovePenalty: number;
  private readonly opponentPolicy: TicTacToeOpponent | undefined;
  /** Agent's side: 1 agent, 2 opponent. */
  private readonly board = new Int32Array(9);
  private readonly opponentView = new Int32Array(9);
  private hasState = false;
  private outcome: Outcome | undefined;

  constructor(kwargs: TicTacToeKwargs = {}, options: TicTacToeOptions = {}) {
    super();
    const parsed = parseOptions(ticTacToeKwargsSchema, kwargs, TIC_TAC_TOE_ID);
    this.agentMark = parsed.agent_mark;
    this.illegalMovePenalty = parsed.illegal_move_penalty;
    if (options.opponentPolicy !== undefined && typeof options.opponentPolicy !== 'function') {
      throw new TypeError(`${TIC_TAC_TOE_ID}: opponentPolicy must be a function (board, context) => cell`);
    }
    this.opponentPolicy = options.opponentPolicy;
    this.opponentKind = options.opponentPolicy ? 'policy' : parsed.opponent;
    this.metadata = { renderModes: ['ansi'], renderFps: 2 };
    if (options.renderMode !== undefined && options.renderMode !== 'ansi') {
      throw new UnsupportedError(`${TIC_TAC_TOE_ID} has no render mode '${options.renderMode}'; allowed: ansi`);
    }
    this.renderMode = options.renderMode;
  }

  reset(options: ResetOptions = {}): ResetResult<Int32Array> {
    this.seedOnReset(options.seed);
    this.board.fill(EMPTY);
    this.hasState = true;
    this.outcome = undefined;
    let opponentMove: number | undefined;
    if (this.agentMark === 'O') {
      opponentMove = this.opponentMove();
      // An empty board has no occupied cell, so an opponent can only fail with a non-cell here.
      if (opponentMove < 0) throw new RangeError(`${this.id}: the opponent policy's first move is not a cell 0–8`);
      this.board[opponentMove] = OTHER;
    }
    return { obs: this.board.slice(), info: this.turnInfo(opponentMove) };
  }

  step(action: number): StepResult<Int32Array> {
    if (!this.hasState) throw new ResetNeededError(this.id, 'step() was called before reset()');
    if (this.outcome !== undefined) throw new ResetNeededError(this.id, 'step() was called after the game ended');
    if (!Number.isInteger(action) || action < 0 || action > 8) {
      throw new RangeError(`${this.id}: action must be a cell 0–8 (row-major), got ${String(action)}`);
    }
    if (this.board[action] !== EMPTY) return this.finish('illegal', this.illegalMovePenalty);
    this.board[action] = OWN;
    if (hasLine(this.board, OWN)) return this.finish('win', 1);
    if (countEmpty(this.board) === 0) return this.finish('draw', 0);

    const reply = this.opponentMove();
    if (reply < 0 || this.board[reply] !== EMPTY) return this.finish('opponent_illegal', 1);
    this.board[reply] = OTHER;
    if (hasLine(this.board, OTHER)) return this.finish('loss', -1, reply);
    if (countEmpty(this.board) === 0) return this.finish('draw', 0, reply);
    return { obs: this.board.slice(), reward: 0, terminated: false, truncated: false, info: this.turnInfo(reply) };
  }

  override render(): RenderResult {
    if (!this.hasState) throw new UnsupportedError(`${this.id}: nothing to render before the first reset()`);
    if (this.renderMode !== 'ansi') {
      throw new UnsupportedError(`${this.id}: render() needs renderMode 'ansi' (make(id, kwargs, { renderMode: 'ansi' }))`);
    }
    const result = this.outcome === undefined ? '' : `\nresult: ${this.outcome}`;
    return `${drawBoard(this.board, this.agentMark, false)}${result}\n`;
  }

  /** The opponent's chosen cell, or −1 for an answer that is not a cell. */
  private opponentMove(): number {
    swapSides(this.board, this.opponentView);
    if (this.opponentKind === 'minimax') return minimaxMove(this.opponentView, this.rng);
    if (this.opponentKind === 'random') return this.randomEmptyCell();
    const mask = new Int8Array(9);
    fillLegalMask(this.opponentView, mask);
    const cell = this.opponentPolicy!(this.opponentView.slice(), { info: { action_mask: mask } });
    return Number.isInteger(cell) && cell >= 0 && cell <= 8 ? cell : -1;
  }

  private randomEmptyCell(): number {
    let skip = this.rng.integer(0, countEmpty(this.board) - 1);
    for (let i = 0; i < 9; i++) {
      if (this.board[i] !== EMPTY) continue;
      if (skip === 0) return i;
      skip--;
    }
    throw new RangeError(`${this.id}: the opponent has no empty cell to play`);
  }

  private turnInfo(opponentMove: number | undefined): Info {
    const mask = new Int8Array(9);
    fillLegalMask(this.board, mask);
    return { text: describeTurn(this.board, this.agentMark, opponentMove), action_mask: mask, illegal_move: false };
  }

  private finish(outcome: Outcome, reward: number, opponentMove?: number): StepResult<Int32Array> {
    this.outcome = outcome;
    const opponent = opponentMove === undefined ? '' : `The opponent played cell ${opponentMove}. `;
    const verdicts: Record<Outcome, string> = {
      win: 'You win.',
      loss: 'You lose.',
      draw: 'The game is a draw.',
      illegal: 'That cell is taken: an illegal move ends the game.',
      opponent_illegal: 'The opponent chose an occupied cell and forfeits: you win.',
    };
    const info: Info = {
      text: `${opponent}${verdicts[outcome]}\n${drawBoard(this.board, this.agentMark, false)}`,
      // The game is over: no cell is legal any more.
      action_mask: new Int8Array(9),
      illegal_move: outcome === 'illegal',
      outcome,
    };
    if (outcome === 'opponent_illegal') info.opponent_illegal_move = true;
    return { obs: this.board.slice(), reward, terminated: true, truncated: false, info };
  }
}
