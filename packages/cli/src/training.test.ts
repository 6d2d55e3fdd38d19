import { PluginHost } from '@rlft/core';
import { describe, expect, it } from 'vitest';
import { availableAlgorithms, NoAlgorithmsError } from './training.js';

describe('availableAlgorithms', () => {
  it('says plainly that none are registered when no plugin provides one', async () => {
    const host = await PluginHost.create();
    expect(() => availableAlgorithms(host)).toThrow(NoAlgorithmsError);
    expect(() => availableAlgorithms(host)).toThrow(/No training algorithms are registered yet\. Algorithms come from plugins/);
  });
});
