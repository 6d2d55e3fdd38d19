import { readdirSync, readFileSync } from 'node:fs';
import { checkEnv, evaluatePolicy, PluginHost, type Env } from '@rlft/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRID_WORLD_ID } from './grid-world.js';
import { AGENT, GOAL, WALL } from './layout.js';
import gridWorldPlugin from './plugin.js';

// Loaded exactly as rlft loads it: the default export is a function of the host's core API.
let host: PluginHost;
beforeAll(async () => {
  host = await PluginHost.create();
  expect(await host.add(gridWorldPlugin)).toBe(true);
  expect(host.failures).toEqual([]);
});

const make = (kwargs: Record<string, unknown> = {}) => host.registry.make<Uint8Array, number>(GRID_WORLD_ID, kwargs);
const cellOf = (obs: Uint8Array, code: number): number => obs.indexOf(code);

describe('the plugin', () => {
  it('registers gridworld/GridWorld-v0 (alias gridworld) and the shortest-path policy', () => {
    const spec = host.registry.spec('gridworld');
    expect(spec.id).toBe(GRID_WORLD_ID);
    expect(spec.plugin).toBe('rlft-env-gridworld');
    expect(spec.maxEpisodeSteps).toBe(100);
    expect(host.policy('shortest-path').plugin).toBe('rlft-env-gridworld');
  });

  it('imports only types from @rlft/core, so an installed copy needs no core of its own', () => {
    const dir = new URL('.', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from '@rlft\/core'/m);
      expect(source, file).not.toMatch(/import\(\s*'@rlft\/core'\s*\)/);
    }
  });
});

describe('gridworld/GridWorld-v0', () => {
  it('passes checkEnv with the default options and with slipping', async () => {
    await checkEnv(() => make());
    await checkEnv(() => make({ size: 5, slip_probability: 0.3 }), { seed: 4 });
  });

  it('observes the grid as cell codes: exactly one agent and one goal', async () => {
    const env = await make({ size: 6 });
    const { obs, info } = env.reset({ seed: 1 });
    expect(env.observationSpace.toString()).toBe('Box(0.0, 3.0, (6, 6), uint8)');
    expect(obs.filter((c) => c === AGENT)).toHaveLength(1);
    expect(obs.filter((c) => c === GOAL)).toHaveLength(1);
    expect(info.shortest_path).toBeGreaterThan(0);
    expect(env.render()).toMatch(/^([.#GA]{6}\n){5}[.#GA]{6}$/);
  });

  it('moves by the action, stays put at walls and edges, and pays the step penalty', async () => {
    const env = await make({ size: 5, wall_density: 0.3, step_penalty: 0.05 });
    const { obs } = env.reset({ seed: 2 });
    let grid = obs;
    const deltas = [
      [0, -1],
      [1, 0],
      [0, 1],
      [-1, 0],
    ];
    for (let t = 0; t < 40; t++) {
      const action = t % 4 === 0 ? 1 : (t * 7) % 4;
      const agent = cellOf(grid, AGENT);
      const [r, c] = [Math.floor(agent / 5) + deltas[action][0], (agent % 5) + deltas[action][1]];
      const target = r * 5 + c;
      const blocked = r < 0 || r >= 5 || c < 0 || c >= 5 || grid[target] === WALL;
      const reachesGoal = !blocked && grid[target] === GOAL;
      const step = env.step(action);
      expect(step.terminated).toBe(reachesGoal);
      expect(step.reward).toBe(reachesGoal ? 1 : -0.05);
      if (reachesGoal) break;
      expect(cellOf(step.obs, AGENT)).toBe(blocked ? agent : target);
      grid = step.obs;
    }
  });

  it('draws a new map at every reset, the same one for the same seed', async () => {
    const env = await make();
    const first = env.reset({ seed: 5 }).obs;
    const other = env.reset({ seed: 6 }).obs;
    const again = env.reset({ seed: 5 }).obs;
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('rejects unknown and out-of-range options, naming the allowed ones', async () => {
    await expect(make({ sise: 4 })).rejects.toThrow(/unknown option 'sise' \(did you mean 'size'\?\).*Allowed: size, wall_density, slip_probability, step_penalty/);
    await expect(make({ size: 2 })).rejects.toThrow(/'size'/);
  });

  it('truncates at 100 steps', async () => {
    const env = await make();
    // A map whose goal is not in the agent's column: moving up forever never reaches it.
    let seed = 0;
    for (; ; seed++) {
      const { obs } = env.reset({ seed });
      if (cellOf(obs, AGENT) % 8 !== cellOf(obs, GOAL) % 8) break;
    }
    env.reset({ seed });
    for (let t = 1; t <= 100; t++) {
      const step = env.step(3);
      expect(step.terminated).toBe(false);
      expect(step.truncated).toBe(t === 100);
    }
    expect(() => env.step(3)).toThrow(/reset/);
  });
});

describe('the shortest-path policy', () => {
  it('reaches the goal in exactly the shortest number of moves, every episode', async () => {
    const env: Env<Uint8Array, number> = await make({ size: 10, wall_density: 0.35 });
    const policy = await host.policy('shortest-path').create({}, { envId: GRID_WORLD_ID, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
    for (let seed = 0; seed < 30; seed++) {
      const reset = env.reset({ seed });
      let obs = reset.obs;
      let moves = 0;
      for (;;) {
        const step = env.step((await policy.act(obs)) as number);
        moves++;
        if (step.terminated || step.truncated) {
          expect(step.terminated).toBe(true);
          break;
        }
        obs = step.obs;
      }
      expect(moves).toBe(reset.info.shortest_path);
    }
  });

  it('beats the random policy by a wide margin', async () => {
    const env = await make();
    const spaces = { envId: GRID_WORLD_ID, observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed: 0 };
    const oracle = await evaluatePolicy(env, await host.policy('shortest-path').create({}, spaces), { episodes: 50, seed: 0 });
    const random = await evaluatePolicy(env, await host.policy('random').create({}, spaces), { episodes: 50, seed: 0 });
    expect(oracle.return.min).toBeGreaterThan(0.8);
    expect(random.return.mean).toBeLessThan(oracle.return.mean - 0.5);
  });

  it('refuses environments whose observations are not a square uint8 grid', async () => {
    const { Box, Discrete } = await import('@rlft/core');
    const create = () =>
      host.policy('shortest-path').create({}, { envId: 'Other-v0', observationSpace: new Box({ low: 0, high: 1, shape: [4] }), actionSpace: new Discrete(2) });
    expect(create).toThrow(/square uint8 Box.*Other-v0 observes Box/);
  });
});
