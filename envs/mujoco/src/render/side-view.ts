import type { RgbFrame } from '@rlft/core';
import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';
import { placeCamera, type SideViewOptions } from './camera.js';
import { paintBackground } from './background.js';
import { drawGeoms } from './geoms.js';
import { createRaster } from './raster.js';
import { geomTypeCodes, readSceneArrays } from './scene.js';

/**
 * An orthographic side view (looking along +y at the x–z plane) of the simulation's current
 * geom positions: sky, the ground below every plane with a tick each metre, and every visible
 * geom shaded by its surface normal and its depth. `data` must hold positions from
 * `mj_forward`/`mj_step`. The frame's bytes are new for each call.
 */
export function renderSideView(mj: MainModule, model: MjModel, data: MjData, options: SideViewOptions = {}): RgbFrame {
  const scene = readSceneArrays(model, data);
  const camera = placeCamera(options, scene.nbody, scene.bodyXpos);
  const codes = geomTypeCodes(mj);
  const raster = createRaster(camera.width, camera.height);
  paintBackground(raster, camera, scene, codes);
  drawGeoms(raster, camera, scene, codes);
  return { width: raster.width, height: raster.height, data: raster.rgb };
}
