import type { Msg, NodeState, State, TransitionSystem } from './system.js';
import { FLAG_BYZANTINE, FLAG_STARTED, FLAG_UP } from './system.js';
import type { Value } from './values.js';
import { compareValues } from './values.js';

/** Orders messages canonically: by channel, then (unordered channels only) by content. */
export function compareMsgs(fifo: boolean, a: Msg, b: Msg): number {
  const c = a.src - b.src || a.dst - b.dst;
  if (c !== 0 || fifo) return c;
  return a.type - b.type || a.left - b.left || compareFields(a.fields, b.fields);
}

function compareFields(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

export function sameMsg(a: Msg, b: Msg): boolean {
  return a.type === b.type && a.src === b.src && a.dst === b.dst && a.left === b.left && compareFields(a.fields, b.fields) === 0;
}

/** Inserts a message keeping the canonical order (after its channel's last message under FIFO). */
export function insertMsg(fifo: boolean, msgs: Msg[], m: Msg): void {
  let i = msgs.length;
  while (i > 0 && compareMsgs(fifo, msgs[i - 1]!, m) > 0) i--;
  msgs.splice(i, 0, m);
}

/** Appends the words of a state to `out`: the state's identity for hashing. */
export function encodeState(sys: TransitionSystem, s: State, out: number[]): void {
  const n = s.nodes.length;
  for (let i = 0; i < n; i++) encodeNode(s.nodes[i]!, out);
  out.push(s.msgs.length);
  for (const m of s.msgs) encodeMsg(m, out);
  for (const u of s.used) out.push(u);
  out.push(s.partition, s.healAt, s.fired, s.clock, s.seen);
  for (const d of s.dropsLeft) out.push(d);
  void sys;
}

export function encodeNode(node: NodeState, out: number[]): void {
  out.push(node.flags);
  for (const v of node.vars) encodeValue(v, out);
  for (const t of node.timers) out.push(t);
}

function encodeMsg(m: Msg, out: number[]): void {
  out.push(m.type, m.src, m.dst, m.left);
  for (const f of m.fields) encodeValue(f, out);
}

export function encodeValue(v: Value, out: number[]): void {
  if (typeof v === 'number') out.push(v);
  else {
    out.push(v.length);
    for (const x of v) encodeValue(x, out);
  }
}

/** Node state as the user sees it: named variables, up or crashed, Byzantine or not. */
export function nodeFlagsText(flags: number): string {
  const parts: string[] = [];
  parts.push(flags & FLAG_UP ? 'up' : 'crashed');
  if (flags & FLAG_BYZANTINE) parts.push('byzantine');
  if (!(flags & FLAG_STARTED)) parts.push('not started');
  return parts.join(', ');
}
