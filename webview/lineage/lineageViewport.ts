/** Pan and zoom of the graph as one transform: screen = graph × k + (x, y). Pure, for tests. */

export interface Viewport {
  x: number;
  y: number;
  k: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_ZOOM = 0.15;
export const MAX_ZOOM = 3;

const clampZoom = (k: number): number => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * The whole graph centred in the view minus `insets` (room kept for the legend). Small graphs
 * stay at natural size (blowing three boxes up to fill a wide panel makes text huge); large ones
 * shrink to fit.
 */
export function fitViewport(graph: Size, view: Size, insets: Insets = { top: 16, right: 16, bottom: 16, left: 16 }): Viewport {
  const room = { width: Math.max(1, view.width - insets.left - insets.right), height: Math.max(1, view.height - insets.top - insets.bottom) };
  const k = clampZoom(Math.min(1, room.width / Math.max(1, graph.width), room.height / Math.max(1, graph.height)));
  return { k, x: insets.left + (room.width - graph.width * k) / 2, y: insets.top + (room.height - graph.height * k) / 2 };
}

/** Zooms by `factor` keeping the graph point under (px, py) where it is on screen. */
export function zoomAt(v: Viewport, factor: number, px: number, py: number): Viewport {
  const k = clampZoom(v.k * factor);
  const ratio = k / v.k;
  return { k, x: px - (px - v.x) * ratio, y: py - (py - v.y) * ratio };
}

/** The smallest pan that brings a graph rectangle fully into view (keyboard focus moving off-screen). */
export function panIntoView(v: Viewport, rect: { x: number; y: number; width: number; height: number }, view: Size, margin = 16): Viewport {
  const left = rect.x * v.k + v.x;
  const top = rect.y * v.k + v.y;
  const right = left + rect.width * v.k;
  const bottom = top + rect.height * v.k;
  let dx = 0;
  let dy = 0;
  if (left < margin) dx = margin - left;
  else if (right > view.width - margin) dx = Math.max(margin - left, view.width - margin - right);
  if (top < margin) dy = margin - top;
  else if (bottom > view.height - margin) dy = Math.max(margin - top, view.height - margin - bottom);
  return dx === 0 && dy === 0 ? v : { ...v, x: v.x + dx, y: v.y + dy };
}
