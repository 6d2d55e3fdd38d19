import { createRequire } from 'node:module';
import { definePlugin, z } from '@rlft/core';
import { MlpPolicy } from './mlp-policy.js';
import { OnnxPolicy } from './onnx-policy.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The MLP checkpoint policy and the ONNX-served policy, contributed like every other policy. */
export default definePlugin({
  name: '@rlft/policy-mlp',
  version,
  description: 'MLP policies from rlft checkpoints, and ONNX models served by onnxruntime',
  policies: [
    {
      id: 'mlp',
      description: 'An MLP policy saved by rlft training (PPO, REINFORCE, GRPO): --checkpoint RUN_OR_CHECKPOINT_DIR',
      optionsSchema: z
        .object({
          checkpoint: z.string().describe('checkpoint directory written by rlft run'),
          deterministic: z.boolean().default(true).describe('greedy actions (argmax / Gaussian mean) instead of samples'),
        })
        .strict(),
      create: (options, env) =>
        MlpPolicy.fromCheckpoint(options.checkpoint as string, { deterministic: options.deterministic as boolean, seed: env.seed, env }),
    },
    {
      id: 'onnx',
      description: "An ONNX model with an 'obs' input and an 'action' output (e.g. from rlft export --format onnx): --model FILE",
      optionsSchema: z.object({ model: z.string().describe('path of the .onnx file') }).strict(),
      create: (options, env) =>
        OnnxPolicy.load(options.model as string, { observationSpace: env.observationSpace, actionSpace: env.actionSpace, envId: env.envId }),
    },
  ],
});
