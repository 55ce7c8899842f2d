import { compareMsgs, encodeState } from './state.js';
import type { Msg, NodeState, State, TransitionSystem } from './system.js';
import type { RtType, Value } from './values.js';
import { mapKeyIndex, setFrom } from './values.js';
import { WordBuffer } from './word-buffer.js';

/**
 * The words that identify a state up to symmetry. Nodes of each symmetric role
 * are ordered by a signature that ignores which replica is which (ids of
 * symmetric nodes are blinded); nodes whose signatures tie are tried in every
 * order and the smallest encoding wins. Two states that differ only by a
 * renaming of replicas therefore get the same words. When ties would need more
 * than `maxTieOrders` orders, the first order is used: still sound (only real
 * renamings are applied), just less reduction.
 */
export function canonicalWords(sys: TransitionSystem, s: State, out: WordBuffer): void {
  if (!sys.symmetry) {
    encodeState(sys, s, out);
    return;
  }
  const candidates = candidatePermutations(sys, s);
  if (candidates.length === 1) {
    const perm = candidates[0]!;
    encodeState(sys, perm ? permuteState(sys, s, perm) : s, out);
    return;
  }
  const start = out.length;
  const best = new WordBuffer();
  const words = new WordBuffer();
  let first = true;
  for (const perm of candidates) {
    words.clear();
    encodeState(sys, perm ? permuteState(sys, s, perm) : s, words);
    if (first || words.compare(best) < 0) best.copyFrom(words);
    first = false;
  }
  out.length = start;
  for (let i = 0; i < best.length; i++) out.push(best.data[i]!);
}

const maxTieOrders = 720;

/** The renamings to try (perm[old id] = new id; null = identity). */
function candidatePermutations(sys: TransitionSystem, s: State): (number[] | null)[] {
  const symmetricIds = new Set<number>();
  for (const role of sys.roles) if (role.symmetric) for (const id of role.nodes) symmetricIds.add(id);
  // Per role: node order sorted by signature, and the tie groups within it.
  const plans: { ids: number[]; order: number[]; groups: [number, number][] }[] = [];
  for (const role of sys.roles) {
    if (!role.symmetric) continue;
    const ids = role.nodes;
    const sigs = ids.map((id) => nodeSignature(sys, s, id, symmetricIds));
    const order = ids.map((_, i) => i).sort((a, b) => compareWords(sigs[a]!, sigs[b]!) || a - b);
    const groups: [number, number][] = [];
    let start = 0;
    for (let i = 1; i <= order.length; i++) {
      if (i === order.length || compareWords(sigs[order[i]!]!, sigs[order[start]!]!) !== 0) {
        if (i - start > 1) groups.push([start, i]);
        start = i;
      }
    }
    plans.push({ ids, order, groups });
  }
  let orders = 1;
  for (const p of plans) for (const [a, b] of p.groups) orders *= factorial(b - a);
  // Every combination of orders inside tie groups, or just the sorted one.
  let variants: number[][][] = [plans.map((p) => p.order)];
  if (orders > 1 && orders <= maxTieOrders) {
    plans.forEach((p, r) => {
      for (const [a, b] of p.groups) {
        const next: number[][][] = [];
        for (const v of variants) {
          for (const perm of permutations(v[r]!.slice(a, b))) {
            const copy = v.slice();
            copy[r] = [...v[r]!.slice(0, a), ...perm, ...v[r]!.slice(b)];
            next.push(copy);
          }
        }
        variants = next;
      }
    });
  }
  return variants.map((v) => {
    let perm: number[] | null = null;
    plans.forEach((p, r) => {
      v[r]!.forEach((oldIndex, newIndex) => {
        if (oldIndex !== newIndex) {
          perm ??= sys.nodes.map((n) => n.id);
          perm[p.ids[oldIndex]!] = p.ids[newIndex]!;
        }
      });
    });
    return perm;
  });
}

/** A node's local state and its messages, with ids of symmetric nodes blinded. */
function nodeSignature(sys: TransitionSystem, s: State, id: number, symmetric: Set<number>): number[] {
  const out: number[] = [];
  const node = s.nodes[id]!;
  const role = sys.roles[sys.nodes[id]!.role]!;
  out.push(node.flags);
  node.vars.forEach((v, i) => encodeBlind(role.vars[i]!.type, v, symmetric, out));
  for (const t of node.timers) out.push(t);
  const msgs: number[][] = [];
  for (const m of s.msgs) {
    if (m.dst !== id && m.src !== id) continue;
    const w: number[] = [m.dst === id ? -1 : -2, m.type, m.left, symmetric.has(m.src) ? -3 : m.src, symmetric.has(m.dst) ? -3 : m.dst];
    const def = sys.messages[m.type]!;
    m.fields.forEach((f, i) => encodeBlind(def.fields[i]?.type ?? { k: 'any' }, f, symmetric, w));
    msgs.push(w);
  }
  msgs.sort(compareWords);
  for (const w of msgs) out.push(...w);
  return out;
}

function encodeBlind(t: RtType, v: Value, symmetric: Set<number>, out: number[]): void {
  switch (t.k) {
    case 'node':
      out.push(symmetric.has(v as number) ? -3 : (v as number));
      return;
    case 'set':
    case 'seq':
    case 'map': {
      const arr = v as readonly Value[];
      const inner = t.k === 'map' ? t.value : t.element;
      const parts = arr.map((x) => {
        const w: number[] = [];
        encodeBlind(inner, x, symmetric, w);
        return w;
      });
      // Blinding can reorder a set or a node-keyed map: compare contents as a multiset.
      const unordered = t.k === 'set' || (t.k === 'map' && t.key.k === 'node');
      if (unordered) parts.sort(compareWords);
      out.push(arr.length);
      for (const w of parts) out.push(...w);
      return;
    }
    default:
      if (typeof v === 'number') out.push(v);
      else {
        out.push(v.length);
        for (const x of v) encodeBlind({ k: 'any' }, x, symmetric, out);
      }
  }
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

function compareWords(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The state with every node renamed by `perm`. */
export function permuteState(sys: TransitionSystem, s: State, perm: number[]): State {
  const nodes: NodeState[] = new Array<NodeState>(s.nodes.length);
  for (let id = 0; id < s.nodes.length; id++) {
    const node = s.nodes[id]!;
    const role = sys.roles[sys.nodes[id]!.role]!;
    nodes[perm[id]!] = { flags: node.flags, timers: node.timers, vars: node.vars.map((v, i) => permuteValue(role.vars[i]!.type, v, perm)) };
  }
  const msgs: Msg[] = s.msgs.map((m) => {
    const def = sys.messages[m.type]!;
    return {
      type: m.type,
      src: perm[m.src]!,
      dst: perm[m.dst]!,
      left: m.left,
      fields: m.fields.map((f, i) => permuteValue(def.fields[i]?.type ?? { k: 'any' }, f, perm)),
    };
  });
  // A stable sort keeps FIFO order inside each channel.
  msgs.sort((a, b) => compareMsgs(sys.fifo, a, b));
  let partition = 0;
  for (let id = 0; id < s.nodes.length; id++) if ((s.partition >> id) & 1) partition |= 1 << perm[id]!;
  // Keep node 0's group as the first, as the partition step does.
  if (partition & 1) partition = ~partition & ((1 << s.nodes.length) - 1);
  return { ...s, nodes, msgs, partition };
}

export function permuteValue(t: RtType, v: Value, perm: number[]): Value {
  switch (t.k) {
    case 'node':
      return perm[v as number] ?? (v as number);
    case 'set':
      return setFrom((v as readonly Value[]).map((x) => permuteValue(t.element, x, perm)));
    case 'seq':
      return (v as readonly Value[]).map((x) => permuteValue(t.element, x, perm));
    case 'map': {
      const arr = v as readonly Value[];
      if (t.key.k !== 'node') return arr.map((x) => permuteValue(t.value, x, perm));
      const out: Value[] = arr.slice();
      for (let i = 0; i < arr.length; i++) {
        const j = mapKeyIndex(t, perm[t.keys[i] as number]!);
        out[j >= 0 ? j : i] = permuteValue(t.value, arr[i]!, perm);
      }
      return out;
    }
    default:
      return v;
  }
}
