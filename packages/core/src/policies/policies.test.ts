import { describe, expect, it } from 'vitest';
import { InvalidKwargsError, UnsupportedError } from '../errors.js';
import { PluginHost } from '../plugin/host.js';
import { Box } from '../spaces/box.js';
import { Discrete } from '../spaces/discrete.js';
import { MultiBinary } from '../spaces/multi-binary.js';
import { MultiDiscrete } from '../spaces/multi-discrete.js';
import { Text } from '../spaces/text.js';
import { ConstantPolicy } from './constant.js';
import { RandomPolicy } from './random.js';

describe('RandomPolicy', () => {
  it('repeats its actions for the same seed and differs for another', () => {
    const space = new Discrete(1000);
    const run = (seed: number) => {
      const policy = new RandomPolicy(space, seed);
      return Array.from({ length: 20 }, () => policy.act(0));
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('restarts its stream when reset with a seed, and keeps it without one', () => {
    const policy = new RandomPolicy(new Discrete(1000), 0);
    policy.reset({ seed: 5 });
    const first = [policy.act(0), policy.act(0)];
    policy.reset({ seed: 5 });
    expect([policy.act(0), policy.act(0)]).toEqual(first);
    policy.reset({});
    expect([policy.act(0), policy.act(0)]).not.toEqual(first);
  });

  it('samples Box actions inside the space and honours an action mask', () => {
    const box = new Box({ low: [-2, 0], high: [2, 1] });
    const policy = new RandomPolicy(box, 3);
    for (let i = 0; i < 50; i++) expect(box.contains(policy.act(null))).toBe(true);
    const masked = new RandomPolicy(new Discrete(4), 3);
    const actions = new Set(Array.from({ length: 100 }, () => masked.act(null, { info: { action_mask: [0, 0, 1, 0] } })));
    expect([...actions]).toEqual([2]);
    expect(masked.actBatch([null, null, null])).toHaveLength(3);
  });
});

describe('ConstantPolicy', () => {
  it('defaults to the first discrete action and to zeros clipped into the box', () => {
    expect(new ConstantPolicy(new Discrete(3, { start: 1 })).act()).toBe(1);
    expect(Array.from(new ConstantPolicy(new Box({ low: [1, -1], high: [2, 1] })).act())).toEqual([1, 0]);
    expect(Array.from(new ConstantPolicy(new MultiDiscrete([2, 3], { start: [4, 5] })).act())).toEqual([4, 5]);
    expect(Array.from(new ConstantPolicy(new MultiBinary(3)).act())).toEqual([0, 0, 0]);
  });

  it('takes a given value, checked against the space', () => {
    expect(new ConstantPolicy(new Discrete(3), 2).act()).toBe(2);
    expect(Array.from(new ConstantPolicy(new Box({ low: -1, high: 1, shape: [2] }), 0.5).act())).toEqual([0.5, 0.5]);
    expect(Array.from(new ConstantPolicy(new Box({ low: -1, high: 1, shape: [2] }), [0.25, -1]).act())).toEqual([0.25, -1]);
    expect(() => new ConstantPolicy(new Discrete(3), 3)).toThrow(InvalidKwargsError);
    expect(() => new ConstantPolicy(new Discrete(3), 3)).toThrow('Invalid options for the constant policy: value 3 is not in Discrete(3). Allowed: value.');
    expect(() => new ConstantPolicy(new Box({ low: -1, high: 1, shape: [2] }), [2, 0])).toThrow(/value \[2,0\] is outside Box/);
    expect(() => new ConstantPolicy(new Box({ low: -1, high: 1, shape: [2] }), [0])).toThrow(/value has 1 entries; Box\(-1.0, 1.0, \(2,\), float32\) needs 2/);
    expect(() => new ConstantPolicy(new Text(3))).toThrow(UnsupportedError);
  });

  it('hands out a fresh copy each time, so callers may change it', () => {
    const policy = new ConstantPolicy(new Box({ low: -1, high: 1, shape: [1] }), 0.5);
    const first = policy.act();
    first[0] = -1;
    expect(Array.from(policy.act())).toEqual([0.5]);
    const batch = policy.actBatch([0, 0]);
    expect(batch[0]).not.toBe(batch[1]);
  });
});

describe('baselines plugin', () => {
  it('creates both baselines from the host with options checked by their schemas', async () => {
    const host = await PluginHost.create();
    const context = { envId: 'Test-v0', observationSpace: new Discrete(2), actionSpace: new Discrete(4), seed: 1 };
    const constant = await host.policy('constant').create({ value: 3 }, context);
    expect(constant.act(0)).toBe(3);
    const random = await host.policy('random').create({}, context);
    expect(new Discrete(4).contains(random.act(0))).toBe(true);
    expect(host.policy('constant').optionsSchema?.safeParse({ valu: 1 }).success).toBe(false);
  });
});

describe('the expert policy', () => {
  it("builds the env's own expert from its registration, and names envs without one", async () => {
    const host = await PluginHost.create();
    const actionSpace = new Discrete(3);
    const registration = {
      id: 'Expertise-v0',
      entryPoint: () => {
        throw new Error('not needed here');
      },
      expert: (_context: unknown, options: Record<string, unknown>) => ({ id: 'expert', act: () => Number(options.action ?? 2) }),
    };
    const spec = host.registry.register(registration);
    const expert = await host.policy('expert').create({ action: 1 }, { envId: spec.id, spec, observationSpace: actionSpace, actionSpace });
    expect(await expert.act(0)).toBe(1);
    const plain = host.registry.register({ id: 'Plain-v0', entryPoint: registration.entryPoint });
    await expect(async () => host.policy('expert').create({}, { envId: plain.id, spec: plain, observationSpace: actionSpace, actionSpace })).rejects.toThrow(
      /Plain-v0 has no expert policy/,
    );
  });
});

describe('contributed experts', () => {
  it('are found through aliases whatever the load order, and clash when two plugins give one for the same env', async () => {
    const host = await PluginHost.create();
    const space = new Discrete(2);
    const expertPlugin = { name: 'expert-pack', version: '1.0.0', experts: [{ envId: 'toy', description: 'always 1', create: () => ({ id: 'expert', act: () => 1 }) }] };
    expect(await host.add(expertPlugin)).toBe(true);
    await host.add({ name: 'toy-env', version: '1.0.0', envs: [{ id: 'Toy-v0', aliases: ['toy'], entryPoint: () => { throw new Error('unused'); } }] });
    const factory = host.expertFor('Toy-v0');
    expect(factory).toBeDefined();
    const spec = host.registry.spec('Toy-v0');
    const expert = await host.policy('expert').create({}, { envId: spec.id, spec, expert: factory!, observationSpace: space, actionSpace: space });
    expect(await expert.act(0)).toBe(1);
    expect(await host.add({ ...expertPlugin, name: 'another-pack' })).toBe(false);
    expect(host.failures.at(-1)?.error.message).toMatch(/expert for 'toy' clashes with the one from plugin 'expert-pack'/);
    expect(host.expertFor('Unknown-v0')).toBeUndefined();
  });
});
