import { describe, expect, it } from 'vitest';
import { formatDuration, groupDigits, TrainingMeter } from './training-progress.js';

describe('TrainingMeter', () => {
  it('shows steps, SPS, mean return and ETA, measured from the first report', () => {
    let now = 0;
    const meter = new TrainingMeter(() => now);
    // A resumed run: the first report is at step 40,000.
    expect(meter.update({ step: 40_000, totalSteps: 100_000 })).toBe('40,000/100,000 steps');
    now = 2_000;
    expect(meter.update({ step: 50_000, totalSteps: 100_000, meanReturn: 187.25, episodes: 612 })).toBe(
      '50,000/100,000 steps · 5,000 SPS · mean return 187.25 · 612 episodes · ETA 0:10',
    );
    now = 12_000;
    expect(meter.update({ step: 100_000, totalSteps: 100_000, message: 'saving' })).toBe('100,000/100,000 steps · 5,000 SPS · saving');
    expect(meter.lastStep).toBe(100_000);
  });
});

describe('formatting', () => {
  it('groups digits and writes durations', () => {
    expect(groupDigits(0)).toBe('0');
    expect(groupDigits(1234567)).toBe('1,234,567');
    expect(formatDuration(9.6)).toBe('0:10');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3 * 3600 + 61)).toBe('3:01:01');
  });
});
