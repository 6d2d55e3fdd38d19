// Timing helpers for the benchmarks: calibrated repetitions, medians, machine facts, a table.
// Plain erasable TypeScript, run directly by Node's type stripping.
import { availableParallelism, cpus, arch, platform, totalmem } from 'node:os';

/** One benchmark case: `run(iterations)` performs that many loop iterations and returns the env steps they made. */
export interface BenchCase {
  name: string;
  description: string;
  /** Environments stepped per iteration (1 for a single env). */
  numEnvs: number;
  run(iterations: number): number;
  /** Frees threads or other resources once measured. */
  dispose?(): void | Promise<void>;
}

export interface MeasureOptions {
  /** Timed repetitions; the median is reported. */
  repetitions: number;
  /** Target duration of one repetition, in seconds. */
  seconds: number;
}

export interface Measurement {
  name: string;
  description: string;
  numEnvs: number;
  /** Median over the repetitions. */
  stepsPerSecond: number;
  repetitions: number[];
  stepsPerRepetition: number;
}

/**
 * Calibrate the iteration count to about `seconds` per repetition (the calibration doubles as
 * warm-up, so that the JIT has optimised the loop), run one more untimed warm-up, then time
 * `repetitions` runs and keep the median.
 */
export function measure(bench: BenchCase, options: MeasureOptions): Measurement {
  let iterations = 64;
  let elapsed = timeRun(bench, iterations).seconds;
  while (elapsed < 0.05) {
    iterations *= 2;
    elapsed = timeRun(bench, iterations).seconds;
  }
  iterations = Math.max(1, Math.round((iterations * options.seconds) / elapsed));
  timeRun(bench, iterations);
  const rates: number[] = [];
  let steps = 0;
  for (let r = 0; r < options.repetitions; r++) {
    const timed = timeRun(bench, iterations);
    steps = timed.steps;
    rates.push(timed.steps / timed.seconds);
  }
  return {
    name: bench.name,
    description: bench.description,
    numEnvs: bench.numEnvs,
    stepsPerSecond: median(rates),
    repetitions: rates,
    stepsPerRepetition: steps,
  };
}

function timeRun(bench: BenchCase, iterations: number): { steps: number; seconds: number } {
  const start = process.hrtime.bigint();
  const steps = bench.run(iterations);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { steps, seconds };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  logicalCpus: number;
  node: string;
  platform: string;
  arch: string;
  totalMemoryGiB: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    logicalCpus: list.length,
    node: process.version,
    platform: platform(),
    arch: arch(),
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** 12 345 678 → "12.35 M", 987 654 → "987.7 k". */
export function formatRate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

/** A plain-text table; the first and last columns (names, text) are left-aligned, numbers in between right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
