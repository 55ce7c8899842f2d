import type { JsonValue, NodeSnapshot, Trace, TraceStep } from '../../engine/trace.js';

/**
 * Every node's state after a step, rebuilt from the trace's `initial` states
 * and each step's `changes` (step 0 = the initial state). Status follows the
 * steps that change it: `start` and `recover` bring a node up, `crash` or a
 * handler that crashes takes it down.
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

/** What a step changed, as `node` -> variable names, plus the node whose status it changed. */
export function changesAt(trace: Trace, step: number): { vars: Map<string, Set<string>>; status: string | null } {
  const vars = new Map<string, Set<string>>();
  const s = step >= 1 ? trace.steps[step - 1] : undefined;
  if (!s) return { vars, status: null };
  for (const c of s.changes) {
    const set = vars.get(c.node) ?? new Set<string>();
    set.add(c.variable);
    vars.set(c.node, set);
  }
  const statusChanged = s.kind === 'start' || s.kind === 'recover' || s.kind === 'crash' || s.crashed;
  return { vars, status: statusChanged ? s.node : null };
}

/** Two JSON values are the same value (maps compared key by key, in any order). */
export function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]!));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameJson(a[k]!, b[k]!));
}
