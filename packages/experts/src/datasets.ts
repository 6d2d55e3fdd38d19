import { fileURLToPath } from 'node:url';

/**
 * Offline datasets shipped with the experts (Minari layout), collected from the shipped
 * checkpoints with `rlft dataset collect --policy expert --episodes 10 --seed 10000`:
 * the embedded default data of language-model fine-tuning (`rlft run --algo sft|grpo` without
 * --dataset). Keyed by the canonical env id.
 */
const SHIPPED_DATASETS: Record<string, { name: string; description: string }> = {
  'CartPole-v1': { name: 'cartpole-expert-v0', description: '10 episodes, 5,000 steps of the CartPole expert (return 500 each)' },
  'HalfCheetah-v5': { name: 'halfcheetah-medium-v0', description: "10 episodes, 10,000 steps of the 'medium' HalfCheetah expert (mean return 1,827)" },
};

/** The directory of the dataset shipped for `envId` (a canonical id), or undefined when none is. */
export function shippedDataset(envId: string): { path: string; description: string } | undefined {
  const entry = SHIPPED_DATASETS[envId];
  return entry && { path: fileURLToPath(new URL(`../datasets/${entry.name}`, import.meta.url)), description: entry.description };
}

export function shippedDatasetEnvs(): string[] {
  return Object.keys(SHIPPED_DATASETS);
}
