/**
 * Reading a quantile out of a digest's centroids (see digest.ts). Centroids are STRIDE numbers
 * each, [mean, weight, min, max], sorted by mean.
 */
export const STRIDE = 4;

/**
 * Value of the element of nearest rank ceil(r). Piecewise-linear through one knot per
 * centroid at its mass centre; between two centroids whose value ranges do not overlap, the
 * line goes knot → own max, then next min → next knot, so it never invents a value inside
 * the empty range between them. Singletons are exact.
 */
export function interpolate(c: Float64Array, nc: number, total: number, r: number): number {
  const last = nc - 1;
  const x = Math.ceil(r) - 0.5; // centre of the wanted element, in rank units
  let before = 0;
  for (let i = 0; i <= last; i++) {
    const k = i * STRIDE;
    const w = c[k + 1];
    const mid = before + w / 2;
    if (i === 0 && x <= mid) return lerp(x, 0.5, c[k + 2], mid, knot(c, nc, i));
    if (i === last) return lerp(x, mid, knot(c, nc, i), total - 0.5, c[k + 3]);
    const nw = c[k + STRIDE + 1];
    const nmid = before + w + nw / 2;
    if (x <= nmid) {
      const hi = c[k + 3], nlo = c[k + STRIDE + 2];
      if (hi > nlo) return lerp(x, mid, knot(c, nc, i), nmid, knot(c, nc, i + 1)); // overlapping ranges
      const a = before + w - 0.5; // centre of this centroid's last element
      const b = before + w + 0.5; // centre of the next centroid's first element
      if (x <= a) return lerp(x, mid, knot(c, nc, i), a, hi);
      if (x >= b) return lerp(x, b, nlo, nmid, knot(c, nc, i + 1));
      return x - a < b - x ? hi : nlo;
    }
    before += w;
  }
  return nc > 0 ? c[(nc - 1) * STRIDE + 3] : 0;
}


/**
 * The value at centroid i's mass centre. When its range overlaps no neighbour's, the line
 * runs min → knot → max across it, and the knot is chosen so that line's average is the
 * centroid's mean: v = 2·mean − (min + max)/2, kept within [min, max]. Otherwise the mean.
 */
function knot(c: Float64Array, nc: number, i: number): number {
  const k = i * STRIDE;
  const mean = c[k], w = c[k + 1], lo = c[k + 2], hi = c[k + 3];
  if (w < 3) return mean;
  const leftClear = i === 0 || c[k - STRIDE + 3] <= lo;
  const rightClear = i === nc - 1 || hi <= c[k + STRIDE + 2];
  if (!leftClear || !rightClear) return mean;
  const v = 2 * mean - (lo + hi) / 2;
  return v < lo ? lo : v > hi ? hi : v;
}

/** Linear interpolation of the value at x between (x0, v0) and (x1, v1), clamped to them. */
function lerp(x: number, x0: number, v0: number, x1: number, v1: number): number {
  if (x1 <= x0 || x <= x0) return v0;
  if (x >= x1) return v1;
  return v0 + ((v1 - v0) * (x - x0)) / (x1 - x0);
}
