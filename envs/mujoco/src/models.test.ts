// The bundled MJCF files, compiled, against the check values of the facts sheet
// (shared/specs/mujoco-models.md): masses per body, world end points of capsules at qpos0,
// options, joints, actuators and contact parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMjcf, readMjcf } from './mjcf.js';
import { loadMujoco, type Mujoco } from './module.js';
import { MujocoSimulation } from './simulation.js';

let mj: Mujoco;
const opened: MujocoSimulation[] = [];

beforeAll(async () => {
  mj = await loadMujoco();
});

afterAll(() => {
  for (const sim of opened) sim.close();
});

/** The bundled model, compiled and put through mj_resetData + mj_forward (qpos = qpos0). */
function compile(file: string): MujocoSimulation {
  const { path, xml } = readMjcf('models.test', file);
  const sim = new MujocoSimulation(mj, compileMjcf(mj, 'models.test', xml, path), path);
  opened.push(sim);
  sim.resetData();
  sim.forward();
  return sim;
}

function id(sim: MujocoSimulation, kind: 'body' | 'joint' | 'geom' | 'actuator', name: string): number {
  const types = { body: mj.mjtObj.mjOBJ_BODY, joint: mj.mjtObj.mjOBJ_JOINT, geom: mj.mjtObj.mjOBJ_GEOM, actuator: mj.mjtObj.mjOBJ_ACTUATOR };
  const found = mj.mj_name2id(sim.model, types[kind].value, name);
  if (found < 0) throw new Error(`no ${kind} '${name}' in the model`);
  return found;
}

/** The two world-frame ends of capsule `name` (centre ± half-length along the geom's z axis). */
function capsuleEnds(sim: MujocoSimulation, name: string): [number[], number[]] {
  const g = id(sim, 'geom', name);
  const xpos = sim.data.geom_xpos as Float64Array;
  const xmat = sim.data.geom_xmat as Float64Array;
  const halfLength = (sim.model.geom_size as Float64Array)[3 * g + 1];
  const axis = [xmat[9 * g + 2], xmat[9 * g + 5], xmat[9 * g + 8]];
  const centre = [xpos[3 * g], xpos[3 * g + 1], xpos[3 * g + 2]];
  return [centre.map((c, k) => c - halfLength * axis[k]), centre.map((c, k) => c + halfLength * axis[k])];
}

/** Capsule ends in (x, z), in either order, within one unit of the last of `digits` decimals (the sheet's values went through rounding twice). */
function expectEndsXZ(sim: MujocoSimulation, name: string, a: [number, number], b: [number, number], digits = 3): void {
  const [p, q] = capsuleEnds(sim, name).map((end) => [end[0], end[2]]);
  const close = (u: number[], v: readonly number[]): boolean => u.every((x, k) => Math.abs(x - v[k]) <= 10 ** -digits);
  const matches = (close(p, a) && close(q, b)) || (close(p, b) && close(q, a));
  expect(matches, `${name}: ends (${p.join(', ')}) – (${q.join(', ')}), expected (${a.join(', ')}) – (${b.join(', ')})`).toBe(true);
}

function expectBodyMasses(sim: MujocoSimulation, masses: Record<string, number>, total: number): void {
  const bodyMass = sim.model.body_mass as Float64Array;
  for (const [name, mass] of Object.entries(masses)) {
    expect(bodyMass[id(sim, 'body', name)], `mass of ${name}`).toBeCloseTo(mass, 3);
  }
  expect(bodyMass.reduce((sum, m) => sum + m, 0)).toBeCloseTo(total, 3);
}

interface JointFacts {
  range?: [number, number];
  stiffness: number;
  damping: number;
  armature: number;
}

function expectJoints(sim: MujocoSimulation, joints: Record<string, JointFacts>): void {
  const range = sim.model.jnt_range as Float64Array;
  const stiffness = sim.model.jnt_stiffness as Float64Array;
  const dofadr = sim.model.jnt_dofadr as Int32Array;
  const damping = sim.model.dof_damping as Float64Array;
  const armature = sim.model.dof_armature as Float64Array;
  for (const [name, facts] of Object.entries(joints)) {
    const j = id(sim, 'joint', name);
    if (facts.range) {
      expect(range[2 * j], `${name} range low`).toBeCloseTo(facts.range[0], 4);
      expect(range[2 * j + 1], `${name} range high`).toBeCloseTo(facts.range[1], 4);
    }
    expect(stiffness[j], `${name} stiffness`).toBe(facts.stiffness);
    expect(damping[dofadr[j]], `${name} damping`).toBe(facts.damping);
    expect(armature[dofadr[j]], `${name} armature`).toBe(facts.armature);
  }
}

/** Actuators in action order: the joint each drives, its gear and its ctrlrange. */
function expectActuators(sim: MujocoSimulation, actuators: [joint: string, gear: number, ctrlrange: [number, number]][]): void {
  expect(sim.nu).toBe(actuators.length);
  const trnid = sim.model.actuator_trnid as Int32Array;
  const gear = sim.model.actuator_gear as Float64Array;
  const ctrlrange = sim.model.actuator_ctrlrange as Float64Array;
  actuators.forEach(([joint, g, [low, high]], i) => {
    expect(trnid[2 * i], `actuator ${i} drives ${joint}`).toBe(id(sim, 'joint', joint));
    expect(gear[6 * i], `actuator ${i} gear`).toBe(g);
    expect([ctrlrange[2 * i], ctrlrange[2 * i + 1]], `actuator ${i} ctrlrange`).toEqual([low, high]);
  });
}

function expectOptions(sim: MujocoSimulation, timestep: number, integrator: 'Euler' | 'RK4'): void {
  const option = sim.model.opt;
  try {
    expect(option.timestep).toBe(timestep);
    const codes = { Euler: mj.mjtIntegrator.mjINT_EULER.value, RK4: mj.mjtIntegrator.mjINT_RK4.value };
    expect(option.integrator).toBe(codes[integrator]);
    expect(Array.from(option.gravity as Float64Array)).toEqual([0, 0, -9.81]);
  } finally {
    option.delete();
  }
}

function geomFacts(sim: MujocoSimulation, name: string) {
  const g = id(sim, 'geom', name);
  const m = sim.model;
  return {
    friction: Array.from((m.geom_friction as Float64Array).subarray(3 * g, 3 * g + 3)),
    condim: (m.geom_condim as Int32Array)[g],
    contype: (m.geom_contype as Int32Array)[g],
    conaffinity: (m.geom_conaffinity as Int32Array)[g],
    margin: (m.geom_margin as Float64Array)[g],
    solref: Array.from((m.geom_solref as Float64Array).subarray(2 * g, 2 * g + 2)),
    solimp: Array.from((m.geom_solimp as Float64Array).subarray(5 * g, 5 * g + 3)),
  };
}

const deg = (d: number): number => (d * Math.PI) / 180;

describe('half_cheetah.xml', () => {
  it('has the standard masses (rescaled to 14 kg), geometry, joints, motors and options', () => {
    const sim = compile('half_cheetah.xml');
    expect([sim.nq, sim.nv, sim.nu]).toEqual([9, 9, 6]);
    expectOptions(sim, 0.01, 'Euler');
    expectBodyMasses(sim, { torso: 6.2502, bthigh: 1.5435, bshin: 1.5874, bfoot: 1.0954, fthigh: 1.4381, fshin: 1.2008, ffoot: 0.8845 }, 14);
    expectEndsXZ(sim, 'head', [0.485, 0.703], [0.715, 0.897]);
    expectEndsXZ(sim, 'bfoot', [-0.565, 0.122], [-0.615, 0.304]);
    expectEndsXZ(sim, 'ffoot', [0.575, 0.152], [0.496, 0.268]);
    expectEndsXZ(sim, 'torso', [-0.5, 0.7], [0.5, 0.7]);
    const root = { stiffness: 0, damping: 0, armature: 0 };
    expectJoints(sim, {
      rootx: root,
      rootz: root,
      rooty: root,
      bthigh: { range: [-0.52, 1.05], stiffness: 240, damping: 6, armature: 0.1 },
      bshin: { range: [-0.785, 0.785], stiffness: 180, damping: 4.5, armature: 0.1 },
      bfoot: { range: [-0.4, 0.785], stiffness: 120, damping: 3, armature: 0.1 },
      fthigh: { range: [-1, 0.7], stiffness: 180, damping: 4.5, armature: 0.1 },
      fshin: { range: [-1.2, 0.87], stiffness: 120, damping: 3, armature: 0.1 },
      ffoot: { range: [-0.5, 0.5], stiffness: 60, damping: 1.5, armature: 0.1 },
    });
    const limit = sim.model.jnt_solref as Float64Array;
    const limitImp = sim.model.jnt_solimp as Float64Array;
    const bthigh = id(sim, 'joint', 'bthigh');
    expect(Array.from(limit.subarray(2 * bthigh, 2 * bthigh + 2))).toEqual([0.02, 1]);
    expect(Array.from(limitImp.subarray(5 * bthigh, 5 * bthigh + 3))).toEqual([0, 0.8, 0.03]);
    expectActuators(sim, [
      ['bthigh', 120, [-1, 1]],
      ['bshin', 90, [-1, 1]],
      ['bfoot', 60, [-1, 1]],
      ['fthigh', 120, [-1, 1]],
      ['fshin', 60, [-1, 1]],
      ['ffoot', 30, [-1, 1]],
    ]);
    const robot = { friction: [0.4, 0.1, 0.1], condim: 3, contype: 1, conaffinity: 0, margin: 0, solref: [0.02, 1], solimp: [0, 0.8, 0.01] };
    expect(geomFacts(sim, 'bfoot')).toEqual(robot);
    expect(geomFacts(sim, 'floor')).toEqual({ ...robot, conaffinity: 1 });
  });
});

describe('hopper.xml', () => {
  it('has the standard masses, geometry, joints, motors and contacts', () => {
    const sim = compile('hopper.xml');
    expect([sim.nq, sim.nv, sim.nu]).toEqual([6, 6, 3]);
    expectOptions(sim, 0.002, 'RK4');
    expect(Array.from(sim.qpos)).toEqual([0, 1.25, 0, 0, 0, 0]);
    expectBodyMasses(sim, { torso: 3.6652, thigh: 4.0579, leg: 2.7814, foot: 5.3156 }, 15.82);
    expectEndsXZ(sim, 'torso_geom', [0, 1.05], [0, 1.45]);
    expectEndsXZ(sim, 'thigh_geom', [0, 0.6], [0, 1.05]);
    expectEndsXZ(sim, 'leg_geom', [0, 0.1], [0, 0.6]);
    expectEndsXZ(sim, 'foot_geom', [-0.13, 0.1], [0.26, 0.1]);
    const root = { stiffness: 0, damping: 0, armature: 0 };
    const actuated = { stiffness: 0, damping: 1, armature: 1 };
    expectJoints(sim, {
      rootx: root,
      rootz: root,
      rooty: root,
      thigh_joint: { ...actuated, range: [deg(-150), 0] },
      leg_joint: { ...actuated, range: [deg(-150), 0] },
      foot_joint: { ...actuated, range: [deg(-45), deg(45)] },
    });
    expectActuators(sim, [
      ['thigh_joint', 200, [-1, 1]],
      ['leg_joint', 200, [-1, 1]],
      ['foot_joint', 200, [-1, 1]],
    ]);
    const contact = { condim: 1, contype: 1, conaffinity: 1, margin: 0.001, solref: [0.02, 1], solimp: [0.8, 0.8, 0.01] };
    expect(geomFacts(sim, 'torso_geom')).toEqual({ ...contact, friction: [0.9, 0.005, 0.0001] });
    expect(geomFacts(sim, 'foot_geom')).toEqual({ ...contact, friction: [2, 0.005, 0.0001] });
    expect(geomFacts(sim, 'floor')).toEqual({ ...contact, condim: 3, friction: [1, 0.005, 0.0001] });
  });
});

describe('walker2d.xml', () => {
  it('has the standard masses, two coinciding legs, joints, motors and v5 foot friction', () => {
    const sim = compile('walker2d.xml');
    expect([sim.nq, sim.nv, sim.nu]).toEqual([9, 9, 6]);
    expectOptions(sim, 0.002, 'RK4');
    expectBodyMasses(
      sim,
      { torso: 3.6652, thigh: 4.0579, leg: 2.7814, foot: 3.1667, thigh_left: 4.0579, leg_left: 2.7814, foot_left: 3.1667 },
      23.677,
    );
    for (const side of ['', '_left']) {
      expectEndsXZ(sim, `thigh${side}_geom`, [0, 0.6], [0, 1.05]);
      expectEndsXZ(sim, `leg${side}_geom`, [0, 0.1], [0, 0.6]);
      expectEndsXZ(sim, `foot${side}_geom`, [0, 0.1], [0.2, 0.1]);
      expect(geomFacts(sim, `foot${side}_geom`).friction).toEqual([1.9, 0.1, 0.1]);
      expect(geomFacts(sim, `thigh${side}_geom`).friction).toEqual([0.9, 0.1, 0.1]);
    }
    const actuated = { stiffness: 0, damping: 0.1, armature: 0.01 };
    expectJoints(sim, {
      rootz: { stiffness: 0, damping: 0, armature: 0 },
      thigh_joint: { ...actuated, range: [deg(-150), 0] },
      leg_left_joint: { ...actuated, range: [deg(-150), 0] },
      foot_left_joint: { ...actuated, range: [deg(-45), deg(45)] },
    });
    expectActuators(sim, [
      ['thigh_joint', 100, [-1, 1]],
      ['leg_joint', 100, [-1, 1]],
      ['foot_joint', 100, [-1, 1]],
      ['thigh_left_joint', 100, [-1, 1]],
      ['leg_left_joint', 100, [-1, 1]],
      ['foot_left_joint', 100, [-1, 1]],
    ]);
    expect(geomFacts(sim, 'leg_geom')).toMatchObject({ condim: 3, contype: 1, conaffinity: 0, solref: [0.02, 1], solimp: [0.9, 0.95, 0.001] });
    expect(geomFacts(sim, 'floor')).toMatchObject({ friction: [0.7, 0.1, 0.1], conaffinity: 1, condim: 3 });
  });
});

describe('inverted_pendulum.xml', () => {
  it('has the standard cart and pole, no contacts, a ±3 motor with gear 100', () => {
    const sim = compile('inverted_pendulum.xml');
    expect([sim.nq, sim.nv, sim.nu]).toEqual([2, 2, 1]);
    expectOptions(sim, 0.02, 'RK4');
    expectBodyMasses(sim, { cart: 10.472, pole: 5.0186 }, 15.491);
    expectEndsXZ(sim, 'cart', [-0.1, 0], [0.1, 0]);
    expectEndsXZ(sim, 'pole', [0, 0], [0.001, 0.6]);
    expectJoints(sim, {
      slider: { range: [-1, 1], stiffness: 0, damping: 1, armature: 0 },
      hinge: { range: [deg(-90), deg(90)], stiffness: 0, damping: 1, armature: 0 },
    });
    expectActuators(sim, [['slider', 100, [-3, 3]]]);
    for (const geom of ['rail', 'cart', 'pole']) expect(geomFacts(sim, geom).contype).toBe(0);
  });
});

describe('ant.xml', () => {
  it('has the standard masses, legs, joints, motors (leg 4 first) and contact margin', () => {
    const sim = compile('ant.xml');
    expect([sim.nq, sim.nv, sim.nu, sim.nbody]).toEqual([15, 14, 8, 14]);
    expectOptions(sim, 0.01, 'RK4');
    expect(Array.from(sim.qpos)).toEqual([0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Body ids 1–13 in the sheet's order, which is the order of the cfrc_ext rows in the observation.
    const masses = Array.from(sim.model.body_mass as Float64Array);
    const leg = [0.039158, 0.039158, 0.067592];
    [0, 0.32725, ...leg, ...leg, ...leg, ...leg].forEach((mass, b) => expect(masses[b], `mass of body ${b}`).toBeCloseTo(mass, 5));
    expect(masses.reduce((a, b) => a + b, 0)).toBeCloseTo(0.9109, 4);
    const parents = Array.from(sim.model.body_parentid as Int32Array);
    expect(parents).toEqual([0, 0, 1, 2, 3, 1, 5, 6, 1, 8, 9, 1, 11, 12]);
    for (const [body, name] of [[1, 'torso'], [2, 'front_left_leg'], [3, 'aux_1'], [5, 'front_right_leg'], [8, 'back_leg'], [11, 'right_back_leg']] as const) {
      expect(id(sim, 'body', name)).toBe(body);
    }
    const ends = capsuleEnds(sim, 'leg_1_lower')
      .map((end) => end.map((v) => Number(v.toFixed(6))))
      .sort((p, q) => p[0] - q[0]);
    expect(ends).toEqual([
      [0.4, 0.4, 0.75],
      [0.8, 0.8, 0.75],
    ]);
    expectJoints(sim, {
      hip_1: { range: [deg(-30), deg(30)], stiffness: 0, damping: 1, armature: 1 },
      ankle_1: { range: [deg(30), deg(70)], stiffness: 0, damping: 1, armature: 1 },
      ankle_2: { range: [deg(-70), deg(-30)], stiffness: 0, damping: 1, armature: 1 },
      ankle_3: { range: [deg(-70), deg(-30)], stiffness: 0, damping: 1, armature: 1 },
      ankle_4: { range: [deg(30), deg(70)], stiffness: 0, damping: 1, armature: 1 },
      root: { stiffness: 0, damping: 0, armature: 0 },
    });
    const axis = sim.model.jnt_axis as Float64Array;
    const ankle1 = id(sim, 'joint', 'ankle_1');
    expect(Array.from(axis.subarray(3 * ankle1, 3 * ankle1 + 3)).map((v) => Number(v.toFixed(6)))).toEqual([-0.707107, 0.707107, 0]);
    expectActuators(
      sim,
      ['hip_4', 'ankle_4', 'hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3'].map((joint) => [joint, 150, [-1, 1]]),
    );
    const contact = { friction: [1, 0.5, 0.5], condim: 3, margin: 0.01, solref: [0.02, 1], solimp: [0.9, 0.95, 0.001] };
    expect(geomFacts(sim, 'leg_4_lower')).toEqual({ ...contact, contype: 1, conaffinity: 0 });
    expect(geomFacts(sim, 'floor')).toEqual({ ...contact, contype: 1, conaffinity: 1 });
  });
});
