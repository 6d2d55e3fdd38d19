import type * as Rlft from '@rlft/core';
import { AGENT, EMPTY, generateLayout, GOAL, moveFrom, shortestDistances, WALL, type Layout } from './layout.js';

/** The host's `@rlft/core` API, handed to the plugin at load time. */
export type RlftApi = typeof Rlft;

export const GRID_WORLD_ID = 'gridworld/GridWorld-v0';

/** The kwargs schema (built from the host's zod, so `rlft envs info` can describe it). */
export function gridWorldOptions(rlft: RlftApi): Rlft.OptionsSchema<GridWorldOptions> {
  const { z } = rlft;
  return z
    .object({
      size: z.number().int().min(3).max(32).default(8).describe('side of the square grid, in cells'),
      wall_density: z.number().min(0).max(0.45).default(0.2).describe('probability that a cell is a wall'),
      slip_probability: z
        .number()
        .min(0)
        .max(1)
        .default(0)
        .describe('probability that a move goes in a uniformly random direction instead'),
      step_penalty: z.number().min(0).default(0.01).describe('reward subtracted for every move that does not reach the goal'),
    })
    .strict();
}

// A type alias, not an interface: it must fit the Record<string, unknown> of an options schema.
export type GridWorldOptions = {
  size: number;
  wall_density: number;
  slip_probability: number;
  step_penalty: number;
};

/**
 * The registration for `gridworld/GridWorld-v0`. The env class is defined inside this
 * function because it extends the host's `Env` class, which exists only at load time.
 */
export function gridWorldRegistration(rlft: RlftApi): Rlft.EnvRegistration {
  class GridWorld extends rlft.Env<Uint8Array, number> {
    readonly observationSpace: Rlft.Box<'uint8'>;
    readonly actionSpace = new rlft.Discrete(4);
    private readonly options: GridWorldOptions;
    private layout: Layout | undefined;
    private agent = 0;
    private readonly distances: Int32Array;
    private readonly queue: Int32Array;

    constructor(options: GridWorldOptions) {
      super();
      this.options = options;
      const cells = options.size * options.size;
      this.observationSpace = new rlft.Box({ low: EMPTY, high: AGENT, shape: [options.size, options.size], dtype: 'uint8' });
      this.distances = new Int32Array(cells);
      this.queue = new Int32Array(cells);
      this.metadata = { renderModes: ['ansi'] };
    }

    reset(resetOptions: Rlft.ResetOptions = {}): Rlft.ResetResult<Uint8Array> {
      this.seedOnReset(resetOptions.seed);
      this.layout = generateLayout(this.options.size, this.options.wall_density, this.rng);
      this.agent = this.layout.start;
      const { size, walls, goal } = this.layout;
      const shortestPath = shortestDistances(size, walls, this.agent, this.distances, this.queue)[goal];
      return { obs: this.observation(), info: { shortest_path: shortestPath } };
    }

    step(action: number): Rlft.StepResult<Uint8Array> {
      if (!this.layout) throw new rlft.ResetNeededError(this.id, 'step() was called before reset()');
      const { size, walls, goal } = this.layout;
      // Slipping draws from the env's generator only when enabled, so slip_probability=0 keeps
      // the generator's stream (and the layouts of later resets) independent of the actions.
      const slip = this.options.slip_probability > 0 && this.rng.random() < this.options.slip_probability;
      const move = slip ? this.rng.integer(0, 3) : action;
      this.agent = moveFrom(size, walls, this.agent, move);
      const terminated = this.agent === goal;
      const reward = terminated ? 1 : -this.options.step_penalty;
      return { obs: this.observation(), reward, terminated, truncated: false, info: { slipped: slip } };
    }

    override render(): string {
      if (!this.layout) throw new rlft.ResetNeededError(this.id, 'render() was called before reset()');
      const glyphs = ['.', '#', 'G', 'A'];
      const grid = this.observation();
      const rows: string[] = [];
      for (let r = 0; r < this.layout.size; r++) {
        let row = '';
        for (let c = 0; c < this.layout.size; c++) row += glyphs[grid[r * this.layout.size + c]];
        rows.push(row);
      }
      return rows.join('\n');
    }

    /** A fresh array every time: callers may keep observations (replay buffers, datasets). */
    private observation(): Uint8Array {
      const { walls, goal, size } = this.layout!;
      const grid = new Uint8Array(size * size);
      for (let i = 0; i < grid.length; i++) grid[i] = walls[i] ? WALL : EMPTY;
      grid[goal] = GOAL;
      grid[this.agent] = AGENT;
      return grid;
    }
  }

  return {
    id: GRID_WORLD_ID,
    aliases: ['gridworld'],
    description:
      'Reach the goal G on a square grid with random walls. A new map is drawn at every reset from the seed. ' +
      'Observation: the grid as cell codes (0 empty, 1 wall, 2 goal, 3 agent). Actions: 0 left, 1 down, 2 right, 3 up. ' +
      'Reward +1 at the goal, -step_penalty per other move.',
    kwargsSchema: gridWorldOptions(rlft),
    maxEpisodeSteps: 100,
    entryPoint: (kwargs) => new GridWorld(kwargs as unknown as GridWorldOptions),
  };
}
