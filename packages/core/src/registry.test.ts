import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Env, type StepResult } from './env.js';
import { InvalidActionError, InvalidKwargsError, RegistrationError, ResetNeededError, UnknownEnvError, UnsupportedError } from './errors.js';
import { EnvRegistry } from './registry.js';
import { Discrete } from './spaces/discrete.js';
import { parseEnvId } from './spec.js';
import { ActionChecker } from './wrappers/action-checker.js';
import { OrderEnforcing } from './wrappers/order-enforcing.js';
import { TimeLimit } from './wrappers/time-limit.js';
import type { Wrapper } from './wrapper.js';

/** Never ends by itself; remembers the kwargs it was built with and whether it was closed. */
class PoleEnv extends Env<number, number> {
  readonly observationSpace = new Discrete(10);
  readonly actionSpace = new Discrete(2);
  closed = false;
  constructor(readonly kwargs: Record<string, unknown> = {}) {
    super();
    this.metadata = { renderModes: ['ansi'] };
  }
  reset() {
    return { obs: 0, info: {} };
  }
  step(): StepResult<number> {
    return { obs: 0, reward: 1, terminated: false, truncated: false, info: {} };
  }
  override close() {
    this.closed = true;
  }
}

const poleSchema = z
  .object({
    gravity: z.number().positive().default(9.8),
    length: z.number().default(0.5),
  })
  .strict();

function registryWithPole(): EnvRegistry {
  const registry = new EnvRegistry();
  registry.register({ id: 'CartPole-v1', entryPoint: (kwargs) => new PoleEnv(kwargs), kwargsSchema: poleSchema, maxEpisodeSteps: 3, aliases: ['pole'] });
  return registry;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('EnvRegistry', () => {
  it('make() wraps the env as OrderEnforcing → TimeLimit → ActionChecker → env', async () => {
    const env = await registryWithPole().make('CartPole-v1');
    expect(env).toBeInstanceOf(OrderEnforcing);
    const timeLimit = (env as Wrapper).env;
    expect(timeLimit).toBeInstanceOf(TimeLimit);
    expect((timeLimit as TimeLimit<unknown, unknown>).maxEpisodeSteps).toBe(3);
    const checker = (timeLimit as Wrapper).env;
    expect(checker).toBeInstanceOf(ActionChecker);
    expect((checker as Wrapper).env).toBeInstanceOf(PoleEnv);
    expect(env.unwrapped).toBe((checker as Wrapper).env);
  });

  it('make() applies the time limit, the action checks and the order checks', async () => {
    const env = await registryWithPole().make<number, number>('CartPole-v1');
    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset();
    expect(() => env.step(5)).toThrow(InvalidActionError);
    expect(() => env.step(5)).toThrow(/Invalid action 5 for CartPole-v1: 5 is not one of 0, 1/);
    env.step(0);
    env.step(0);
    expect(env.step(0).truncated).toBe(true);
    expect(() => env.step(0)).toThrow('CartPole-v1: step() was called after the episode ended (terminated or truncated). Call reset() first.');
  });

  it('make() options override the time limit and can drop the action checker', async () => {
    const registry = registryWithPole();
    const longer = await registry.make<number, number>('CartPole-v1', {}, { maxEpisodeSteps: 5 });
    expect(((longer as Wrapper).env as TimeLimit<number, number>).maxEpisodeSteps).toBe(5);
    const unlimited = await registry.make('CartPole-v1', {}, { maxEpisodeSteps: null, disableEnvChecker: true });
    expect((unlimited as Wrapper).env).toBeInstanceOf(PoleEnv);
  });

  it('fills schema defaults, passes kwargs to the entry point and records them in the spec', async () => {
    const env = await registryWithPole().make('CartPole-v1', { length: 1 });
    const inner = env.unwrapped as PoleEnv;
    expect(inner.kwargs).toEqual({ gravity: 9.8, length: 1 });
    expect(env.spec?.kwargs).toEqual({ gravity: 9.8, length: 1 });
    expect(env.spec?.id).toBe('CartPole-v1');
    expect(env.id).toBe('CartPole-v1');
  });

  it('suggests the registered version for an unknown version', async () => {
    const registry = registryWithPole();
    const error = errorOf(() => registry.spec('CartPole-v0'));
    expect(error).toBeInstanceOf(UnknownEnvError);
    expect((error as UnknownEnvError).suggestions).toContain('CartPole-v1');
    expect(error.message).toBe(
      "No environment 'CartPole-v0' is registered. Registered versions: CartPole-v1. Did you mean: CartPole-v1? Run `rlft envs list` to see all.",
    );
    await expect(registry.make('cartpol')).rejects.toThrow(/Did you mean: CartPole-v1/);
    expect((errorOf(() => registry.spec('Humanoid-v4')) as UnknownEnvError).suggestions).toEqual([]);
  });

  it('resolves aliases to the registered id', async () => {
    const registry = registryWithPole();
    expect(registry.has('pole')).toBe(true);
    expect(registry.spec('pole').id).toBe('CartPole-v1');
    const env = await registry.make('pole');
    expect(env.spec?.id).toBe('CartPole-v1');
    expect(() => registry.register({ id: 'Other-v0', entryPoint: () => new PoleEnv(), aliases: ['pole'] })).toThrow(
      "Alias 'pole' for 'Other-v0' is already taken by 'CartPole-v1'",
    );
    registry.unregister('CartPole-v1');
    expect(registry.has('pole')).toBe(false);
  });

  it('rejects unknown kwargs, naming the allowed ones and the closest', async () => {
    const registry = registryWithPole();
    const error = errorOf(() => registry.resolveKwargs('CartPole-v1', { gravty: 1 }));
    expect(error).toBeInstanceOf(InvalidKwargsError);
    expect(error.message).toBe("Invalid options for CartPole-v1: unknown option 'gravty' (did you mean 'gravity'?). Allowed: gravity, length.");
    await expect(registry.make('CartPole-v1', { gravity: -1 })).rejects.toThrow(/Invalid options for CartPole-v1: 'gravity': .*Allowed: gravity, length/);
    expect(registry.kwargNames('CartPole-v1')).toEqual(['gravity', 'length']);
  });

  it('rejects unknown kwargs even when the schema does not say strict', () => {
    const registry = new EnvRegistry();
    registry.register({ id: 'Loose-v0', entryPoint: () => new PoleEnv(), kwargsSchema: z.object({ size: z.number().default(3) }) });
    expect(() => registry.resolveKwargs('Loose-v0', { sise: 4 })).toThrow("unknown option 'sise' (did you mean 'size'?)");
    expect(registry.resolveKwargs('Loose-v0', {})).toEqual({ size: 3 });
  });

  it('rejects any kwargs for an env without a schema', () => {
    const registry = new EnvRegistry();
    registry.register({ id: 'Plain-v0', entryPoint: () => new PoleEnv() });
    expect(() => registry.resolveKwargs('Plain-v0', { speed: 1 })).toThrow("Invalid options for Plain-v0: unknown option 'speed'. It takes no options.");
  });

  it('rejects duplicate and malformed registrations', () => {
    const registry = registryWithPole();
    expect(() => registry.register({ id: 'CartPole-v1', entryPoint: () => new PoleEnv() }, 'my-plugin')).toThrow(RegistrationError);
    expect(() => registry.register({ id: 'CartPole-v1', entryPoint: () => new PoleEnv() })).toThrow(
      "Environment 'CartPole-v1' is already registered by plugin 'core'",
    );
    expect(() => registry.register({ id: 'Fast-v0', entryPoint: () => new PoleEnv(), maxEpisodeSteps: 0 })).toThrow(/maxEpisodeSteps must be a positive integer, got 0/);
    expect(() => registry.register({ id: 'Nothing-v0' } as never)).toThrow("Environment 'Nothing-v0' has no entryPoint function");
    expect(() => registry.register({ id: 'bad id!', entryPoint: () => new PoleEnv() })).toThrow(/Malformed environment id 'bad id!'/);
  });

  it('parses namespaced ids and lists registrations sorted', async () => {
    expect(parseEnvId('acme/Grid-v2')).toEqual({ namespace: 'acme', name: 'Grid', version: 2 });
    expect(parseEnvId('Grid')).toEqual({ namespace: undefined, name: 'Grid', version: undefined });
    const registry = registryWithPole();
    registry.register({ id: 'acme/Grid-v2', entryPoint: async () => new PoleEnv() }, 'acme-plugin');
    expect(registry.list().map((s) => s.id)).toEqual(['acme/Grid-v2', 'CartPole-v1']);
    const spec = registry.spec('acme/Grid-v2');
    expect(spec).toMatchObject({ namespace: 'acme', name: 'Grid', version: 2, plugin: 'acme-plugin' });
    expect((await registry.make('acme/Grid-v2')).unwrapped).toBeInstanceOf(PoleEnv);
  });

  it('validates the render mode against the env metadata and closes the env on error', async () => {
    const registry = registryWithPole();
    const env = await registry.make('CartPole-v1', {}, { renderMode: 'ansi' });
    expect(env.renderMode).toBe('ansi');
    expect(env.unwrapped.renderMode).toBe('ansi');
    let built: PoleEnv | undefined;
    registry.register({ id: 'Tracked-v0', entryPoint: () => (built = new PoleEnv()) });
    const error = await registry.make('Tracked-v0', {}, { renderMode: 'rgb_array' }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toBe("Tracked-v0 has no render mode 'rgb_array'; allowed: ansi");
    expect(built?.closed).toBe(true);
  });
});
