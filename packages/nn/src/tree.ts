import { tree as jaxTree, numpy as np } from '@jax-js/jax';

/** A nested record/array of engine arrays (JAX's pytree): the shape of every model's parameters. */
export type ParamTree = np.Array | { [key: string]: ParamTree } | ParamTree[];

/** Host copies of a tree's leaves, keyed by dotted path (`actor.0.w`), in a stable order. */
export type HostTensors = Map<string, { shape: number[]; data: Float32Array<ArrayBuffer> }>;

/** +1 reference on every leaf (jax-js arrays are reference-counted by hand). */
export function refTree<T extends ParamTree>(tree: T): T {
  return jaxTree.ref(tree);
}

/** −1 reference on every leaf. */
export function disposeTree(tree: ParamTree | null | undefined): void {
  jaxTree.dispose(tree);
}

export function mapTree<T extends ParamTree>(fn: (leaf: np.Array, ...rest: np.Array[]) => np.Array, tree: T, ...rest: T[]): T {
  return jaxTree.map(fn, tree, ...rest) as T;
}

/** Zeros with the shape of every leaf (does not consume `tree`). */
export function zerosLike<T extends ParamTree>(tree: T): T {
  return mapLeaves(tree, (leaf) => np.zeros(leaf.shape));
}

/** Branches are plain objects and JS arrays; anything else (an array or, inside `jit`, a tracer) is a leaf. */
function isLeaf(node: ParamTree): node is np.Array {
  return !Array.isArray(node) && Object.getPrototypeOf(node) !== Object.prototype;
}

/** Dotted path → leaf, in depth-first key order (the order used for checkpoints). */
export function leavesWithPaths(tree: ParamTree, prefix = ''): [string, np.Array][] {
  if (isLeaf(tree)) return [[prefix, tree]];
  const entries: [string, ParamTree][] = Array.isArray(tree) ? tree.map((v, i) => [String(i), v]) : Object.entries(tree);
  return entries.flatMap(([key, value]) => leavesWithPaths(value, prefix ? `${prefix}.${key}` : key));
}

export function countParameters(tree: ParamTree): number {
  return leavesWithPaths(tree).reduce((n, [, leaf]) => n + leaf.size, 0);
}

/** Copy every leaf to the host (does not consume `tree`). */
export function treeToHost(tree: ParamTree): HostTensors {
  const out: HostTensors = new Map();
  for (const [path, leaf] of leavesWithPaths(tree)) {
    out.set(path, { shape: [...leaf.shape], data: Float32Array.from(leaf.ref.dataSync() as ArrayLike<number>) });
  }
  return out;
}

/**
 * Rebuild a tree with the structure of `like` from host tensors (e.g. read from a checkpoint).
 * Missing paths or shape mismatches are errors naming the path. Does not consume `like`.
 */
export function treeFromHost<T extends ParamTree>(like: T, tensors: HostTensors): T {
  return mapLeavesWithPath(like, (path, leaf) => {
    const tensor = tensors.get(path);
    if (!tensor) throw new Error(`Missing tensor '${path}' (expected shape [${leaf.shape.join(', ')}])`);
    if (tensor.shape.length !== leaf.shape.length || tensor.shape.some((d, i) => d !== leaf.shape[i])) {
      throw new Error(`Tensor '${path}' has shape [${tensor.shape.join(', ')}], expected [${leaf.shape.join(', ')}]`);
    }
    return np.array(tensor.data).reshape([...tensor.shape]);
  });
}

/** Build a new tree of the same structure (does not consume `tree`). */
export function mapLeaves<T extends ParamTree>(tree: T, fn: (leaf: np.Array) => np.Array): T {
  return mapLeavesWithPath(tree, (_path, leaf) => fn(leaf));
}

function mapLeavesWithPath<T extends ParamTree>(tree: T, fn: (path: string, leaf: np.Array) => np.Array, prefix = ''): T {
  if (isLeaf(tree)) return fn(prefix, tree) as T;
  const child = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  if (Array.isArray(tree)) return tree.map((v, i) => mapLeavesWithPath(v, fn, child(String(i)))) as T;
  const out: Record<string, ParamTree> = {};
  for (const [key, value] of Object.entries(tree)) out[key] = mapLeavesWithPath(value, fn, child(key));
  return out as T;
}
