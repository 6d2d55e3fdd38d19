import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Box, Discrete, MultiBinary, MultiDiscrete, Rng, RlftError, writeFileAtomic, type NumericArray, type Space } from '@rlft/core';
import {
  ACTION_CLOSE,
  ACTION_OPEN,
  discretiseValue,
  elementSize,
  encodeValues,
  OBSERVATION_CLOSE,
  OBSERVATION_OPEN,
  RangeAccumulator,
  type Dataset,
  type DiscretisationRanges,
} from '@rlft/data';

export const SFT_FORMATS = ['reference', 'discretised', 'chat'] as const;
export type SftFormat = (typeof SFT_FORMATS)[number];

/** The system message of `--format chat`. */
export const CHAT_SYSTEM_PROMPT =
  'You control an agent in a simulated environment. Each message gives the current observation as comma-separated numbers inside <observation></observation>. Answer with only the next action inside <action></action>, in the same number format.';

export class SftExportError extends RlftError {
  constructor(message: string) {
    super('SFT_EXPORT_INVALID', message);
  }
}

/** `train.jsonl` → `train.eval.jsonl`; a name without `.jsonl` gets `.eval.jsonl` appended. */
export function evalPathFor(out: string): string {
  return out.endsWith('.jsonl') ? `${out.slice(0, -'.jsonl'.length)}.eval.jsonl` : `${out}.eval.jsonl`;
}

export function rangesPathFor(out: string): string {
  return `${out}.ranges.json`;
}

export interface EpisodeSplit {
  train: number[];
  eval: number[];
}

/**
 * A seeded split of episode ids: round(fraction · episodes) episodes go to eval (at least one
 * when the fraction is positive and there are two or more episodes, never all of them); both
 * lists are sorted so the files keep the dataset's episode order.
 */
export function splitEpisodes(episodes: number, evalFraction: number, seed: number): EpisodeSplit {
  if (!(evalFraction >= 0 && evalFraction < 1)) throw new SftExportError(`--eval-fraction must be in [0, 1), got ${evalFraction}`);
  const ids = Array.from({ length: episodes }, (_, i) => i);
  const rng = Rng.fromSeed(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.integer(0, i);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  let evalCount = Math.round(evalFraction * episodes);
  if (evalFraction > 0 && episodes >= 2) evalCount = Math.max(1, evalCount);
  evalCount = Math.min(evalCount, Math.max(0, episodes - 1));
  const byId = (a: number, b: number): number => a - b;
  return { eval: ids.slice(0, evalCount).sort(byId), train: ids.slice(evalCount).sort(byId) };
}

type ValueKind = 'real' | 'integer';

function valueKind(space: Space, what: string): ValueKind {
  if (space instanceof Box) return space.dtype.startsWith('float') ? 'real' : 'integer';
  if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary) return 'integer';
  throw new SftExportError(
    `The ${what} space ${space.toString()} is not numeric: the text formats write Box, Discrete, MultiDiscrete and MultiBinary values only`,
  );
}

/** Writes one row of a flat column in a format: integers as they are, reals with 5 decimals or as bins. */
class RowEncoder {
  readonly kind: ValueKind;
  readonly width: number;
  private readonly row: Float64Array;
  ranges: DiscretisationRanges | undefined;

  constructor(space: Space, what: string, readonly discretised: boolean) {
    this.kind = valueKind(space, what);
    this.width = elementSize(space);
    this.row = new Float64Array(this.width);
  }

  encode(column: NumericArray, step: number): string {
    const offset = step * this.width;
    if (this.kind === 'integer') return Array.prototype.join.call(column.subarray(offset, offset + this.width), ',');
    for (let i = 0; i < this.width; i++) this.row[i] = column[offset + i]!;
    if (!this.discretised) return encodeValues(this.row);
    const ranges = this.ranges!;
    const bins = new Array<number>(this.width);
    for (let i = 0; i < this.width; i++) bins[i] = discretiseValue(this.row[i]!, ranges.min[i]!, ranges.max[i]!);
    return bins.join(',');
  }
}

export interface SftExportRequest {
  out: string;
  format: SftFormat;
  evalFraction: number;
  seed: number;
}

export interface SftExportResult {
  train: { path: string; episodes: number; records: number };
  eval: { path: string; episodes: number; records: number };
  rangesPath?: string;
}

/** Streams lines into a hidden temporary file next to the target; `commit` renames it into place. */
class AtomicLineFile {
  private readonly temporary: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    this.fd = openSync(this.temporary, 'w');
  }

  writeLine(line: string): void {
    this.buffer.push(line);
    this.buffered += line.length;
    if (this.buffered > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.buffered = 0;
  }

  commit(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.temporary, this.path);
  }

  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed by commit
    }
    rmSync(this.temporary, { force: true });
  }
}

function record(format: SftFormat, prompt: string, completion: string): string {
  if (format === 'chat') {
    return JSON.stringify({
      messages: [
        { role: 'system', content: CHAT_SYSTEM_PROMPT },
        { role: 'user', content: prompt },
        { role: 'assistant', content: completion },
      ],
    });
  }
  return JSON.stringify({ prompt, completion });
}

/**
 * One record per transition: the observation before the step as the prompt, the action taken
 * as the completion. Episodes are split into a train and an eval file by a seeded shuffle.
 */
export function exportSft(dataset: Dataset, request: SftExportRequest): SftExportResult {
  const discretised = request.format === 'discretised';
  const observation = new RowEncoder(dataset.observationSpace, 'observation', discretised);
  const action = new RowEncoder(dataset.actionSpace, 'action', discretised);
  const split = splitEpisodes(dataset.totalEpisodes, request.evalFraction, request.seed);
  const evalPath = evalPathFor(request.out);
  if (evalPath === request.out) throw new SftExportError(`--out ${request.out} would be both the train and the eval file`);

  let rangesPath: string | undefined;
  if (discretised) {
    // Ranges come from the whole dataset so train and eval share one binning.
    const observations = new RangeAccumulator(observation.width);
    const actions = new RangeAccumulator(action.width);
    for (const episode of dataset.iterateEpisodes()) {
      observations.addColumn(episode.observations as NumericArray);
      actions.addColumn(episode.actions as NumericArray);
    }
    observation.ranges = observations.ranges();
    action.ranges = actions.ranges();
    rangesPath = rangesPathFor(request.out);
  }

  // The split is over positions in the dataset; Minari ids need not be 0…N−1.
  const evalSet = new Set(split.eval.map((position) => dataset.episodeIds[position]!));
  const files = { train: new AtomicLineFile(request.out), eval: new AtomicLineFile(evalPath) };
  const records = { train: 0, eval: 0 };
  try {
    for (const episode of dataset.iterateEpisodes()) {
      const target = evalSet.has(episode.id) ? 'eval' : 'train';
      const observations = episode.observations as NumericArray;
      const actions = episode.actions as NumericArray;
      for (let step = 0; step < episode.totalSteps; step++) {
        const prompt = `${OBSERVATION_OPEN}${observation.encode(observations, step)}${OBSERVATION_CLOSE}`;
        const completion = `${ACTION_OPEN}${action.encode(actions, step)}${ACTION_CLOSE}`;
        files[target].writeLine(record(request.format, prompt, completion));
        records[target]++;
      }
    }
    if (rangesPath !== undefined) {
      const ranges = {
        bins: 1000,
        observation: observation.kind === 'real' ? observation.ranges : null,
        action: action.kind === 'real' ? action.ranges : null,
      };
      writeFileAtomic(rangesPath, `${JSON.stringify(ranges, null, 2)}\n`);
    }
    files.train.commit();
    files.eval.commit();
  } catch (error) {
    files.train.discard();
    files.eval.discard();
    throw error;
  }
  return {
    train: { path: request.out, episodes: split.train.length, records: records.train },
    eval: { path: evalPath, episodes: split.eval.length, records: records.eval },
    ...(rangesPath !== undefined ? { rangesPath } : {}),
  };
}
