import { readFile } from 'node:fs/promises';
import { Box, Discrete, RlftError, flatDim, flatten, type NumericArray, type Policy, type Space } from '@rlft/core';
import * as ort from 'onnxruntime-node';
import { ONNX_NAMES, ONNX_POLICY_METADATA_KEY } from './onnx/graph.js';
import { readOnnxMetadata } from './onnx/schema.js';
import { assertSpecMatchesSpaces, validateMlpSpec, type MlpPolicySpec } from './spec.js';

export interface OnnxPolicyContext {
  observationSpace: Space;
  actionSpace: Space;
  /** Named in errors. */
  envId?: string;
}

/**
 * A policy served by onnxruntime-node from an ONNX file with an `obs` input ([batch, obsDim]
 * float32, the flattened observation; a model with another input name gets its first input) and
 * an `action` output: int64 action values (the Discrete space's start included) or float32
 * [batch, dim] for a Box, clipped into the box here as well. rlft's own exports also carry their
 * spec, which is checked against the environment's spaces.
 */
export class OnnxPolicy implements Policy<unknown, number | NumericArray> {
  readonly id = 'onnx';
  readonly modelFile: string;
  /** The spec stored in the model by `exportOnnx`, when there is one. */
  readonly spec: MlpPolicySpec | undefined;
  private readonly session: ort.InferenceSession;
  private readonly observationSpace: Space;
  private readonly actionSpace: Discrete | Box;
  private readonly obsDim: number;
  private readonly inputName: string;

  private constructor(modelFile: string, session: ort.InferenceSession, context: OnnxPolicyContext, spec: MlpPolicySpec | undefined) {
    this.modelFile = modelFile;
    this.session = session;
    this.spec = spec;
    this.observationSpace = context.observationSpace;
    const { actionSpace } = context;
    if (!(actionSpace instanceof Discrete || actionSpace instanceof Box)) {
      throw new RlftError('ONNX_POLICY', `An ONNX policy acts in Discrete or Box action spaces; ${context.envId ?? 'the environment'} has ${actionSpace.toString()}`);
    }
    this.actionSpace = actionSpace;
    this.obsDim = flatDim(context.observationSpace);
    this.inputName = session.inputNames.includes(ONNX_NAMES.obs) ? ONNX_NAMES.obs : session.inputNames[0];
    if (!session.outputNames.includes(ONNX_NAMES.action)) {
      throw new RlftError('ONNX_POLICY', `The ONNX model ${modelFile} has no '${ONNX_NAMES.action}' output (outputs: ${session.outputNames.join(', ')}); export it with \`rlft export --format onnx\` or add one.`);
    }
  }

  /** Open a model for an environment with these spaces (a model exported by rlft must match them). */
  static async load(modelFile: string, context: OnnxPolicyContext): Promise<OnnxPolicy> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(modelFile);
    } catch (error) {
      throw new RlftError('ONNX_POLICY', `Cannot read the ONNX model ${modelFile}: ${(error as Error).message}`);
    }
    let stored: string | undefined;
    try {
      stored = readOnnxMetadata(bytes).get(ONNX_POLICY_METADATA_KEY);
    } catch (error) {
      throw new RlftError('ONNX_POLICY', `${modelFile} is not an ONNX model (${(error as Error).message})`);
    }
    const spec = stored === undefined ? undefined : validateMlpSpec(JSON.parse(stored));
    if (spec) assertSpecMatchesSpaces(spec, context.observationSpace, context.actionSpace, context.envId);
    // One thread: a small MLP at batch 1 runs faster than the cost of waking a thread pool.
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new OnnxPolicy(modelFile, session, context, spec);
  }

  async act(obs: unknown): Promise<number | NumericArray> {
    return (await this.actBatch([obs]))[0];
  }

  async actBatch(observations: readonly unknown[]): Promise<(number | NumericArray)[]> {
    const batch = observations.length;
    if (batch === 0) return [];
    const input = new Float32Array(batch * this.obsDim);
    for (let b = 0; b < batch; b++) flatten(this.observationSpace, observations[b], input, b * this.obsDim);
    const feeds = { [this.inputName]: new ort.Tensor('float32', input, [batch, this.obsDim]) };
    const result = await this.session.run(feeds, [ONNX_NAMES.action]);
    const output = result[ONNX_NAMES.action];
    try {
      return this.decode(output, batch);
    } finally {
      output.dispose();
    }
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private decode(output: ort.Tensor, batch: number): (number | NumericArray)[] {
    const space = this.actionSpace;
    const data = output.data;
    const actions: (number | NumericArray)[] = [];
    if (space instanceof Discrete) {
      if (data.length !== batch) throw this.badOutput(output, `${batch} action indices`);
      for (let b = 0; b < batch; b++) actions.push(Number(data[b]));
      return actions;
    }
    if (data.length !== batch * space.size || typeof data[0] !== 'number') throw this.badOutput(output, `${batch}×${space.size} floats`);
    const values = data as Float32Array;
    for (let b = 0; b < batch; b++) actions.push(space.clip(values.subarray(b * space.size, (b + 1) * space.size)));
    return actions;
  }

  private badOutput(output: ort.Tensor, expected: string): RlftError {
    return new RlftError('ONNX_POLICY', `The ONNX model ${this.modelFile} returned '${ONNX_NAMES.action}' of type ${output.type} and shape [${output.dims.join(', ')}]; expected ${expected} for ${this.actionSpace.toString()}`);
  }
}
