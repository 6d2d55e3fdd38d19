import { describe, expect, it } from 'vitest';
import { StopWatcher } from './stop.js';

// A toy vocabulary: token i decodes to pieces[i].
const pieces = ['a', 'b', '</', 'act', 'ion>', 'x', '<eos>'];
const decode = (ids: readonly number[]) => ids.map((i) => pieces[i]).join('');
const EOS = 6;

function run(tokens: number[], stop: string[], maxNewTokens = 100) {
  const watcher = new StopWatcher({ stop, eosTokenIds: [EOS], maxNewTokens }, decode);
  let pushed = 0;
  for (const token of tokens) {
    pushed++;
    if (watcher.push(token)) break;
  }
  return { pushed, ids: watcher.ids, text: watcher.text(), finishReason: watcher.finishReason };
}

describe('StopWatcher', () => {
  it('stops on a stop string that spans tokens, keeping it and cutting what follows it', () => {
    // '</' + 'act' + 'ion>' completes '</action>'; the token 'ion>x' style overshoot is cut from the text.
    expect(run([0, 2, 3, 4, 1, 1], ['</action>'])).toEqual({ pushed: 4, ids: [0, 2, 3, 4], text: 'a</action>', finishReason: 'stop' });
    expect(run([0, 2, 3, 4, 1], ['</act'])).toEqual({ pushed: 3, ids: [0, 2, 3], text: 'a</act', finishReason: 'stop' });
  });

  it('takes the stop string that ends first when several match', () => {
    expect(run([5, 0, 1, 1], ['ab', 'xab', 'b'])).toMatchObject({ pushed: 3, text: 'xab' });
    expect(run([5, 0, 1, 5], ['bx', 'a'])).toMatchObject({ pushed: 2, text: 'xa' });
  });

  it('stops on eos: the id is kept, the text leaves it out', () => {
    expect(run([0, 1, EOS, 0], [])).toEqual({ pushed: 3, ids: [0, 1, EOS], text: 'ab', finishReason: 'stop' });
  });

  it('ends with length after maxNewTokens', () => {
    expect(run([0, 1, 0, 1, 0], ['zz'], 3)).toEqual({ pushed: 3, ids: [0, 1, 0], text: 'aba', finishReason: 'length' });
  });

  it('rejects empty stop strings and pushes after the end', () => {
    expect(() => new StopWatcher({ stop: [''], eosTokenIds: [], maxNewTokens: 1 }, decode)).toThrow(/must not be empty/);
    const watcher = new StopWatcher({ stop: [], eosTokenIds: [], maxNewTokens: 1 }, decode);
    watcher.push(0);
    expect(() => watcher.push(0)).toThrow(/after the completion finished/);
  });
});
