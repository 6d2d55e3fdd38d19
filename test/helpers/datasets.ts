// Datasets recorded in tests: play a policy in an env and write its episodes with DatasetWriter.
import type { Env, Policy } from '@rlft/core';
import { DatasetWriter } from '@rlft/data';

/** Play `episodes` episodes of `policy` from seeds seed, seed+1, … and write them as a Minari dataset at `path`. */
export async function recordDataset(path: string, env: Env, policy: Policy, episodes: number, seed: number): Promise<void> {
  const writer = await DatasetWriter.create({ path, observationSpace: env.observationSpace, actionSpace: env.actionSpace });
  for (let e = 0; e < episodes; e++) {
    const observations: unknown[] = [];
    const actions: unknown[] = [];
    const rewards: number[] = [];
    const terminations: boolean[] = [];
    const truncations: boolean[] = [];
    await policy.reset?.({ seed: seed + e });
    let { obs } = env.reset({ seed: seed + e });
    observations.push(structuredClone(obs));
    for (;;) {
      const action = await policy.act(obs);
      const step = env.step(action);
      obs = step.obs;
      observations.push(structuredClone(obs));
      actions.push(structuredClone(action));
      rewards.push(step.reward);
      terminations.push(step.terminated);
      truncations.push(step.truncated);
      if (step.terminated || step.truncated) break;
    }
    writer.addEpisode({ observations, actions, rewards, terminations, truncations, seed: seed + e });
  }
  writer.finish({ dataset_id: 'test/recorded-v0', algorithm_name: policy.id });
}
