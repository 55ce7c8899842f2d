/**
 * Which steps of a trace a diagram draws. Mermaid's cost grows with the number
 * of arrows and notes (about 1 ms each in Chromium) and it draws an error
 * picture past `maxTextSize`, so long traces are drawn as a window around the
 * step in focus; the emitter marks the steps left out.
 */
export interface TraceWindow {
  /** The step (1-based) the window is centred on. */
  focus: number;
  /** Steps drawn on each side of the focus. */
  radius: number;
}

/** Traces up to this many steps are drawn whole. */
export const wholeTraceSteps = 120;
/** Steps on each side of the focus in a window. */
export const windowRadius = 40;

/**
 * The window for showing `focus` (0 = the initial state), or null to draw the
 * whole trace. A window that already shows `focus` is kept, so moving through
 * the steps inside it needs no new drawing.
 */
export function traceWindow(steps: number, focus: number, current: TraceWindow | null, radius = windowRadius): TraceWindow | null {
  if (steps <= wholeTraceSteps) return null;
  const at = Math.max(1, Math.min(steps, focus));
  if (current && at >= current.focus - current.radius && at <= current.focus + current.radius) return current;
  return { focus: Math.max(1 + radius, Math.min(steps - radius, at)), radius };
}
