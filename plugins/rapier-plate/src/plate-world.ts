import type { RigidBody, World } from '@dimforge/rapier3d-compat';
import { tiltMatrix, tiltQuaternion, toWorld, type Quaternion } from './plate-frame.js';
import type { Rapier } from './rapier.js';

/** Sizes and materials of one plate and ball, in metres and seconds. */
export interface PlateGeometry {
  plateSize: number;
  ballRadius: number;
  friction: number;
  /** Seconds per physics step. */
  physicsStep: number;
}

/** Where an episode starts: tilt angles (rad), and the ball on the plate in plate coordinates (m, m/s). */
export interface PlateStart {
  tiltX: number;
  tiltY: number;
  ballX: number;
  ballY: number;
  ballVx: number;
  ballVy: number;
}

const GRAVITY = 9.81;
/** The plate is a slab this fraction of its side thick (thick enough that the ball never tunnels). */
const THICKNESS_RATIO = 0.04;

/**
 * One Rapier world with the plate and the ball. The plate is a kinematic, position-based body
 * whose origin is the centre of its top face, so tilting it never lifts a centred ball; it is
 * turned by giving it the pose to reach at the end of the next physics step. The ball is a
 * dynamic sphere that never sleeps (a sleeping ball would ignore a slowly tilting plate).
 * Gravity points along −z. Free the world with `free()`: it lives in WebAssembly memory.
 */
export class PlateWorld {
  private readonly world: World;
  private readonly plate: RigidBody;
  private readonly ball: RigidBody;
  // Reused for every call into Rapier: stepping allocates no JavaScript objects of ours.
  private readonly rotation: Quaternion = { x: 0, y: 0, z: 0, w: 1 };
  private readonly vector = { x: 0, y: 0, z: 0 };
  private freed = false;

  constructor(rapier: Rapier, geometry: PlateGeometry, start: PlateStart) {
    const { plateSize, ballRadius, friction, physicsStep } = geometry;
    const world = new rapier.World({ x: 0, y: 0, z: -GRAVITY });
    try {
      world.timestep = physicsStep;
      const orientation = tiltQuaternion(start.tiltX, start.tiltY, { x: 0, y: 0, z: 0, w: 1 });
      const plate = world.createRigidBody(rapier.RigidBodyDesc.kinematicPositionBased().setRotation(orientation));
      const half = plateSize / 2;
      const thickness = plateSize * THICKNESS_RATIO;
      world.createCollider(
        rapier.ColliderDesc.cuboid(half, half, thickness / 2).setTranslation(0, 0, -thickness / 2).setFriction(friction).setRestitution(0),
        plate,
      );

      // The ball rests on the plate, rolling without slipping at its start velocity.
      const r = tiltMatrix(start.tiltX, start.tiltY, new Float64Array(9));
      // position, velocity and spin (ω = n̂ × v / radius), turned from plate into world coordinates
      const ballState = new Float64Array(9);
      toWorld(r, start.ballX, start.ballY, ballRadius, ballState, 0);
      toWorld(r, start.ballVx, start.ballVy, 0, ballState, 3);
      toWorld(r, -start.ballVy / ballRadius, start.ballVx / ballRadius, 0, ballState, 6);
      const ball = world.createRigidBody(
        rapier.RigidBodyDesc.dynamic()
          .setTranslation(ballState[0], ballState[1], ballState[2])
          .setLinvel(ballState[3], ballState[4], ballState[5])
          .setAngvel({ x: ballState[6], y: ballState[7], z: ballState[8] })
          .setCanSleep(false),
      );
      world.createCollider(rapier.ColliderDesc.ball(ballRadius).setFriction(friction).setRestitution(0), ball);
      this.world = world;
      this.plate = plate;
      this.ball = ball;
    } catch (error) {
      world.free();
      throw error;
    }
  }

  /** Turns the plate so that it reaches (tiltX, tiltY) at the end of one physics step, and takes that step. */
  step(tiltX: number, tiltY: number): void {
    if (this.freed) throw new Error('PlateWorld.step() was called after free()');
    this.plate.setNextKinematicRotation(tiltQuaternion(tiltX, tiltY, this.rotation));
    this.world.step();
  }

  /** The ball's centre and velocity in world coordinates: [x, y, z, vx, vy, vz]. */
  readBall(out: Float64Array): Float64Array {
    if (this.freed) throw new Error('PlateWorld.readBall() was called after free()');
    const p = this.ball.translation(this.vector);
    out[0] = p.x;
    out[1] = p.y;
    out[2] = p.z;
    const v = this.ball.linvel(this.vector);
    out[3] = v.x;
    out[4] = v.y;
    out[5] = v.z;
    return out;
  }

  /** Releases the WebAssembly memory of the world; safe to call twice. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.world.free();
  }
}
