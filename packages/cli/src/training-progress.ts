import type { TrainProgress } from '@rlft/core';
import { formatNumber } from './format/numbers.js';

/**
 * Turns the algorithm's progress reports into one status line: steps done of the total,
 * environment steps per second, the recent mean return and the time left. Rates count from
 * the first report, so a resumed run measures only its own steps.
 */
export class TrainingMeter {
  private readonly now: () => number;
  private start: { step: number; time: number } | undefined;
  private last: TrainProgress | undefined;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** Record a report; returns the line to show. */
  update(progress: TrainProgress): string {
    const time = this.now();
    this.start ??= { step: progress.step, time };
    this.last = progress;
    const seconds = (time - this.start.time) / 1000;
    const stepsDone = progress.step - this.start.step;
    const sps = seconds > 0 && stepsDone > 0 ? stepsDone / seconds : undefined;
    const parts = [`${groupDigits(progress.step)}/${groupDigits(progress.totalSteps)} steps`];
    if (sps !== undefined) parts.push(`${groupDigits(Math.round(sps))} SPS`);
    if (progress.meanReturn !== undefined) parts.push(`mean return ${formatNumber(progress.meanReturn)}`);
    if (progress.episodes !== undefined) parts.push(`${groupDigits(progress.episodes)} episodes`);
    if (sps !== undefined && progress.totalSteps > progress.step) parts.push(`ETA ${formatDuration((progress.totalSteps - progress.step) / sps)}`);
    if (progress.message) parts.push(progress.message);
    return parts.join(' · ');
  }

  /** The last step reported, if any. */
  get lastStep(): number | undefined {
    return this.last?.step;
  }
}

/** 1234567 → "1,234,567" (no locale lookup: the same on every machine). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seconds as m:ss, or h:mm:ss from an hour up. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
