import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '@rlft/core';
import loadMujoco, { type MainModule, type MjData, type MjModel } from '@mujoco/mujoco';
import { renderSideView, type SideViewOptions } from './index.js';

// A level floor, a red capsule "torso" on a slide joint along x, and two world geoms: a green
// sphere and a blue box, all in the plane y = 0.
const SCENE = `
<mujoco>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 0.1" rgba="0.6 0.6 0.6 1"/>
    <body name="torso" pos="0 0 1">
      <joint name="slide" type="slide" axis="1 0 0"/>
      <geom type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.1" rgba="1 0 0 1"/>
    </body>
    <geom type="sphere" pos="1.5 0 0.5" size="0.2" rgba="0 1 0 1"/>
    <geom type="box" pos="-1.5 0 0.5" size="0.2 0.2 0.2" rgba="0 0 1 1"/>
  </worldbody>
</mujoco>`;
const TORSO = 1;

// The projection written out independently of the renderer: default camera distance 4 shows
// 2·4·tan(22.5°) m of height, and z = 0 sits one fifth of the height above the bottom edge.
const VIEW_HEIGHT = 8 * Math.tan(Math.PI / 8);

function pixelOf(frame: RgbFrame, x: number, z: number, centreX: number): [number, number] {
  const ppm = frame.height / VIEW_HEIGHT;
  const centreZ = 0.3 * VIEW_HEIGHT;
  return [Math.floor(frame.width / 2 + (x - centreX) * ppm), Math.floor(frame.height / 2 - (z - centreZ) * ppm)];
}

function rgbAt(frame: RgbFrame, column: number, row: number): [number, number, number] {
  const i = 3 * (row * frame.width + column);
  return [frame.data[i], frame.data[i + 1], frame.data[i + 2]];
}

/** The channel that clearly dominates the pixel ('red', 'green', 'blue'), or 'mixed'. */
function hue(frame: RgbFrame, column: number, row: number): string {
  const [r, g, b] = rgbAt(frame, column, row);
  if (r > 80 && r > 3 * (g + b + 1)) return 'red';
  if (g > 80 && g > 3 * (r + b + 1)) return 'green';
  if (b > 80 && b > 3 * (r + g + 1)) return 'blue';
  return 'mixed';
}

function worldHue(frame: RgbFrame, x: number, z: number, centreX = 0): string {
  const [column, row] = pixelOf(frame, x, z, centreX);
  return hue(frame, column, row);
}

let mj: MainModule;

beforeAll(async () => {
  mj = await loadMujoco();
});

function withScene<T>(xml: string, use: (model: MjModel, data: MjData) => T): T {
  const model = mj.MjModel.from_xml_string(xml);
  const data = new mj.MjData(model);
  try {
    mj.mj_forward(model, data);
    return use(model, data);
  } finally {
    data.delete();
    model.delete();
  }
}

function render(model: MjModel, data: MjData, options?: SideViewOptions): RgbFrame {
  return renderSideView(mj, model, data, options);
}

describe('renderSideView', () => {
  it('returns RGB frames of the requested size (480×320 by default)', () => {
    withScene(SCENE, (model, data) => {
      const frame = render(model, data);
      expect([frame.width, frame.height, frame.data.length]).toEqual([480, 320, 480 * 320 * 3]);
      const small = render(model, data, { width: 64, height: 48 });
      expect([small.width, small.height, small.data.length]).toEqual([64, 48, 64 * 48 * 3]);
    });
  });

  it('draws each geom in its own colour where it projects, sky above and ground below the floor', () => {
    withScene(SCENE, (model, data) => {
      const frame = render(model, data);
      expect(worldHue(frame, 0, 1)).toBe('red');
      expect(worldHue(frame, -0.55, 1)).toBe('red');
      expect(worldHue(frame, 1.5, 0.5)).toBe('green');
      expect(worldHue(frame, -1.5, 0.5)).toBe('blue');
      expect(worldHue(frame, -1.5, 0.75)).not.toBe('blue');
      // Sky is bluish-white, the ground below the floor line takes the floor's grey.
      const [skyR, skyG, skyB] = rgbAt(frame, 10, 5);
      expect(skyB).toBeGreaterThan(skyR);
      expect(skyB).toBeGreaterThan(150);
      const [column, row] = pixelOf(frame, 0.5, -0.3, 0);
      const [r, g, b] = rgbAt(frame, column, row);
      expect(r).toBe(g);
      expect(g).toBe(b);
      expect(r).toBeLessThan(0.6 * 255 + 1);
      expect(r).toBeGreaterThan(0.3 * 255);
    });
  });

  it('follows the simulation state: a moved body is drawn at its new place', () => {
    withScene(SCENE, (model, data) => {
      const before = render(model, data);
      data.qpos[0] = 0.9;
      mj.mj_forward(model, data);
      const after = render(model, data);
      expect(worldHue(before, -0.45, 1)).toBe('red');
      expect(worldHue(after, -0.45, 1)).not.toBe('red');
      expect(worldHue(after, 1.35, 1)).toBe('red');
      expect(after.data).not.toEqual(before.data);
    });
  });

  it('keeps the tracked torso at the centre while the floor ticks move past', () => {
    withScene(SCENE, (model, data) => {
      const ticks = (frame: RgbFrame, centreX: number): number[] => {
        const [, floorRow] = pixelOf(frame, 0, 0, centreX);
        const row = floorRow + 5;
        const columns: number[] = [];
        for (let column = 0; column < frame.width; column++) {
          const [r] = rgbAt(frame, column, row);
          const [left] = rgbAt(frame, Math.max(0, column - 1), row);
          if (r < 0.5 * 0.6 * 255 && !(left < 0.5 * 0.6 * 255)) columns.push(column);
        }
        return columns;
      };
      const expected = (frame: RgbFrame, centreX: number): number[] => {
        const ppm = frame.height / VIEW_HEIGHT;
        const columns: number[] = [];
        for (let metre = Math.ceil(centreX - 3); metre <= Math.floor(centreX + 3); metre++) {
          const column = frame.width / 2 + (metre - centreX) * ppm;
          if (column >= 1 && column < frame.width - 1) columns.push(column);
        }
        return columns;
      };
      for (const x of [0, 2.5, -7.3]) {
        data.qpos[0] = x;
        mj.mj_forward(model, data);
        const frame = render(model, data, { trackBodyId: TORSO });
        expect(hue(frame, frame.width / 2, pixelOf(frame, 0, 1, 0)[1])).toBe('red');
        const found = ticks(frame, x);
        const wanted = expected(frame, x);
        expect(found.length).toBe(wanted.length);
        found.forEach((column, i) => expect(Math.abs(column - wanted[i])).toBeLessThanOrEqual(1.5));
      }
    });
  });

  it('re-reads the state after WebAssembly memory grows (old views go dead)', () => {
    withScene(SCENE, (model, data) => {
      render(model, data);
      const extra = Array.from({ length: 8 }, () => new mj.MjData(model));
      try {
        data.qpos[0] = -0.9;
        mj.mj_forward(model, data);
        const frame = render(model, data);
        expect(worldHue(frame, -1.35, 1)).toBe('red');
        expect(worldHue(frame, 0.45, 1)).not.toBe('red');
      } finally {
        for (const d of extra) d.delete();
      }
    });
  });

  it('hides a farther geom behind a nearer one, whatever their order in the model', () => {
    const xml = `
<mujoco><worldbody>
  <geom type="sphere" pos="0 0.5 1" size="0.3" rgba="0 0 1 1"/>
  <geom type="sphere" pos="0 -0.5 1" size="0.3" rgba="1 0 0 1"/>
  <geom type="sphere" pos="1 -0.5 1" size="0.3" rgba="1 0 0 1"/>
  <geom type="sphere" pos="1 0.5 1" size="0.3" rgba="0 0 1 1"/>
</worldbody></mujoco>`;
    withScene(xml, (model, data) => {
      const frame = render(model, data);
      expect(worldHue(frame, 0, 1)).toBe('red');
      expect(worldHue(frame, 1, 1)).toBe('red');
    });
  });

  it('draws rotated geoms along their axes: a capsule tilted by a hinge, a rotated box', () => {
    const xml = `
<mujoco><worldbody>
  <body pos="0 0 1">
    <joint name="hinge" type="hinge" axis="0 1 0"/>
    <geom type="capsule" fromto="0 0 0 1 0 0" size="0.05" rgba="1 0 0 1"/>
  </body>
  <geom type="box" pos="-1 0 1" size="0.4 0.05 0.05" euler="0 90 0" rgba="0 1 0 1"/>
</worldbody></mujoco>`;
    withScene(xml, (model, data) => {
      // A positive rotation about +y turns +x towards −z.
      data.qpos[0] = Math.PI / 6;
      mj.mj_forward(model, data);
      const frame = render(model, data);
      const [cos, sin] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
      expect(worldHue(frame, 0.9 * cos, 1 - 0.9 * sin)).toBe('red');
      expect(worldHue(frame, 0.9, 1)).not.toBe('red');
      // Rotated 90° about y, the box stands upright.
      expect(worldHue(frame, -1, 1.35)).toBe('green');
      expect(worldHue(frame, -1.3, 1)).not.toBe('green');
    });
  });

  it('shades by depth: the same colour is darker farther from the camera', () => {
    const xml = `
<mujoco><worldbody>
  <geom type="box" pos="-0.5 -0.5 1" size="0.2 0.2 0.2" rgba="0.8 0 0 1"/>
  <geom type="box" pos="0.5 0.5 1" size="0.2 0.2 0.2" rgba="0.8 0 0 1"/>
</worldbody></mujoco>`;
    withScene(xml, (model, data) => {
      const frame = render(model, data);
      const [nearColumn, row] = pixelOf(frame, -0.5, 1, 0);
      const [farColumn] = pixelOf(frame, 0.5, 1, 0);
      expect(rgbAt(frame, nearColumn, row)[0]).toBeGreaterThan(rgbAt(frame, farColumn, row)[0] + 20);
    });
  });

  it('uses material colours, and leaves out hidden groups and transparent geoms', () => {
    const xml = `
<mujoco>
  <asset><material name="green" rgba="0 1 0 1"/></asset>
  <worldbody>
    <geom type="sphere" pos="-1 0 1" size="0.2" material="green"/>
    <geom type="sphere" pos="0 0 1" size="0.2" rgba="1 0 0 1" group="3"/>
    <geom type="sphere" pos="1 0 1" size="0.2" rgba="1 0 0 0"/>
  </worldbody>
</mujoco>`;
    withScene(xml, (model, data) => {
      const frame = render(model, data);
      expect(worldHue(frame, -1, 1)).toBe('green');
      const sky = rgbAt(frame, pixelOf(frame, 0.5, 1, 0)[0], pixelOf(frame, 0.5, 1, 0)[1]);
      expect(rgbAt(frame, ...pixelOf(frame, 0, 1, 0))).toEqual(sky);
      expect(rgbAt(frame, ...pixelOf(frame, 1, 1, 0))).toEqual(sky);
    });
  });

  it('without a floor, marks the metres along the bottom edge', () => {
    withScene('<mujoco><worldbody><geom type="sphere" pos="0 0 1" size="0.1"/></worldbody></mujoco>', (model, data) => {
      const frame = render(model, data);
      const bottom = frame.height - 2;
      const ppm = frame.height / VIEW_HEIGHT;
      const tick = rgbAt(frame, Math.round(frame.width / 2 + ppm), bottom);
      const between = rgbAt(frame, Math.round(frame.width / 2 + 0.5 * ppm), bottom);
      expect(tick[2]).toBeLessThan(100);
      expect(between[2]).toBeGreaterThan(200);
    });
  });

  it('rejects options it cannot honour, saying what is allowed', () => {
    withScene(SCENE, (model, data) => {
      expect(() => render(model, data, { width: 0 })).toThrow(/width must be a whole number of pixels from 1 to 4096, got 0/);
      expect(() => render(model, data, { height: 10.5 })).toThrow(/height must be a whole number/);
      expect(() => render(model, data, { trackBodyId: 2 })).toThrow(/trackBodyId must be a body index from 0 to 1 \(0 is the world body\), got 2/);
      expect(() => render(model, data, { cameraDistance: -1 })).toThrow(/cameraDistance must be a positive number of metres, got -1/);
      expect(() => render(model, data, { lookAtZ: Number.NaN })).toThrow(/lookAtZ must be a finite number/);
    });
  });
});
