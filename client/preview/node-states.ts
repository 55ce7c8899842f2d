import type { JsonValue, Trace } from '../../engine/trace.js';

/** The replay lives in render/ (a diagram window opens with the same states); the table reads it from here. */
export { nodeStatesAt } from '../../render/node-states.js';

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
