import { tree as jaxTree, numpy as np } from '@jax-js/jax';

/** A nested record/array of engine arrays (JAX's pytree): the shape of every model's parameters. */
export type ParamTree = np.Array | { [key: string]: ParamTree } | ParamTree[];

/**
 * What generic tree functions accept: a ParamTree, or a typed record of arrays whose optional
 * keys may be absent (`{ actor; critic?; log_std? }`); absent (undefined) entries are skipped.
 */
export type TreeLike = object;

/** Host copies of a tree's leaves, keyed by dotted path (`actor.0.w`), in a stable order. */
export type HostTensors = Map<string, { shape: number[]; data: Float32Array<ArrayBuffer> }>;

/** +1 reference on every leaf (jax-js arrays are reference-counted by hand). */
export function refTree<T extends TreeLike>(tree: T): T {
  return jaxTree.ref(tree);
}

/** −1 reference on every leaf. */
export function disposeTree(tree: TreeLike | null | undefined): void {
  jaxTree.dispose(tree as ParamTree);
}

export function mapTree<T extends TreeLike>(fn: (leaf: np.Array, ...rest: np.Array[]) => np.Array, tree: T, ...rest: T[]): T {
  return jaxTree.map(fn, tree as ParamTree, ...(rest as ParamTree[])) as T;
}

/** Zeros with the shape of every leaf (does not consume `tree`). */
export function zerosLike<T extends TreeLike>(tree: T): T {
  return mapLeaves(tree, (leaf) => np.zeros(leaf.shape));
}

/** Branches are plain objects and JS arrays; anything else (an array or, inside `jit`, a tracer) is a leaf. */
function isLeaf(node: ParamTree): node is np.Array {
  return !Array.isArray(node) && Object.getPrototypeOf(node) !== Object.prototype;
}

/** Dotted path → leaf, in depth-first key order (the order used for checkpoints). */
export function leavesWithPaths(tree: TreeLike, prefix = ''): [string, np.Array][] {
  if (isLeaf(tree as ParamTree)) return [[prefix, tree as np.Array]];
  const entries: [string, ParamTree][] = Array.isArray(tree)
    ? tree.map((v, i) => [String(i), v])
    : Object.entries(tree as Record<string, ParamTree>).filter(([, v]) => v !== undefined);
  return entries.flatMap(([key, value]) => leavesWithPaths(value, prefix ? `${prefix}.${key}` : key));
}

export function countParameters(tree: TreeLike): number {
  return leavesWithPaths(tree).reduce((n, [, leaf]) => n + leaf.size, 0);
}

/** Copy every leaf to the host (does not consume `tree`). */
export function treeToHost(tree: TreeLike): HostTensors {
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
export function treeFromHost<T extends TreeLike>(like: T, tensors: HostTensors): T {
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
export function mapLeaves<T extends TreeLike>(tree: T, fn: (leaf: np.Array) => np.Array): T {
  return mapLeavesWithPath(tree, (_path, leaf) => fn(leaf));
}

function mapLeavesWithPath<T extends TreeLike>(tree: T, fn: (path: string, leaf: np.Array) => np.Array, prefix = ''): T {
  if (isLeaf(tree as ParamTree)) return fn(prefix, tree as np.Array) as T;
  const child = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  if (Array.isArray(tree)) return tree.map((v, i) => mapLeavesWithPath(v, fn, child(String(i)))) as T;
  const out: Record<string, TreeLike> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (value !== undefined) out[key] = mapLeavesWithPath(value as TreeLike, fn, child(key));
  }
  return out as T;
}

/** Upload host numbers to the engine as a float32 array of `shape` (default: flat). */
export function toEngine(data: ArrayLike<number>, shape?: readonly number[]): np.Array {
  const values = data instanceof Float32Array && data.buffer instanceof ArrayBuffer ? (data as Float32Array<ArrayBuffer>) : Float32Array.from(data);
  const array = np.array(values);
  return shape ? array.reshape([...shape]) : array;
}
