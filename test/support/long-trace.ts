import type { Trace, TraceStep } from '../../engine/trace.js';

/** A step that did nothing (a `tick`) unless `over` says otherwise: the base of hand-made test traces. */
export function traceStep(index: number, over: Partial<TraceStep> = {}): TraceStep {
  return {
    index,
    kind: 'tick',
    node: null,
    message: null,
    timer: null,
    handler: null,
    sent: [],
    discarded: [],
    events: [],
    changes: [],
    fault: null,
    crashed: false,
    partition: null,
    error: null,
    ...over,
  };
}

/**
 * A synthetic run of any length: `nodes` nodes passing Ping messages round a
 * ring, with a crash, a recovery, a drop, a partition and a heal spread over
 * it, and (optionally) a violation. Used by the overview tests, the long-trace
 * browser tests and `npm run bench:render`.
 */
export function longTrace(steps: number, options: { nodes?: number; violationAt?: number | null } = {}): Trace {
  const count = Math.max(2, options.nodes ?? 3);
  const names = Array.from({ length: count }, (_, i) => `Node[${i + 1}]`);
  const base = (index: number): TraceStep => traceStep(index, { kind: 'deliver', handler: { start: 0, end: 10 } });
  const special = (i: number, n: number) => steps >= 20 && i === Math.floor((steps * n) / 10);
  const out: TraceStep[] = [];
  for (let i = 1; i <= steps; i++) {
    const from = names[(i - 1) % count]!;
    const to = names[i % count]!;
    const s = base(i);
    if (special(i, 2)) out.push({ ...s, kind: 'crash', node: to, crashed: true, fault: { label: `crash ${to}`, span: { start: 0, end: 1 } } });
    else if (special(i, 3)) out.push({ ...s, kind: 'recover', node: to });
    else if (special(i, 4)) out.push({ ...s, kind: 'drop', node: to, message: { id: i, name: 'Ping', from, to, fields: { n: i } } });
    else if (special(i, 5)) out.push({ ...s, kind: 'partition', partition: [[names[0]!], names.slice(1)] });
    else if (special(i, 6)) out.push({ ...s, kind: 'heal' });
    else
      out.push({
        ...s,
        node: to,
        message: { id: i, name: 'Ping', from, to, fields: { n: i } },
        sent: [{ id: i + 1, name: 'Ping', from: to, to: names[(i + 1) % count]!, fields: { n: i + 1 }, lost: null }],
        changes: [{ node: to, variable: 'seen', before: i - 1, after: i }],
      });
  }
  const snapshot = (v: number) => Object.fromEntries(names.map((n) => [n, { status: 'up' as const, byzantine: false, vars: { seen: v } }]));
  const at = options.violationAt === undefined ? null : options.violationAt;
  return {
    format: 'faultline-trace/1',
    protocol: 'Ring',
    run: `Long${steps}`,
    nodes: names.map((name) => ({ name, role: 'Node' })),
    initial: snapshot(0),
    steps: out,
    final: snapshot(steps),
    violation: at === null ? null : { property: 'Bounded', kind: 'invariant', message: 'Bounded does not hold', step: at, span: { start: 0, end: 1 } },
  };
}
