import type * as ast from '../language/ast.js';
import { assertNever } from '../language/ast.js';
import type { CheckedModel, RoleInfo, StateInfo } from '../language/check/model.js';
import type { Span } from '../language/span.js';
import { mermaidText } from './mermaid.js';

/**
 * The phases of a node role: one enum state variable, its labels as states and
 * the handlers' assignments to it as transitions, like the textbook figures of
 * 2PC and 3PC. Plain JSON, so it crosses into the webview unchanged.
 */
export interface StateMachine {
  role: string;
  variable: string;
  /** The enum's labels, in declaration order. */
  states: string[];
  /** The labels a node may start in (every label for `= any`). */
  initial: string[];
  transitions: StateTransition[];
}

export interface StateTransition {
  from: string;
  to: string;
  /** What makes it happen, one per handler: `VoteRequest / Vote`, `timeout votes`, `recover`. */
  triggers: string[];
  /** The handlers that make it, for "go to source". */
  handlers: Span[];
}

/** What a condition says about the variable: the labels for which it may be true, and may be false. */
interface Split {
  t: Set<string>;
  f: Set<string>;
}

/**
 * Every enum state variable of every role, as a state machine. Sound but not
 * exact: a condition that does not mention the variable allows every label, so a
 * transition drawn here may be one that no run takes, never the reverse.
 */
export function stateMachines(model: CheckedModel): StateMachine[] {
  const out: StateMachine[] = [];
  for (const role of model.roles) {
    for (const state of role.states) {
      if (state.type.kind !== 'enum' || state.type.labels.length === 0) continue;
      out.push(machineOf(model, role, state, state.type.labels));
    }
  }
  return out;
}

function machineOf(model: CheckedModel, role: RoleInfo, state: StateInfo, labels: string[]): StateMachine {
  const all = (): Set<string> => new Set(labels);
  const isVar = (e: ast.Expr): boolean => {
    if (e.kind === 'NameExpr') {
      const ref = model.refs.get(e);
      return ref?.kind === 'state' && ref.role === role.name && ref.name === state.name;
    }
    return e.kind === 'FieldExpr' && e.target.kind === 'SelfExpr' && e.field.name === state.name;
  };
  const labelOf = (e: ast.Expr): string | null => {
    if (e.kind !== 'NameExpr') return null;
    const ref = model.refs.get(e);
    return ref?.kind === 'label' && labels.includes(ref.name) ? ref.name : null;
  };
  // The labels an assigned expression may evaluate to; null when it is not made of labels.
  const valuesOf = (e: ast.Expr): Set<string> | null => {
    const l = labelOf(e);
    if (l !== null) return new Set([l]);
    if (e.kind === 'CondExpr') {
      const a = valuesOf(e.then);
      const b = valuesOf(e.else);
      return a && b ? new Set([...a, ...b]) : null;
    }
    return null;
  };
  const labelSet = (e: ast.Expr): Set<string> | null => {
    if (e.kind !== 'SetLit') return null;
    const out = new Set<string>();
    for (const x of e.elements) {
      const l = labelOf(x);
      if (l === null) return null;
      out.add(l);
    }
    return out;
  };
  const complement = (s: Set<string>): Set<string> => new Set(labels.filter((l) => !s.has(l)));
  const exact = (s: Set<string>): Split => ({ t: s, f: complement(s) });
  const split = (e: ast.Expr): Split => {
    switch (e.kind) {
      case 'BoolLit':
        return e.value ? { t: all(), f: new Set() } : { t: new Set(), f: all() };
      case 'UnaryExpr':
        if (e.op === 'not') {
          const s = split(e.operand);
          return { t: s.f, f: s.t };
        }
        return { t: all(), f: all() };
      case 'BinaryExpr': {
        if (e.op === 'and' || e.op === 'or' || e.op === 'implies') {
          const a = split(e.left);
          const b = split(e.right);
          if (e.op === 'and') return { t: intersect(a.t, b.t), f: union(a.f, b.f) };
          if (e.op === 'or') return { t: union(a.t, b.t), f: intersect(a.f, b.f) };
          return { t: union(a.f, b.t), f: intersect(a.t, b.f) };
        }
        if (e.op === '==' || e.op === '!=') {
          const l = isVar(e.left) ? labelOf(e.right) : isVar(e.right) ? labelOf(e.left) : null;
          if (l === null) return { t: all(), f: all() };
          const s = exact(new Set([l]));
          return e.op === '==' ? s : { t: s.f, f: s.t };
        }
        if ((e.op === 'in' || e.op === 'not in') && isVar(e.left)) {
          const set = labelSet(e.right);
          if (set === null) return { t: all(), f: all() };
          const s = exact(set);
          return e.op === 'in' ? s : { t: s.f, f: s.t };
        }
        return { t: all(), f: all() };
      }
      default:
        return { t: all(), f: all() };
    }
  };

  const init = state.decl.init;
  let initial: string[];
  if (init === null) initial = [labels[0]!];
  else if (init.kind === 'AnyInit') initial = [...labels];
  else initial = [...(valuesOf(init) ?? new Set(labels))];

  const edges = new Map<string, StateTransition>();
  const add = (from: string, to: string, trigger: string, handler: Span) => {
    if (from === to) return;
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key) ?? { from, to, triggers: [], handlers: [] };
    if (!edge.triggers.includes(trigger)) edge.triggers.push(trigger);
    if (!edge.handlers.some((h) => h.start === handler.start && h.end === handler.end)) edge.handlers.push(handler);
    edges.set(key, edge);
  };

  for (const info of role.handlers) {
    const handler = info.decl;
    const base = triggerText(handler.trigger);
    // Walks a block from the labels the variable may hold; returns the labels it may hold after.
    const walk = (block: ast.Block, before: Set<string>): Set<string> => {
      const sends = block.stmts.flatMap((s) => (s.kind === 'SendStmt' || s.kind === 'BroadcastStmt' ? [s.message.name] : []));
      const trigger = sends.length > 0 ? `${base} / ${[...new Set(sends)].join(', ')}` : base;
      let now = before;
      for (const stmt of block.stmts) {
        if (now.size === 0) break;
        now = walkStmt(stmt, now, trigger);
      }
      return now;
    };
    const walkStmt = (stmt: ast.Stmt, now: Set<string>, trigger: string): Set<string> => {
      switch (stmt.kind) {
        case 'AssignStmt': {
          const ref = model.refs.get(stmt);
          if (ref?.kind !== 'state' || ref.role !== role.name || ref.name !== state.name || stmt.indices.length > 0) return now;
          const to = stmt.op === '=' ? valuesOf(stmt.value) : null;
          if (to === null) return all();
          for (const from of now) for (const t of to) add(from, t, trigger, handler.span);
          return to;
        }
        case 'IfStmt': {
          const s = split(stmt.condition);
          const a = walk(stmt.then, intersect(now, s.t));
          const b = stmt.else ? walk(stmt.else, intersect(now, s.f)) : intersect(now, s.f);
          return union(a, b);
        }
        case 'ChooseStmt':
          return stmt.branches.reduce((acc, b) => union(acc, walk(b, now)), new Set<string>());
        case 'ChooseValueStmt':
          return walk(stmt.body, now);
        case 'LetStmt':
        case 'SendStmt':
        case 'BroadcastStmt':
        case 'SetTimerStmt':
        case 'CancelTimerStmt':
        case 'DecideStmt':
        case 'DeliverStmt':
          return now;
        default:
          return assertNever(stmt);
      }
    };
    // A node starts in its initial state; a recovering node keeps a stable variable
    // and finds a volatile one re-initialised; any other handler may run in any phase.
    const from = handler.trigger.kind === 'StartTrigger' || (handler.trigger.kind === 'RecoverTrigger' && !state.stable) ? new Set(initial) : all();
    const entry = handler.guard ? intersect(from, split(handler.guard).t) : from;
    walk(handler.body, entry);
  }

  const order = (l: string) => labels.indexOf(l);
  const transitions = [...edges.values()].sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to));
  return { role: role.name, variable: state.name, states: [...labels], initial, transitions };
}

function triggerText(t: ast.Trigger): string {
  switch (t.kind) {
    case 'StartTrigger':
      return 'start';
    case 'RecoverTrigger':
      return 'recover';
    case 'TimeoutTrigger':
      return `timeout ${t.timer.name}`;
    case 'MessageTrigger':
      return t.message.name;
    default:
      return assertNever(t);
  }
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a, ...b]);
}

function intersect(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

/**
 * A state machine as a Mermaid `stateDiagram-v2`. States get generated ids
 * (`s0`, `s1`, ...) and their labels go through `mermaidText`, so no label can
 * clash with a keyword of the diagram language or inject anything.
 */
export function stateMachineToMermaid(machine: StateMachine): string {
  const id = (label: string) => `s${machine.states.indexOf(label)}`;
  const lines = ['stateDiagram-v2'];
  for (const s of machine.states) lines.push(`  state "${mermaidText(s)}" as ${id(s)}`);
  for (const s of machine.initial) lines.push(`  [*] --> ${id(s)}`);
  for (const t of machine.transitions) lines.push(`  ${id(t.from)} --> ${id(t.to)}: ${mermaidText(t.triggers.join('; '))}`);
  return `${lines.join('\n')}\n`;
}
