import type * as Rlft from '@rlft/core';
import { AGENT, GOAL, MOVES, shortestDistances, WALL } from './layout.js';
import type { RlftApi } from './grid-world.js';

/**
 * The optimal policy for the grid world, read off the observation: a breadth-first search
 * from the goal, then the move that lowers the distance. An upper baseline next to `random`.
 */
export function shortestPathPolicy(rlft: RlftApi): Rlft.PolicyContribution {
  return {
    id: 'shortest-path',
    description: 'Grid world only: moves along a shortest path to the goal (the optimal baseline)',
    optionsSchema: rlft.z.object({}).strict(),
    create: (_options, env) => {
      const space = env.observationSpace;
      const shape = space instanceof rlft.Box ? space.shape : [];
      if (!(space instanceof rlft.Box) || shape.length !== 2 || shape[0] !== shape[1] || space.dtype !== 'uint8') {
        throw new rlft.UnsupportedError(
          `The shortest-path policy reads grid-world observations (a square uint8 Box); ${env.envId} observes ${space.toString()}`,
        );
      }
      return new ShortestPath(shape[0]);
    },
  };
}

class ShortestPath implements Rlft.Policy<Uint8Array, number> {
  readonly id = 'shortest-path';
  private readonly size: number;
  // Reused by every act(): one search per step, no allocation.
  private readonly walls: Uint8Array;
  private readonly distances: Int32Array;
  private readonly queue: Int32Array;

  constructor(size: number) {
    this.size = size;
    this.walls = new Uint8Array(size * size);
    this.distances = new Int32Array(size * size);
    this.queue = new Int32Array(size * size);
  }

  act(grid: Uint8Array): number {
    let agent = -1;
    let goal = -1;
    for (let i = 0; i < grid.length; i++) {
      this.walls[i] = grid[i] === WALL ? 1 : 0;
      if (grid[i] === AGENT) agent = i;
      else if (grid[i] === GOAL) goal = i;
    }
    if (agent < 0 || goal < 0) return 0;
    // Moves are symmetric (a wall blocks both ways), so distances from the goal are distances to it.
    const distance = shortestDistances(this.size, this.walls, goal, this.distances, this.queue);
    const row = Math.floor(agent / this.size);
    const column = agent % this.size;
    for (let action = 0; action < MOVES.length; action++) {
      const r = row + MOVES[action][0];
      const c = column + MOVES[action][1];
      if (r < 0 || r >= this.size || c < 0 || c >= this.size) continue;
      const next = r * this.size + c;
      if (distance[next] >= 0 && distance[next] < distance[agent]) return action;
    }
    return 0;
  }
}
