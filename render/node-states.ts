import type { NodeSnapshot, Trace, TraceStep } from '../engine/trace.js';

/**
 * Every node's state after a step, rebuilt from the trace's `initial` states
 * and each step's `changes` (step 0 = the initial state). Status follows the
 * steps that change it: `start` and `recover` bring a node up, `crash` or a
 * handler that crashes takes it down. In render/ because a diagram window
 * opens with the states at its start, and the preview's node table shows the
 * same states: one replay for both.
 */
export function nodeStatesAt(trace: Trace, step: number): Record<string, NodeSnapshot> {
  const out: Record<string, NodeSnapshot> = {};
  for (const [name, s] of Object.entries(trace.initial)) out[name] = { status: s.status, byzantine: s.byzantine, vars: { ...s.vars } };
  const last = Math.max(0, Math.min(step, trace.steps.length));
  for (let i = 0; i < last; i++) applyStep(out, trace.steps[i]!);
  return out;
}

function applyStep(states: Record<string, NodeSnapshot>, step: TraceStep): void {
  for (const c of step.changes) {
    const s = states[c.node];
    if (s) s.vars[c.variable] = c.after;
  }
  const node = step.node !== null ? states[step.node] : undefined;
  if (!node) return;
  if (step.kind === 'start' || step.kind === 'recover') node.status = 'up';
  if (step.kind === 'crash' || step.crashed) node.status = 'crashed';
}
