/** Wall-clock bookkeeping of a training run: steps per second, ETA, and where the time went. */
export class TrainingClock {
  private readonly started = performance.now();
  private readonly startStep: number;
  private phaseStart = 0;
  readonly phases: Record<string, number> = {};

  constructor(startStep = 0) {
    this.startStep = startStep;
  }

  /** Seconds since the clock started. */
  get elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Environment steps per second since the clock started (steps taken in this process only). */
  stepsPerSecond(globalStep: number): number {
    const seconds = this.elapsed;
    return seconds > 0 ? (globalStep - this.startStep) / seconds : 0;
  }

  /** Seconds left to reach `totalSteps` at the current rate. */
  eta(globalStep: number, totalSteps: number): number {
    const sps = this.stepsPerSecond(globalStep);
    return sps > 0 ? Math.max(0, (totalSteps - globalStep) / sps) : NaN;
  }

  /** Start timing a phase ('rollout', 'learn', …); `end` adds the seconds to `phases[name]`. */
  begin(): void {
    this.phaseStart = performance.now();
  }

  end(name: string): number {
    const seconds = (performance.now() - this.phaseStart) / 1000;
    this.phases[name] = (this.phases[name] ?? 0) + seconds;
    return seconds;
  }
}

/** Resident set size in MiB (for the memory-flatness checks). */
export function residentMemoryMiB(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/**
 * Give the event loop a turn. Training loops are synchronous inside an update; calling this
 * once per update lets signal handlers (Ctrl-C → the abort signal) and timers run.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The end-of-run entries every algorithm adds to its final metrics. */
export function finalRunMetrics(clock: TrainingClock, rssAtStartMiB: number, globalStep: number): Record<string, number> {
  return {
    'perf/rss_mib_start': rssAtStartMiB,
    'perf/rss_mib_end': residentMemoryMiB(),
    'perf/wall_seconds': clock.elapsed,
    global_step: globalStep,
  };
}
