import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parseMetadata, type DatasetMetadata } from './metadata.js';

/** Minari keeps a dataset's files in a `data/` folder inside the dataset directory. */
export const DATA_DIR = 'data';
export const MAIN_DATA_FILE = 'main_data.hdf5';
export const METADATA_FILE = 'metadata.json';

export function mainDataPath(datasetDir: string): string {
  return join(datasetDir, DATA_DIR, MAIN_DATA_FILE);
}

export function metadataPath(datasetDir: string): string {
  return join(datasetDir, DATA_DIR, METADATA_FILE);
}

/**
 * Root directory of local datasets: `RLFT_DATASETS_PATH`, else Minari's own
 * `MINARI_DATASETS_PATH`, else Minari's default `~/.minari/datasets`.
 */
export function datasetsRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.RLFT_DATASETS_PATH || env.MINARI_DATASETS_PATH;
  return resolve(configured || join(homedir(), '.minari', 'datasets'));
}

/** Directory of a dataset id (`namespace/name-v0` nests like Minari: `<root>/namespace/name-v0`). */
export function datasetDirectory(datasetId: string, root = datasetsRoot()): string {
  return join(root, ...datasetId.split('/'));
}

export interface LocalDataset {
  /** Id from the directory layout (path below the root, '/'-separated). */
  id: string;
  path: string;
  metadata?: DatasetMetadata;
  /** Why metadata.json could not be read, when it could not. */
  error?: string;
}

/**
 * Datasets under `root`: every directory holding `data/metadata.json`, searched through
 * namespace folders. Hidden folders (rlft's in-progress writes) are skipped. Sorted by id.
 */
export function listDatasets(root = datasetsRoot()): LocalDataset[] {
  const found: LocalDataset[] = [];
  const visit = (dir: string): void => {
    const meta = metadataPath(dir);
    if (existsSync(meta)) {
      const id = relative(root, dir).split(sep).join('/');
      try {
        found.push({ id, path: dir, metadata: parseMetadata(meta, readFileSync(meta, 'utf8')).metadata });
      } catch (error) {
        found.push({ id, path: dir, error: (error as Error).message });
      }
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(join(dir, entry.name));
    }
  };
  if (existsSync(root)) visit(root);
  return found.sort((a, b) => a.id.localeCompare(b.id));
}
