import { describe, expect, it } from 'vitest';
import { Box, Discrete, MultiDiscrete, Text, Tuple } from '@rlft/core';
import { builtinTokenizer } from './builtin-tokenizer.js';
import { ChatTemplate } from './chat-template.js';
import { actionCodec, observationCodec } from './codecs.js';
import { assistantPrefixFor, buildMessages, envFamily, requestBuilder, systemPrompt } from './prompts.js';

const cartPoleObs = new Box({ low: [-4.8, -Infinity, -0.42, -Infinity], high: [4.8, Infinity, 0.42, Infinity] });

describe('envFamily', () => {
  it('reads the family from the registering plugin, else from the env name', () => {
    expect(envFamily('Anything-v0', { plugin: '@rlft/envs-mujoco' })).toBe('mujoco');
    expect(envFamily('CartPole-v1')).toBe('classic-control');
    expect(envFamily('Hopper-v5')).toBe('mujoco');
    expect(envFamily('GeneralPoints-v0')).toBe('card-game');
    expect(envFamily('my/Custom-v3', { plugin: 'my-plugin' })).toBe('generic');
  });
});

describe('systemPrompt', () => {
  it('names the CartPole observation values and the two choices', () => {
    const prompt = systemPrompt({ envId: 'CartPole-v1', observation: observationCodec(cartPoleObs), action: actionCodec(new Discrete(2)) })!;
    expect(prompt).toContain('classic control task CartPole-v1');
    expect(prompt).toContain('4 real values with 5 decimals');
    expect(prompt).toContain('cart position (in [-4.8, 4.8]); cart velocity (unbounded)');
    expect(prompt).toContain('Answer with <action>k</action>, where k is 0 = push the cart left, 1 = push the cart right.');
  });

  it('states bounds and bins for a discretised MuJoCo-sized layout', () => {
    const prompt = systemPrompt({
      envId: 'HalfCheetah-v5',
      spec: { plugin: '@rlft/envs-mujoco', description: 'Make a 2D cheetah run forward' },
      observation: observationCodec(new Box({ low: -Infinity, high: Infinity, shape: [17] }), { format: 'discretised', ranges: { min: Array(17).fill(-10), max: Array(17).fill(10) } }),
      action: actionCodec(new Box({ low: -1, high: 1, shape: [6] }), { format: 'discretised' }),
    })!;
    expect(prompt).toContain('MuJoCo robot of HalfCheetah-v5');
    expect(prompt).toContain('Make a 2D cheetah run forward.');
    expect(prompt).toContain('17 each an integer bin 0–999');
    expect(prompt).toContain('<action>a1,…,a6</action>: 6 each an integer bin 0–999 spanning its range (0 = its minimum, 999 = its maximum), comma-separated: each in [-1, 1], bins over [-1, 1]');
  });

  it('leaves text games such as GeneralPoints to their own text', () => {
    const text = new Text(2000, { charset: null });
    expect(systemPrompt({ envId: 'GeneralPoints-v0', observation: observationCodec(text), action: actionCodec(text) })).toBeNull();
    expect(assistantPrefixFor('text')).toBeUndefined();
    expect(assistantPrefixFor('discretised')).toBe('<action>');
  });

  it('states the JSON answer of GeneralPoints when its observation is numeric', () => {
    const prompt = systemPrompt({
      envId: 'GeneralPoints-v0',
      observation: observationCodec(new Box({ low: 1, high: 13, shape: [4] })),
      action: actionCodec(new Text(2000, { minLength: 0, charset: null })),
    })!;
    expect(prompt).toContain('4 real values with 5 decimals, comma-separated: the ranks of your four cards');
    expect(prompt).toContain('Reply with a JSON object {"cards"');
    expect(prompt).not.toContain('<action>');
  });

  it('describes integer observations such as Blackjack and TicTacToe', () => {
    const blackjack = systemPrompt({
      envId: 'Blackjack-v1',
      observation: observationCodec(new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)])),
      action: actionCodec(new Discrete(2)),
    })!;
    expect(blackjack).toContain("3 integers, comma-separated: your hand's sum (in [0, 31])");
    expect(blackjack).toContain('0 = stick, 1 = hit');
    const ticTacToe = systemPrompt({ envId: 'TicTacToe-v0', observation: observationCodec(new MultiDiscrete(Array(9).fill(3))), action: actionCodec(new Discrete(9)) })!;
    expect(ticTacToe).toContain('9 integers, comma-separated: cells 0–8 row by row');
    expect(ticTacToe).toContain('k is an integer from 0 to 8');
  });
});

describe('buildMessages', () => {
  it('orders system, few-shot examples, history and the observation', () => {
    const messages = buildMessages({
      system: 'S',
      fewShot: [{ observation: 'o1', action: 'a1' }],
      history: [{ observation: 'o2', action: 'a2' }],
      observation: 'o3',
    });
    expect(messages.map((m) => `${m.role}:${m.content}`)).toEqual(['system:S', 'user:o1', 'assistant:a1', 'user:o2', 'assistant:a2', 'user:o3']);
    expect(buildMessages({ system: null, observation: 'o' })).toEqual([{ role: 'user', content: 'o' }]);
  });
});

describe('prompts end to end with the built-in tokenizer', () => {
  const tokenizer = builtinTokenizer();
  const template = ChatTemplate.of(tokenizer);

  it('renders a CartPole step in few tokens: markers, tags and characters', () => {
    const observation = observationCodec(cartPoleObs);
    const action = actionCodec<number>(new Discrete(2));
    const build = requestBuilder({
      observation,
      action,
      system: systemPrompt({ envId: 'CartPole-v1', observation, action }),
      fewShot: [{ observation: observation.encode([0, 0, 0.1, 0]), action: action.encode(1) }],
    });
    const request = build(Float32Array.from([0.01, -0.02, 0.03, 0.04]));
    expect(request.assistantPrefix).toBe('<action>');
    const prompt = template.render(request.messages, { assistantPrefix: request.assistantPrefix! });
    const observationText = '<observation>0.01000,-0.02000,0.03000,0.04000</observation>';
    expect(prompt).toBe(
      `<|user|><observation>0.00000,0.00000,0.10000,0.00000</observation><|assistant|><action>1</action><|endoftext|><|user|>${observationText}<|assistant|><action>`,
    );
    const ids = tokenizer.encode(prompt);
    // The last turn: <|user|>, 2 tags + 32 characters, <|assistant|>, <action>.
    const lastTurn = tokenizer.encode(`<|user|>${observationText}<|assistant|><action>`);
    expect(lastTurn).toHaveLength(1 + 2 + 32 + 1 + 1);
    expect(ids.slice(-lastTurn.length)).toEqual(lastTurn);
    expect(tokenizer.decode(ids)).toBe(prompt);
  });

  it('renders a discretised Pendulum step and reads the completion back through the same codec', () => {
    const observation = observationCodec(new Box({ low: [-1, -1, -8], high: [1, 1, 8] }), { format: 'discretised' });
    const action = actionCodec<Float32Array>(new Box({ low: -2, high: 2, shape: [1] }), { format: 'discretised' });
    const request = requestBuilder({ observation, action })(Float32Array.from([1, 0, -8]));
    const prompt = template.render(request.messages, { assistantPrefix: request.assistantPrefix! });
    expect(prompt).toBe('<|user|><observation>999,500,0</observation><|assistant|><action>');
    const completion = tokenizer.decode(tokenizer.encode('999</action>'));
    expect(action.decode(completion, 'lenient')).toEqual({ ok: true, values: [2] });
  });
});
