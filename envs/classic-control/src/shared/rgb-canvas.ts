import type { RgbFrame } from '@rlft/core';

export type Rgb = readonly [number, number, number];
/** A point in pixel coordinates: x to the right, y down. */
export type Point = readonly [number, number];

/**
 * A software canvas for 'rgb_array' renders: filled convex polygons, discs and thick lines,
 * sampled at pixel centres (no anti-aliasing). Classic-control frames are simple enough that
 * this stands in for Gymnasium's pygame drawing.
 */
export class RgbCanvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(width: number, height: number, background: Rgb = [255, 255, 255]) {
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < this.data.length; i += 3) {
      this.data[i] = background[0];
      this.data[i + 1] = background[1];
      this.data[i + 2] = background[2];
    }
  }

  setPixel(x: number, y: number, color: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = color[0];
    this.data[i + 1] = color[1];
    this.data[i + 2] = color[2];
  }

  /** Fills a convex polygon given in either winding order. */
  fillConvexPolygon(points: readonly Point[], color: Rgb): void {
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [x, y] of points) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const x0 = Math.max(0, Math.floor(minX));
    const x1 = Math.min(this.width - 1, Math.ceil(maxX));
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(this.height - 1, Math.ceil(maxY));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (insideConvex(points, x + 0.5, y + 0.5)) this.setPixel(x, y, color);
      }
    }
  }

  fillCircle(cx: number, cy: number, radius: number, color: Rgb): void {
    const r2 = radius * radius;
    for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
      for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (dx * dx + dy * dy <= r2) this.setPixel(x, y, color);
      }
    }
  }

  /** A line of the given thickness, drawn as a rectangle around the segment. */
  line(from: Point, to: Point, thickness: number, color: Rgb): void {
    const dx = to[0] - from[0];
    const dy = to[1] - from[1];
    const length = Math.hypot(dx, dy);
    if (length === 0) {
      this.fillCircle(from[0], from[1], thickness / 2, color);
      return;
    }
    const nx = (-dy / length) * (thickness / 2);
    const ny = (dx / length) * (thickness / 2);
    this.fillConvexPolygon(
      [
        [from[0] + nx, from[1] + ny],
        [to[0] + nx, to[1] + ny],
        [to[0] - nx, to[1] - ny],
        [from[0] - nx, from[1] - ny],
      ],
      color,
    );
  }

  toFrame(): RgbFrame {
    return { width: this.width, height: this.height, data: this.data };
  }
}

/** Inside (or on the edge of) a convex polygon: the point lies on the same side of every edge. */
function insideConvex(points: readonly Point[], px: number, py: number): boolean {
  let sign = 0;
  for (let i = 0; i < points.length; i++) {
    const [ax, ay] = points[i];
    const [bx, by] = points[(i + 1) % points.length];
    const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
    if (cross === 0) continue;
    const s = cross > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}
