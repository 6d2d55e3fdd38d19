// The model and state arrays one frame is drawn from. They are typed-array views into the WASM
// heap, which die when the heap grows, so they are read afresh for every frame.
import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';

export interface SceneArrays {
  ngeom: number;
  nbody: number;
  geomType: Int32Array;
  geomSize: Float64Array;
  geomRgba: Float32Array;
  geomMatId: Int32Array;
  geomGroup: Int32Array;
  geomRbound: Float64Array;
  /** Bounding box in the geom frame, 6 per geom: centre then half-sizes (used for meshes). */
  geomAabb: Float64Array;
  matRgba: Float32Array;
  geomXpos: Float64Array;
  /** Geom orientations, 9 per geom, row-major: world = xmat · local. */
  geomXmat: Float64Array;
  bodyXpos: Float64Array;
}

export function readSceneArrays(model: MjModel, data: MjData): SceneArrays {
  return {
    ngeom: model.ngeom,
    nbody: model.nbody,
    geomType: model.geom_type,
    geomSize: model.geom_size,
    geomRgba: model.geom_rgba,
    geomMatId: model.geom_matid,
    geomGroup: model.geom_group,
    geomRbound: model.geom_rbound,
    geomAabb: model.geom_aabb,
    matRgba: model.mat_rgba,
    geomXpos: data.geom_xpos,
    geomXmat: data.geom_xmat,
    bodyXpos: data.xpos,
  };
}

/** MuJoCo's geom type codes (mjtGeom), taken from the loaded module. */
export interface GeomTypeCodes {
  plane: number;
  hfield: number;
  sphere: number;
  capsule: number;
  ellipsoid: number;
  cylinder: number;
  box: number;
  mesh: number;
  sdf: number;
}

const codesByModule = new WeakMap<MainModule, GeomTypeCodes>();

export function geomTypeCodes(mj: MainModule): GeomTypeCodes {
  let codes = codesByModule.get(mj);
  if (!codes) {
    const g = mj.mjtGeom;
    codes = {
      plane: g.mjGEOM_PLANE.value,
      hfield: g.mjGEOM_HFIELD.value,
      sphere: g.mjGEOM_SPHERE.value,
      capsule: g.mjGEOM_CAPSULE.value,
      ellipsoid: g.mjGEOM_ELLIPSOID.value,
      cylinder: g.mjGEOM_CYLINDER.value,
      box: g.mjGEOM_BOX.value,
      mesh: g.mjGEOM_MESH.value,
      sdf: g.mjGEOM_SDF.value,
    };
    codesByModule.set(mj, codes);
  }
  return codes;
}

/** Groups 3–5 are hidden in MuJoCo's default visualisation (collision-only geoms often live there). */
export const FIRST_HIDDEN_GROUP = 3;

/**
 * The colour MuJoCo's visualiser gives geom `g`, written into `out` as RGBA in 0–1: the
 * material's colour when the geom has a material and kept the default rgba (0.5, 0.5, 0.5, 1),
 * else the geom's own rgba.
 */
export function geomColour(scene: SceneArrays, g: number, out: Float32Array): void {
  const rgba = scene.geomRgba;
  const k = 4 * g;
  const material = scene.geomMatId[g];
  const isDefault = rgba[k] === 0.5 && rgba[k + 1] === 0.5 && rgba[k + 2] === 0.5 && rgba[k + 3] === 1;
  const source = material >= 0 && isDefault ? scene.matRgba : rgba;
  const s = material >= 0 && isDefault ? 4 * material : k;
  out[0] = source[s];
  out[1] = source[s + 1];
  out[2] = source[s + 2];
  out[3] = source[s + 3];
}
