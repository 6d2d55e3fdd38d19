export interface RetryPolicy {
  /** Retries after the first attempt; 0 = try once. */
  maxRetries: number;
  /** Delay before the first retry; it doubles on each further one. */
  baseDelayMs: number;
  /** Upper bound on one delay. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with jitter (the same shape as the openai client's own: 0.5 s doubling to 8 s,
 * up to 25 % shaved off at random so that parallel callers spread out), with a configurable base.
 */
export function backoffDelayMs(retryIndex: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const delay = Math.min(policy.baseDelayMs * 2 ** retryIndex, policy.maxDelayMs);
  return delay * (1 - 0.25 * random());
}

/**
 * Runs `attempt` until it succeeds, `isRetryable` says no, or the retries are spent; then throws the
 * last error. `serverDelayMs` lets a Retry-After header override the computed delay.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  isRetryable: (error: unknown) => boolean,
  serverDelayMs: (error: unknown) => number | undefined = () => undefined,
): Promise<T> {
  for (let retryIndex = 0; ; retryIndex++) {
    try {
      return await attempt();
    } catch (error) {
      if (retryIndex >= policy.maxRetries || !isRetryable(error)) throw error;
      const delay = serverDelayMs(error) ?? backoffDelayMs(retryIndex, policy);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, policy.maxDelayMs)));
    }
  }
}
