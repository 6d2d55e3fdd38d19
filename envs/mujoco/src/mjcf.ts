import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RlftError } from '@rlft/core';
import type { MjModel } from '@mujoco/mujoco';
import type { Mujoco } from './module.js';

/** The MJCF files shipped with this package (`models/` beside `dist/` and `src/`). */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** An `xml_file` that could not be read or that MuJoCo could not compile. */
export class MjcfError extends RlftError {
  constructor(code: 'MJCF_NOT_FOUND' | 'MJCF_INVALID', message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** The bundled model names (`half_cheetah.xml`, …), for messages. */
export function bundledModelNames(): string[] {
  return readdirSync(BUNDLED_MODELS_DIR).filter((name) => name.endsWith('.xml')).sort();
}

/**
 * Where an `xml_file` kwarg points, following Gymnasium's rule: an absolute path, a path
 * starting with `~` (the home directory) or `.`, or any path with a directory part is the
 * user's file (relative to the working directory); a bare file name is a bundled model when
 * one has that name, else a file in the working directory.
 */
export function resolveXmlFile(xmlFile: string): string {
  if (xmlFile.startsWith('~')) return join(homedir(), xmlFile.slice(1));
  if (isAbsolute(xmlFile)) return xmlFile;
  const isBareName = !xmlFile.startsWith('.') && !/[\\/]/.test(xmlFile);
  if (isBareName) {
    const bundled = join(BUNDLED_MODELS_DIR, xmlFile);
    if (existsSync(bundled)) return bundled;
  }
  return resolve(xmlFile);
}

/** The text of an MJCF file; a missing file or a directory is an MjcfError that says what exists. */
export function readMjcf(envId: string, xmlFile: string): { path: string; xml: string } {
  const path = resolveXmlFile(xmlFile);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new MjcfError(
      'MJCF_NOT_FOUND',
      `${envId}: xml_file '${xmlFile}' is not a file (looked for ${path}). Give the path of an MJCF model file, ` +
        `or the name of a bundled model: ${bundledModelNames().join(', ')}`,
    );
  }
  return { path, xml: readFileSync(path, 'utf8') };
}

/** Compiled models kept per module, by MJCF text, so that the next env with that text copies one instead of compiling. */
const compiledByModule = new WeakMap<Mujoco, Map<string, MjModel>>();
/** Distinct model texts kept per module; the least recently used one is freed beyond this. */
const MAX_CACHED_MODELS = 16;

/**
 * An MjModel of its own for MJCF text. MuJoCo's loader reports problems by throwing
 * `MuJoCo Error: Loading error: …` with the element and line; that message is passed on whole,
 * prefixed with the env and the file, so a bad user model is an ordinary error, not a crash.
 *
 * Compiling takes milliseconds (5 ms for the cheetah) and copying a compiled model tens of
 * microseconds, so the first compile of a text is kept and later calls copy it. The caller
 * owns the returned model and deletes it.
 */
export function compileMjcf(mj: Mujoco, envId: string, xml: string, source: string): MjModel {
  let compiled = compiledByModule.get(mj);
  if (!compiled) {
    compiled = new Map();
    compiledByModule.set(mj, compiled);
  }
  let template = compiled.get(xml);
  if (template) {
    compiled.delete(xml); // re-inserted below as the most recently used
  } else {
    try {
      template = mj.MjModel.from_xml_string(xml);
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).trim();
      throw new MjcfError('MJCF_INVALID', `${envId}: MuJoCo could not load the model ${source}: ${message}`, { cause: error });
    }
  }
  compiled.set(xml, template);
  if (compiled.size > MAX_CACHED_MODELS) {
    const [oldestText, oldest] = compiled.entries().next().value!;
    compiled.delete(oldestText);
    oldest.delete();
  }
  return new mj.MjModel(template);
}
