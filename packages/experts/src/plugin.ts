import { fileURLToPath } from 'node:url';
import { definePlugin, type ExpertContribution } from '@rlft/core';
import { MlpPolicy } from '@rlft/policy-mlp';

/** Where the shipped checkpoints live (next to dist/ in the package). */
export function expertCheckpoint(name: string): string {
  return fileURLToPath(new URL(`../checkpoints/${name}`, import.meta.url));
}

/** An expert that acts deterministically from a shipped checkpoint, checked against the env's spaces. */
function checkpointExpert(envId: string, checkpoint: string, description: string): ExpertContribution {
  return {
    envId,
    description,
    create: (env) =>
      MlpPolicy.fromCheckpoint(expertCheckpoint(checkpoint), {
        deterministic: true,
        env: { observationSpace: env.observationSpace, actionSpace: env.actionSpace, envId: env.envId },
      }),
  };
}

export default definePlugin({
  name: '@rlft/experts',
  version: '0.1.0',
  description: "Expert MLP policies trained by rlft's PPO",
  experts: [
    checkpointExpert('CartPole-v1', 'cartpole-ppo', 'PPO, config/ppo-cartpole.yaml, seed 0, 100k steps: 500 ± 0 on 20 unseen seeds'),
    checkpointExpert('HalfCheetah-v5', 'halfcheetah-ppo-medium', "PPO, config/ppo-cheetah.yaml, seed 0, 1M steps ('medium'): 1,827 ± 19 on 10 unseen seeds"),
  ],
});
