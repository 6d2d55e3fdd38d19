/**
 * Entry point of an AsyncVectorEnv worker thread: loads the plugin modules into its own
 * registry, makes its share of the sub-environments by id, reports ready, then serves
 * commands synchronously from shared memory until told to close (see async-protocol.ts).
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Env, Info } from '../env.js';
import { PluginHost } from '../plugin/host.js';
import { createBatcher } from './batch.js';
import { serializeError, SubEnvError } from './errors.js';
import { Command, CONTROL_STRIDE, Slot, type ResetRequest, type SetupMessage, type StepRequest, type WorkerFailure, type WorkerReply, type WorkerSetup } from './async-protocol.js';
import { SubEnvGroup } from './sub-env-group.js';

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);
const base = setup.workerIndex * CONTROL_STRIDE;

process.on('exit', (code) => {
  Atomics.store(control, base + Slot.exitCode, code);
  Atomics.store(control, base + Slot.exited, 1);
  Atomics.notify(control, base + Slot.response);
});

function post(message: SetupMessage): void {
  parentPort!.postMessage(message);
}

async function createEnvs(): Promise<Env[]> {
  const host = new PluginHost();
  for (const specifier of setup.pluginModules) {
    if (!(await host.load(specifier))) {
      const failure = host.failures[host.failures.length - 1];
      throw new Error(`plugin module '${specifier}' failed to load in the worker: ${failure.error.message}`);
    }
  }
  const envs: Env[] = [];
  try {
    for (let k = 0; k < setup.count; k++) envs.push(await host.registry.make(setup.id, setup.kwargs, setup.makeOptions));
  } catch (error) {
    for (const env of envs) env.close();
    throw error;
  }
  return envs;
}

function serve(envs: Env[]): void {
  const obsBatcher = createBatcher(envs[0].observationSpace, setup.numEnvs);
  const actionBatcher = createBatcher(envs[0].actionSpace, setup.numEnvs);
  const obs = setup.obs ? obsBatcher.allocate(setup.obs) : obsBatcher.allocate();
  const actions = setup.actions ? actionBatcher.allocate(setup.actions) : actionBatcher.allocate();
  const group = new SubEnvGroup(envs, setup.first, setup.autoresetMode, obsBatcher, actionBatcher, {
    obs,
    rewards: new Float64Array(setup.rewards, 0, setup.numEnvs),
    terminations: new Uint8Array(setup.terminations, 0, setup.numEnvs),
    truncations: new Uint8Array(setup.truncations, 0, setup.numEnvs),
  });
  const port = setup.port;
  let infos: [number, Info][] = [];
  const collectInfo = (index: number, info: Info): void => {
    infos.push([index, info]);
  };
  const last = setup.first + setup.count;

  let seen = 0;
  for (;;) {
    seen = waitForRequest(seen);
    const command = Atomics.load(control, base + Slot.command);
    let failure: WorkerFailure | undefined;
    try {
      if (command === Command.step) {
        if (!setup.actions) {
          const { actions: values } = receiveMessageOnPort(port)!.message as StepRequest;
          for (let i = setup.first; i < last; i++) actionBatcher.write(actions, i, values[i - setup.first]);
        }
        group.step(actions, collectInfo);
      } else if (command === Command.reset) {
        const request = receiveMessageOnPort(port)!.message as ResetRequest;
        group.reset(request.seeds, request.options, request.mask, collectInfo);
      } else if (command === Command.close) {
        group.close();
      } else {
        throw new Error(`unknown command ${command}`);
      }
    } catch (error) {
      failure = error instanceof SubEnvError
        ? { kind: 'sub-env', envIndex: error.envIndex, envId: envIdOf(envs, error.envIndex - setup.first), phase: error.phase, original: serializeError(error.cause) }
        : { kind: 'other', error: serializeError(error) };
    }
    const reply: WorkerReply = {};
    if (failure) reply.failure = failure;
    if (infos.length) reply.infos = infos;
    if (!setup.obs && command !== Command.close) {
      reply.obs = [];
      for (let i = setup.first; i < last; i++) reply.obs.push(obsBatcher.read(obs, i));
    }
    send(port, reply);
    infos = [];
    Atomics.store(control, base + Slot.response, seen);
    Atomics.notify(control, base + Slot.response);
    if (command === Command.close) break;
  }
  port.close();
}

/** Post a reply (if it has anything), turning values that cannot be cloned into a failure. */
function send(port: WorkerSetup['port'], reply: WorkerReply): void {
  const hasContent = reply.failure !== undefined || reply.infos !== undefined || reply.obs !== undefined;
  if (hasContent) {
    try {
      port.postMessage(reply);
    } catch (error) {
      const message = `a reply could not be sent to the main thread (infos and observations must be structured-cloneable): ${serializeError(error).message}`;
      port.postMessage({ failure: { kind: 'other', error: { name: 'DataCloneError', message } } } satisfies WorkerReply);
    }
  }
  Atomics.store(control, base + Slot.hasMessage, hasContent ? 1 : 0);
}

function envIdOf(envs: Env[], local: number): string {
  return envs[local]?.id ?? setup.id;
}

/** Poll briefly (a step is often only microseconds away), then sleep until the next request. */
function waitForRequest(seen: number): number {
  const slot = base + Slot.request;
  for (let spin = 0; spin < setup.spinIterations; spin++) {
    const current = Atomics.load(control, slot);
    if (current !== seen) return current;
  }
  for (;;) {
    const current = Atomics.load(control, slot);
    if (current !== seen) return current;
    Atomics.wait(control, slot, current);
  }
}

try {
  const envs = await createEnvs();
  post({ type: 'ready', observationSpace: envs[0].observationSpace.toJSON(), actionSpace: envs[0].actionSpace.toJSON() });
  serve(envs);
} catch (error) {
  post({ type: 'setup-failed', error: serializeError(error) });
}
