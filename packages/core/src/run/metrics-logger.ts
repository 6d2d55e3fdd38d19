import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export type MetricValue = number | string | boolean | null;
export type MetricsRecord = Record<string, MetricValue>;

/**
 * Appends one JSON object per logged step to `metrics.jsonl` (the source of truth for a run).
 * Keys are stable and named for what they measure (`charts/episodic_return`, `losses/approx_kl`).
 */
export class MetricsLogger {
  readonly path: string;
  private readonly startTime = Date.now();

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Log metrics at `step`; `time` (seconds since the logger started) is added. */
  log(step: number, metrics: MetricsRecord): void {
    const record = { step, time: (Date.now() - this.startTime) / 1000, ...sanitize(metrics) };
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /** All records written so far (skips a torn last line left by a crash). */
  static read(path: string): (MetricsRecord & { step: number })[] {
    if (!existsSync(path)) return [];
    const out: (MetricsRecord & { step: number })[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // an interrupted write leaves at most one partial line
      }
    }
    return out;
  }
}

/** JSON has no NaN or infinities; keep them readable as strings rather than turning them into null. */
function sanitize(metrics: MetricsRecord): MetricsRecord {
  const out: MetricsRecord = {};
  for (const [key, value] of Object.entries(metrics)) {
    out[key] = typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  }
  return out;
}
