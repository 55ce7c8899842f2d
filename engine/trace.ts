import type { Span } from '../language/span.js';
import type { LostReason, StepInfo, StepKind } from './steps.js';
import { initialStates, successors } from './steps.js';
import type { Msg, State, TransitionSystem } from './system.js';
import { FLAG_BYZANTINE, FLAG_UP } from './system.js';
import type { RtType, Value } from './values.js';
import { equalValues } from './values.js';

/**
 * The one trace format (`docs/trace-format.md`) that diagrams, diagnostics,
 * notebooks and the CLI all read. Plain JSON.
 */
export type JsonValue = boolean | number | string | null | JsonValue[] | { [key: string]: JsonValue };

export interface TraceNode {
  name: string;
  role: string;
}

export interface TraceMessage {
  /** Unique within the trace: links a send to its delivery (or loss). */
  id: number;
  name: string;
  from: string;
  to: string;
  fields: Record<string, JsonValue>;
}

export interface SentMessage extends TraceMessage {
  /** Why the message never entered the network; null when it did. */
  lost: LostReason | null;
}

export interface VarChange {
  node: string;
  variable: string;
  before: JsonValue;
  after: JsonValue;
}

export interface NodeSnapshot {
  status: 'up' | 'crashed' | 'not started';
  byzantine: boolean;
  vars: Record<string, JsonValue>;
}

export interface TraceStep {
  /** 1-based. */
  index: number;
  kind: StepKind;
  /** The acting node (receiver, timer owner, crashed or recovered node); null for ticks, partitions, heals. */
  node: string | null;
  /** The message delivered, dropped, duplicated or delayed. */
  message: TraceMessage | null;
  timer: string | null;
  /** The source range of the handler that ran. */
  handler: Span | null;
  sent: SentMessage[];
  /** Messages removed from the network by this step (a crash, a partition). */
  discarded: number[];
  events: { kind: 'decide' | 'deliver'; value: JsonValue }[];
  changes: VarChange[];
  /** The budget or scripted fault this step spent. */
  fault: { label: string; span: Span } | null;
  /** The acting node crashed at the end of this step. */
  crashed: boolean;
  /** Groups of node names, for a partition step. */
  partition: string[][] | null;
  error: { message: string; span: Span } | null;
}

export interface TraceVerdict {
  property: string;
  kind: 'invariant' | 'eventually' | 'runtime-error';
  message: string;
  /** The step after which the property is seen false (0 = the initial state). */
  step: number;
  /**
   * For a run that never ends: the steps after this many repeat forever (the cycle
   * returns to the state after step `loopStart`, up to renaming symmetric replicas).
   */
  loopStart?: number;
  span: Span;
}

export interface Trace {
  format: 'faultline-trace/1';
  protocol: string;
  run: string;
  nodes: TraceNode[];
  initial: Record<string, NodeSnapshot>;
  steps: TraceStep[];
  /** The state of every node after the last step. */
  final: Record<string, NodeSnapshot>;
  violation: TraceVerdict | null;
}

/** Replays a path of successor indices from an initial state: the states and steps along it. */
export function replayPath(sys: TransitionSystem, initial: number, path: readonly number[]): { states: State[]; steps: StepInfo[] } {
  const inits = initialStates(sys);
  let s = inits[initial] ?? inits[0]!;
  const states = [s];
  const steps: StepInfo[] = [];
  for (const k of path) {
    const succs = successors(sys, s);
    const next = succs[k];
    if (!next) break;
    steps.push(next.step);
    s = next.state;
    states.push(s);
  }
  return { states, steps };
}

/** Renders a value by its type: labels and node names as text, maps as objects. */
export function valueToJson(sys: TransitionSystem, t: RtType, v: Value): JsonValue {
  switch (t.k) {
    case 'bool':
      return v !== 0;
    case 'int':
    case 'any':
      return typeof v === 'number' ? v : (v as readonly Value[]).map((x) => valueToJson(sys, { k: 'any' }, x));
    case 'enum':
      return sys.labels[v as number] ?? String(v);
    case 'node':
      return sys.nodes[v as number]?.name ?? String(v);
    case 'set':
    case 'seq':
      return (v as readonly Value[]).map((x) => valueToJson(sys, t.element, x));
    case 'map': {
      const out: Record<string, JsonValue> = {};
      (v as readonly Value[]).forEach((x, i) => {
        const key = valueToJson(sys, t.key, t.keys[i]!);
        out[typeof key === 'string' ? key : JSON.stringify(key)] = valueToJson(sys, t.value, x);
      });
      return out;
    }
  }
}

export function snapshotNodes(sys: TransitionSystem, s: State): Record<string, NodeSnapshot> {
  const out: Record<string, NodeSnapshot> = {};
  for (const node of sys.nodes) {
    const ns = s.nodes[node.id]!;
    const role = sys.roles[node.role]!;
    const vars: Record<string, JsonValue> = {};
    role.vars.forEach((v, i) => {
      vars[v.name] = valueToJson(sys, v.type, ns.vars[i]!);
    });
    out[node.name] = {
      status: ns.flags & FLAG_UP ? (ns.flags & 4 ? 'up' : 'not started') : 'crashed',
      byzantine: (ns.flags & FLAG_BYZANTINE) !== 0,
      vars,
    };
  }
  return out;
}

/** Builds the JSON trace of a path, tracking message identities from send to delivery. */
export function buildTrace(
  sys: TransitionSystem,
  initial: number,
  path: readonly number[],
  violation: Omit<TraceVerdict, 'step'> | null,
): Trace {
  const { states, steps } = replayPath(sys, initial, path);
  const inFlight: { msg: Msg; id: number }[] = [];
  let nextId = 1;
  const messageJson = (m: Msg, id: number): TraceMessage => {
    const def = sys.messages[m.type]!;
    const fields: Record<string, JsonValue> = {};
    def.fields.forEach((f, i) => {
      fields[f.name] = valueToJson(sys, f.type, m.fields[i] ?? 0);
    });
    return { id, name: def.name, from: sys.nodes[m.src]!.name, to: sys.nodes[m.dst]!.name, fields };
  };
  const sameContent = (a: Msg, b: Msg) =>
    a.type === b.type && a.src === b.src && a.dst === b.dst && a.fields.every((f, i) => equalValues(f, b.fields[i]!));
  const take = (m: Msg): number => {
    const i = inFlight.findIndex((e) => sameContent(e.msg, m));
    if (i < 0) return nextId++;
    const id = inFlight[i]!.id;
    inFlight.splice(i, 1);
    return id;
  };
  const peek = (m: Msg): number => inFlight.find((e) => sameContent(e.msg, m))?.id ?? 0;
  const budgetOrScript = (step: StepInfo): { label: string; span: Span } | null => {
    if (step.script >= 0) {
      const e = sys.script[step.script]!;
      return { label: e.label, span: e.span };
    }
    if (step.budget >= 0) {
      const b = sys.budgets[step.budget]!;
      return { label: b.label, span: b.span };
    }
    if (step.kind === 'drop' && sys.lossy) return { label: 'lossy link', span: sys.runSpan };
    return null;
  };

  const traceSteps: TraceStep[] = steps.map((step, i) => {
    const before = states[i]!;
    const after = states[i + 1]!;
    let message: TraceMessage | null = null;
    if (step.msg) {
      const keep = step.kind === 'duplicate' || step.kind === 'delay';
      const id = keep ? peek(step.msg) : take(step.msg);
      message = messageJson(step.msg, id);
      if (step.kind === 'duplicate') inFlight.push({ msg: step.msg, id: nextId++ });
    }
    const sent: SentMessage[] = step.sends.map((x) => {
      const id = nextId++;
      if (!x.lost) inFlight.push({ msg: x.msg, id });
      return { ...messageJson(x.msg, id), lost: x.lost };
    });
    // Messages that vanished without a delivery: to a node that crashed, across a partition.
    const discarded: number[] = [];
    for (let j = inFlight.length - 1; j >= 0; j--) {
      const e = inFlight[j]!;
      if (!after.msgs.some((m) => sameContent(m, e.msg))) {
        discarded.push(e.id);
        inFlight.splice(j, 1);
      }
    }
    return {
      index: i + 1,
      kind: step.kind,
      node: step.node >= 0 ? sys.nodes[step.node]!.name : null,
      message,
      timer: step.timer >= 0 && step.node >= 0 ? (sys.roles[sys.nodes[step.node]!.role]!.timers[step.timer] ?? null) : null,
      handler: step.handler ? step.handler.span : null,
      sent,
      discarded: discarded.reverse(),
      events: step.events.map((e) => ({ kind: e.kind, value: eventJson(sys, step.node, e.kind, e.value) })),
      changes: diffStates(sys, before, after),
      fault: budgetOrScript(step),
      crashed: step.crashed || step.kind === 'crash',
      partition: step.partition ? partitionGroups(sys, step.partition) : null,
      error: step.error ? { message: step.error.message, span: step.error.span } : null,
    };
  });

  return {
    format: 'faultline-trace/1',
    protocol: sys.protocol,
    run: sys.runName,
    nodes: sys.nodes.map((n) => ({ name: n.name, role: sys.roles[n.role]!.name })),
    initial: snapshotNodes(sys, states[0]!),
    steps: traceSteps,
    final: snapshotNodes(sys, states[states.length - 1]!),
    violation: violation ? { ...violation, step: traceSteps.length } : null,
  };
}

function eventJson(sys: TransitionSystem, node: number, kind: 'decide' | 'deliver', v: Value): JsonValue {
  if (node < 0) return typeof v === 'number' ? v : null;
  const role = sys.roles[sys.nodes[node]!.role]!;
  const slot = kind === 'decide' ? role.decisionSlot : role.deliveredSlot;
  const t = slot >= 0 ? role.vars[slot]!.type : ({ k: 'any' } as RtType);
  return valueToJson(sys, kind === 'deliver' && t.k === 'seq' ? t.element : t, v);
}

function partitionGroups(sys: TransitionSystem, mask: number): string[][] {
  const a: string[] = [];
  const b: string[] = [];
  for (const n of sys.nodes) ((mask >> n.id) & 1 ? b : a).push(n.name);
  return [a, b];
}

/** Every variable whose value differs between two states, and crash/recovery status changes. */
export function diffStates(sys: TransitionSystem, before: State, after: State): VarChange[] {
  const out: VarChange[] = [];
  for (const node of sys.nodes) {
    const a = before.nodes[node.id]!;
    const b = after.nodes[node.id]!;
    if (a === b) continue;
    const role = sys.roles[node.role]!;
    role.vars.forEach((v, i) => {
      if (!equalValues(a.vars[i]!, b.vars[i]!)) {
        out.push({ node: node.name, variable: v.name, before: valueToJson(sys, v.type, a.vars[i]!), after: valueToJson(sys, v.type, b.vars[i]!) });
      }
    });
  }
  return out;
}
