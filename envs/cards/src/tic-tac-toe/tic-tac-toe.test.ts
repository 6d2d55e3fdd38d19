import { checkEnv, evaluatePolicy, EnvRegistry, RandomPolicy, Rng } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import plugin from '../plugin.js';
import { TicTacToeEnv, type TicTacToeOpponent } from './env.js';
import { TicTacToeMinimaxPolicy } from './expert.js';
import { minimaxMove, moveValues, positionValue } from './minimax.js';

function registry(): EnvRegistry {
  const envs = new EnvRegistry();
  for (const registration of plugin.envs ?? []) envs.register(registration, plugin.name);
  return envs;
}

/** An opponent that plays the given cells in order. */
function scripted(cells: number[]): TicTacToeOpponent {
  let next = 0;
  return () => cells[next++];
}

describe('tic-tac-toe minimax', () => {
  it('values the empty board as a draw and finds wins and blocks', () => {
    expect(positionValue(new Int32Array(9))).toBe(0);
    // Mover (1) has 0 and 1: cell 2 wins at once.
    expect(minimaxMove([1, 1, 0, 2, 2, 0, 0, 0, 0], Rng.fromSeed(0))).toBe(2);
    // Mover must block the other side's 3-4-5 threat at 5.
    expect(minimaxMove([1, 0, 0, 2, 2, 0, 1, 0, 0], Rng.fromSeed(0))).toBe(5);
    // Against a corner opening only the centre holds the draw.
    const replies = moveValues([0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(replies[4]).toBe(0);
    expect([0, 1, 2, 3, 5, 6, 7].every((cell) => replies[cell] < 0)).toBe(true);
    expect(Number.isNaN(replies[8])).toBe(true);
  });

  it('breaks ties with its generator: reproducible per seed, varied across seeds', () => {
    const openings = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const move = minimaxMove(new Int32Array(9), Rng.fromSeed(seed));
      expect(minimaxMove(new Int32Array(9), Rng.fromSeed(seed))).toBe(move);
      openings.add(move);
    }
    expect(openings.size).toBe(9); // every opening draws, so all nine are played
  });
});

describe('TicTacToe-v0', () => {
  it('passes the env checker for each opponent and side, raw and through make()', async () => {
    await checkEnv(() => new TicTacToeEnv({}, { renderMode: 'ansi' }), { seed: 1, steps: 150 });
    await checkEnv(() => new TicTacToeEnv({ opponent: 'minimax', agent_mark: 'O' }), { seed: 2, steps: 150 });
    await checkEnv(() => registry().make('TicTacToe-v0', { opponent: 'minimax' }), { seed: 3, steps: 150 });
  });

  it('observes the board from the agent side with a legal-move mask and a text view', () => {
    const env = new TicTacToeEnv({ agent_mark: 'O' }, { opponentPolicy: scripted([4, 0]) });
    const { obs, info } = env.reset({ seed: 0 });
    expect(Array.from(obs)).toEqual([0, 0, 0, 0, 2, 0, 0, 0, 0]);
    expect(Array.from(info.action_mask as Int8Array)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect(info.text).toBe(
      'The opponent (X) played cell 4.\nYou play O. Cells are numbered 0–8 row by row; empty cells show their number:\n' +
        ' 0 | 1 | 2 \n---+---+---\n 3 | X | 5 \n---+---+---\n 6 | 7 | 8 \nChoose an empty cell.',
    );
    const next = env.step(8);
    expect(Array.from(next.obs)).toEqual([2, 0, 0, 0, 2, 0, 0, 0, 1]);
    expect(next).toMatchObject({ reward: 0, terminated: false, info: { illegal_move: false } });
  });

  it('pays +1 for a win, −1 for a loss and 0 for a draw', () => {
    const win = new TicTacToeEnv({}, { opponentPolicy: scripted([3, 4]) });
    win.reset();
    win.step(0);
    win.step(1);
    expect(win.step(2)).toMatchObject({ reward: 1, terminated: true, info: { outcome: 'win', illegal_move: false } });

    const loss = new TicTacToeEnv({}, { opponentPolicy: scripted([3, 4, 5]) });
    loss.reset();
    loss.step(0);
    loss.step(1);
    const lost = loss.step(8);
    expect(lost).toMatchObject({ reward: -1, terminated: true, info: { outcome: 'loss' } });
    expect(Array.from(lost.obs)).toEqual([1, 1, 0, 2, 2, 2, 0, 0, 1]);
    expect(Array.from(lost.info.action_mask as Int8Array)).toEqual(new Array(9).fill(0));

    // X: 0 2 3 7 8 / O: 1 4 5 6 — a full board with no line.
    const draw = new TicTacToeEnv({}, { opponentPolicy: scripted([1, 4, 5, 6]) });
    draw.reset();
    const rewards = [0, 2, 3, 7, 8].map((cell) => draw.step(cell));
    expect(rewards.map((r) => r.reward)).toEqual([0, 0, 0, 0, 0]);
    expect(rewards[4]).toMatchObject({ terminated: true, info: { outcome: 'draw' } });
  });

  it('ends the game on an occupied cell with the configured penalty and reports it', () => {
    const env = new TicTacToeEnv({ illegal_move_penalty: -5 }, { opponentPolicy: scripted([4]), renderMode: 'ansi' });
    env.reset();
    env.step(0);
    const illegal = env.step(4);
    expect(illegal).toMatchObject({ reward: -5, terminated: true, truncated: false, info: { illegal_move: true, outcome: 'illegal' } });
    expect(Array.from(illegal.obs)).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 0]);
    expect(env.render()).toBe(' X | . | . \n---+---+---\n . | O | . \n---+---+---\n . | . | . \nresult: illegal\n');
    expect(() => env.step(1)).toThrow(/after the game ended/);
    expect(() => new TicTacToeEnv().step(0)).toThrow(/before reset/);
  });

  it('lets a supplied opponent that plays an occupied cell forfeit', () => {
    const env = new TicTacToeEnv({}, { opponentPolicy: () => 0 });
    env.reset();
    expect(env.step(0)).toMatchObject({ reward: 1, terminated: true, info: { opponent_illegal_move: true, illegal_move: false } });
  });

  it('rejects actions that are not cells and unknown kwargs', () => {
    const env = new TicTacToeEnv();
    env.reset({ seed: 0 });
    expect(() => env.step(9)).toThrow(/cell 0–8/);
    expect(() => env.step(1.5)).toThrow(/cell 0–8/);
    expect(() => new TicTacToeEnv({ opponent: 'perfect' } as never)).toThrow(/opponent/);
  });

  it('minimax as the agent never loses to the random opponent, as X or as O', async () => {
    for (const agent_mark of ['X', 'O'] as const) {
      const result = await evaluatePolicy(new TicTacToeEnv({ agent_mark }), new TicTacToeMinimaxPolicy(), { episodes: 300, seed: 0 });
      expect(result.return.min).toBe(0);
      expect(result.return.mean).toBeGreaterThan(agent_mark === 'X' ? 0.9 : 0.6);
    }
  });

  it('minimax against the minimax opponent always draws, through varied games', async () => {
    const env = new TicTacToeEnv({ opponent: 'minimax' });
    const openings = new Set<number>();
    const expert = new TicTacToeMinimaxPolicy();
    const recordingOpenings = {
      id: 'expert',
      reset: (options: { seed?: number }) => expert.reset(options),
      act: (obs: Int32Array, context?: { step?: number }) => {
        const move = expert.act(obs);
        if (context?.step === 0) openings.add(move);
        return move;
      },
    };
    const result = await evaluatePolicy(env, recordingOpenings, { episodes: 100, seed: 0 });
    expect(result.episodes.every((e) => e.return === 0 && e.length === 5)).toBe(true);
    expect(openings.size).toBeGreaterThan(5);
  });

  it('plays self-play through opponentPolicy: the expert against itself draws', async () => {
    const opponent = new TicTacToeMinimaxPolicy(7);
    const env = new TicTacToeEnv({}, { opponentPolicy: (board) => opponent.act(board) });
    const result = await evaluatePolicy(env, new TicTacToeMinimaxPolicy(), { episodes: 50, seed: 0 });
    expect(result.return.min).toBe(0);
    expect(result.return.max).toBe(0);
  });

  it('registers the minimax expert, which beats random with the action mask', async () => {
    const envs = registry();
    const env = await envs.make('TicTacToe-v0');
    const expert = await envs.spec('TicTacToe-v0').expert!({ envId: 'TicTacToe-v0', observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed: 0 }, {});
    const expertResult = await evaluatePolicy(env, expert, { episodes: 200, seed: 100 });
    const randomResult = await evaluatePolicy(env, new RandomPolicy(env.actionSpace, 0), { episodes: 200, seed: 100 });
    expect(expertResult.return.min).toBe(0);
    expect(randomResult.return.min).toBe(-1);
    expect(randomResult.episodes.some((e) => e.return === -1)).toBe(true);
    expect(expertResult.return.mean).toBeGreaterThan(randomResult.return.mean + 0.3);
  });
});
