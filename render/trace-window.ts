import type { Trace } from '../engine/trace.js';
import { stepStatementCount } from './mermaid.js';

/**
 * Which steps of a trace a diagram draws. Mermaid's cost grows with the number
 * of arrows and notes it draws (about 1 ms each in Chromium, more on a busy
 * machine) and it draws an error picture past `maxTextSize`, so long traces are
 * drawn as a window around the step in focus; the emitter marks the steps left
 * out and opens the window with the node states at its start.
 */
export interface TraceWindow {
  /** The step (1-based) the window is centred on. */
  focus: number;
  /** Steps drawn on each side of the focus. */
  radius: number;
}

/**
 * Arrows and notes one drawing may hold. A step costs one to several statements
 * (its message, lost sends, events, one note per node whose state changed), so
 * windows are sized by statements, not steps. Mermaid costs ~40 ms plus ~1-2 ms
 * per statement on the 2-core machine class while other jobs share it, and the
 * preview's first paint of a 10,000-step run also parses the trace (~30 ms) and
 * draws the overview and node table (~30 ms): 30 statements keep it within 150 ms
 * (bench/render.ts; 50 measured ~170 ms, 40 ~170 ms at load 4-8). That is still
 * more than a screen of diagram (~50 px a statement), and moving past a window's
 * end draws the next one in ~100 ms.
 */
export const windowStatements = 30;

/**
 * Statements a `faultline diagram` file holds before it is windowed: it is drawn
 * later, by whatever reads it, so a counterexample is kept in one piece.
 */
export const cliWindowStatements = 200;

/**
 * Statements a window draws besides its steps: the focus box's label, a marker
 * for each side with steps left out, and after an earlier-steps marker one
 * state note per node (render/mermaid.ts).
 */
function windowOverhead(trace: Trace, earlier: boolean, later: boolean): number {
  return 1 + (earlier ? 1 + trace.nodes.length : 0) + (later ? 1 : 0);
}

/**
 * The window for showing `focus` (0 = the initial state), or null to draw the
 * whole trace: a trace whose steps fit in `budget` statements is drawn whole. A
 * window that already shows `focus` is kept, so moving through the steps inside
 * it needs no new drawing. The window is as wide as the budget allows around the
 * focus; near either end it starts at step 1 (ends at the last step) instead of
 * being cut short. It always holds at least the focus step.
 */
export function traceWindow(trace: Trace, focus: number, current: TraceWindow | null, budget = windowStatements): TraceWindow | null {
  const steps = trace.steps.length;
  const count = (index: number) => stepStatementCount(trace.steps[index - 1]!);
  if (fitsWhole(trace, budget)) return null;
  const at = Math.max(1, Math.min(steps, focus));
  if (current && at >= current.focus - current.radius && at <= current.focus + current.radius) return current;
  const room = (earlier: boolean, later: boolean) => Math.max(1, budget - windowOverhead(trace, earlier, later));
  // The widest radius around `centre` within `room` (steps outside the trace count nothing).
  const radiusAt = (centre: number): number => {
    const limit = room(true, true);
    let used = count(centre);
    let r = 0;
    while (centre - r - 1 >= 1 || centre + r + 1 <= steps) {
      const more = (centre - r - 1 >= 1 ? count(centre - r - 1) : 0) + (centre + r + 1 <= steps ? count(centre + r + 1) : 0);
      if (used + more > limit) break;
      used += more;
      r++;
    }
    return r;
  };
  // The widest window [lo, lo + 2r] starting at `lo` (or ending at `hi`) within `room`.
  const fromEdge = (edge: number, dir: 1 | -1): number => {
    const limit = room(dir === -1, dir === 1);
    let used = count(edge);
    let r = 0;
    for (;;) {
      const a = edge + dir * (2 * r + 1);
      const b = edge + dir * (2 * r + 2);
      if (a < 1 || a > steps || b < 1 || b > steps) break;
      const more = count(a) + count(b);
      if (used + more > limit) break;
      used += more;
      r++;
    }
    return r;
  };
  const r = radiusAt(at);
  if (at - r < 1) {
    const s = fromEdge(1, 1);
    if (at <= 1 + 2 * s) return { focus: 1 + s, radius: s };
  } else if (at + r > steps) {
    const e = fromEdge(steps, -1);
    if (at >= steps - 2 * e) return { focus: steps - e, radius: e };
  }
  return { focus: at, radius: r };
}

/** Whether the whole trace fits in `budget` statements (stops counting once it does not). */
function fitsWhole(trace: Trace, budget: number): boolean {
  let used = 0;
  for (const step of trace.steps) {
    used += stepStatementCount(step);
    if (used > budget) return false;
  }
  return true;
}
