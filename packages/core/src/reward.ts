/**
 * Scores a batch of completions or transitions. Rewards compose by weights; each component
 * is reported under its own name.
 */
export interface RewardFunction<Input = unknown> {
  readonly name: string;
  score(batch: readonly Input[]): number[] | Promise<number[]>;
}

export interface WeightedReward<Input = unknown> {
  reward: RewardFunction<Input>;
  weight: number;
}

export interface ComposedScores {
  /** Weighted sum per item: the training signal. */
  total: number[];
  /** Unweighted score of each component per item, by component name. */
  components: Record<string, number[]>;
}

/** A weighted sum of rewards that also reports every component. */
export class ComposedReward<Input = unknown> implements RewardFunction<Input> {
  readonly name: string;
  readonly parts: readonly WeightedReward<Input>[];

  constructor(parts: readonly WeightedReward<Input>[], name = 'total') {
    if (parts.length === 0) throw new RangeError('A composed reward needs at least one component');
    const names = parts.map((p) => p.reward.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new RangeError(`Reward component '${duplicate}' appears twice; names must be unique`);
    for (const part of parts) {
      if (!Number.isFinite(part.weight)) throw new RangeError(`Reward '${part.reward.name}' has a non-finite weight ${part.weight}`);
    }
    this.parts = parts;
    this.name = name;
  }

  async scoreWithComponents(batch: readonly Input[]): Promise<ComposedScores> {
    const total = new Array<number>(batch.length).fill(0);
    const components: Record<string, number[]> = {};
    for (const { reward, weight } of this.parts) {
      const scores = await reward.score(batch);
      if (scores.length !== batch.length) {
        throw new RangeError(`Reward '${reward.name}' returned ${scores.length} scores for ${batch.length} inputs`);
      }
      components[reward.name] = scores;
      for (let i = 0; i < batch.length; i++) total[i] += weight * scores[i];
    }
    return { total, components };
  }

  async score(batch: readonly Input[]): Promise<number[]> {
    return (await this.scoreWithComponents(batch)).total;
  }
}
