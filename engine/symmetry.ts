import { compareMsgs, encodeState } from './state.js';
import type { Msg, NodeState, State, TransitionSystem } from './system.js';
import type { RtType, Value } from './values.js';
import { mapKeyIndex, setFrom } from './values.js';
import { WordBuffer } from './word-buffer.js';

/**
 * The words that identify a state up to symmetry. Nodes of each symmetric role
 * are ordered by a signature that ignores which replica is which (ids of
 * symmetric nodes are blinded, and what the fixed nodes hold about each replica
 * is part of it); nodes whose signatures tie are tried in every order and the
 * smallest encoding wins, unless their order changes nothing (then the first
 * order is the canonical one). Two states that differ only by a renaming of
 * replicas therefore get the same words. When ties would need more than
 * `maxTieOrders` orders, the first order is used: still sound (only real
 * renamings are applied), just less reduction.
 */
export function canonicalWords(sys: TransitionSystem, s: State, out: WordBuffer): void {
  if (!sys.symmetry) {
    encodeState(sys, s, out);
    return;
  }
  sortedEncoded = false;
  const candidates = candidatePermutations(sys, s);
  if (candidates.length === 1) {
    if (sortedEncoded) out.append(sortedWords.data, 0, sortedWords.length);
    else {
      const perm = candidates[0]!;
      encodeState(sys, perm ? permuteState(sys, s, perm) : s, out);
    }
    return;
  }
  const best = bestWords;
  const words = tryWords;
  let first = true;
  // The renamings that give the smallest words are one coset of the state's stabiliser: count them.
  let fixing = 0;
  for (const perm of candidates) {
    words.clear();
    encodeState(sys, perm ? permuteState(sys, s, perm) : s, words);
    const order = first ? -1 : words.compare(best);
    if (order < 0) {
      best.copyFrom(words);
      fixing = 1;
    } else if (order === 0) fixing++;
    first = false;
  }
  stabilizer = fixing;
  out.append(best.data, 0, best.length);
}

/**
 * How many states the last `canonicalWords` stands for: the size of its orbit
 * under renamings of replicas (the group's order over the renamings that leave
 * the state unchanged). 0 when not known: the tie groups were too large to try
 * every order. Summed over the stored states, it is the count a search without
 * symmetry reduction would find.
 */
export function lastOrbitSize(sys: TransitionSystem): number {
  if (!sys.symmetry) return 1;
  return stabilizer === 0 ? 0 : groupOrder(sys) / stabilizer;
}

/** The renamings of the last state `canonicalWords` saw that left it unchanged (0: not counted). */
let stabilizer = 1;

const groupOrders = new WeakMap<TransitionSystem, number>();

/** How many renamings symmetry allows: every order of each symmetric role's nodes. */
function groupOrder(sys: TransitionSystem): number {
  let order = groupOrders.get(sys);
  if (order === undefined) {
    order = 1;
    for (const role of sys.roles) if (role.symmetric) order *= factorial(role.nodes.length);
    groupOrders.set(sys, order);
  }
  return order;
}

const maxTieOrders = 720;
// Scratch buffers: canonical forms are computed for every successor under symmetry.
const bestWords = new WordBuffer();
const tryWords = new WordBuffer();
const sortedWords = new WordBuffer();
const swappedWords = new WordBuffer();
/** Whether `sortedWords` holds the encoding of the one candidate `candidatePermutations` just returned. */
let sortedEncoded = false;

/** The ids of the nodes symmetry may permute, per system. */
const symmetricIdSets = new WeakMap<TransitionSystem, Set<number>>();

function symmetricIdsOf(sys: TransitionSystem): Set<number> {
  let ids = symmetricIdSets.get(sys);
  if (!ids) {
    ids = new Set<number>();
    for (const role of sys.roles) if (role.symmetric) for (const id of role.nodes) ids.add(id);
    symmetricIdSets.set(sys, ids);
  }
  return ids;
}

interface RolePlan {
  ids: number[];
  order: number[];
  groups: [number, number][];
}

/** The renamings to try (perm[old id] = new id; null = identity). */
function candidatePermutations(sys: TransitionSystem, s: State): (number[] | null)[] {
  const symmetricIds = symmetricIdsOf(sys);
  const refs = referencesFromFixedNodes(sys, s, symmetricIds);
  const all = nodeSignatures(sys, s, symmetricIds);
  // Per role: node order sorted by signature, and the tie groups within it.
  const plans: RolePlan[] = [];
  for (const role of sys.roles) {
    if (!role.symmetric) continue;
    const ids = role.nodes;
    const sigs = ids.map((id) => {
      const sig = all[id]!;
      const r = refs.get(id);
      if (r) for (const x of [-4, ...r]) sig.push(x);
      return sig;
    });
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
  const sorted = plans.map((p) => p.order);
  // Renamings that leave the state unchanged keep each node's signature, so they lie within the tie groups.
  if (orders === 1 || tiesAreInterchangeable(sys, s, plans)) {
    stabilizer = orders;
    return [permutationOf(sys, plans, sorted)];
  }
  // Too many orders to try: only the sorted one is used, and the stabiliser is not counted.
  stabilizer = 0;
  // Every combination of orders inside tie groups, or just the sorted one.
  let variants: number[][][] = [sorted];
  if (orders <= maxTieOrders) {
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
  return variants.map((v) => permutationOf(sys, plans, v));
}

function permutationOf(sys: TransitionSystem, plans: RolePlan[], v: number[][]): number[] | null {
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
}

/**
 * Whether every order of the tied nodes gives the same state: true when swapping
 * any two neighbours in a tie group changes nothing (neighbour swaps generate
 * every order of the group). Then one order is the canonical one, and the
 * factorially many orders need not be tried; the signatures already hold what
 * tells replicas apart from the fixed nodes' point of view.
 */
function tiesAreInterchangeable(sys: TransitionSystem, s: State, plans: RolePlan[]): boolean {
  if (headerShortcut && onlyHeadersNameReplicas(sys, s)) return true;
  const sorted = plans.map((p) => p.order);
  const base = sortedWords;
  base.clear();
  const perm = permutationOf(sys, plans, sorted);
  encodeState(sys, perm ? permuteState(sys, s, perm) : s, base);
  const words = swappedWords;
  for (let r = 0; r < plans.length; r++) {
    for (const [a, b] of plans[r]!.groups) {
      for (let j = a; j + 1 < b; j++) {
        const v = sorted.slice();
        const order = sorted[r]!.slice();
        order[j] = sorted[r]![j + 1]!;
        order[j + 1] = sorted[r]![j]!;
        v[r] = order;
        const swapped = permutationOf(sys, plans, v);
        words.clear();
        encodeState(sys, swapped ? permuteState(sys, s, swapped) : s, words);
        if (words.compare(base) !== 0) return false;
      }
    }
  }
  sortedEncoded = true;
  return true;
}

/**
 * Whether tied replicas are interchangeable without trying a swap: nothing in
 * the state names a replica except the headers of messages between a replica
 * and a node symmetry never moves (or itself), no channel keeps an order, and
 * there is no partition. Two tied replicas then have equal local states and
 * equal multisets of such messages (their signatures hold both exactly, the
 * fixed end's id unblinded), so swapping them gives the same state. On 2PC this
 * is every state: the replicas talk only to the coordinator, and the check
 * replaces a renaming and an encoding per tied neighbour pair.
 */
export function onlyHeadersNameReplicas(sys: TransitionSystem, s: State): boolean {
  if (sys.fifo || s.partition !== 0 || valuesMayNameNodes(sys)) return false;
  const symmetric = symmetricIdsOf(sys);
  for (const m of s.msgs) if (m.src !== m.dst && symmetric.has(m.src) && symmetric.has(m.dst)) return false;
  return true;
}

/** Whether `onlyHeadersNameReplicas` may stand for trying the swaps (off only in the test that compares the two). */
let headerShortcut = true;

export function useHeaderShortcut(on: boolean): void {
  headerShortcut = on;
}

const namingSystems = new WeakMap<TransitionSystem, boolean>();

/** Whether some variable or message field can hold a node id (an untyped one may, and a signed one carries its signers). */
function valuesMayNameNodes(sys: TransitionSystem): boolean {
  let may = namingSystems.get(sys);
  if (may === undefined) {
    may = sys.roles.some((r) => r.vars.some((v) => typeMayNameNodes(v.type))) || sys.messages.some((m) => m.fields.some((f) => f.signed || typeMayNameNodes(f.type)));
    namingSystems.set(sys, may);
  }
  return may;
}

function typeMayNameNodes(t: RtType): boolean {
  switch (t.k) {
    case 'node':
    case 'any':
      return true;
    case 'set':
    case 'seq':
      return typeMayNameNodes(t.element);
    case 'map':
      return typeMayNameNodes(t.key) || typeMayNameNodes(t.value);
    default:
      return false;
  }
}

/**
 * For each symmetric node, where the nodes symmetry never moves hold its id in
 * their variables (which node, which variable, and the key or position): what
 * tells two replicas with equal local states apart, from those nodes' side.
 */
function referencesFromFixedNodes(sys: TransitionSystem, s: State, symmetric: Set<number>): Map<number, number[]> {
  const refs = new Map<number, number[]>();
  const add = (id: number, holder: number, slot: number, where: number, value?: number[]) => {
    let list = refs.get(id);
    if (!list) refs.set(id, (list = []));
    list.push(holder, slot, where);
    if (value) list.push(...value);
  };
  for (let holder = 0; holder < s.nodes.length; holder++) {
    if (symmetric.has(holder)) continue;
    const role = sys.roles[sys.nodes[holder]!.role]!;
    const vars = s.nodes[holder]!.vars;
    for (let slot = 0; slot < vars.length; slot++) collectReferences(role.vars[slot]!.type, vars[slot]!, symmetric, (id, where, value) => add(id, holder, slot, where, value));
  }
  return refs;
}

/**
 * Calls `found` for each symmetric node id in a value, with where it is (a
 * sequence position or a key index of a map over other keys; -1 for a plain
 * value or a set member), and for a node-keyed map the blinded value it holds
 * under each replica's id.
 */
function collectReferences(t: RtType, v: Value, symmetric: Set<number>, found: (id: number, where: number, value?: number[]) => void, where = -1): void {
  switch (t.k) {
    case 'node':
      if (symmetric.has(v as number)) found(v as number, where);
      return;
    case 'set':
      for (const x of v as readonly Value[]) collectReferences(t.element, x, symmetric, found, where);
      return;
    case 'seq':
      (v as readonly Value[]).forEach((x, i) => collectReferences(t.element, x, symmetric, found, where === -1 ? i : where));
      return;
    case 'map': {
      const arr = v as readonly Value[];
      const byNode = t.key.k === 'node';
      for (let i = 0; i < arr.length; i++) {
        const key = t.keys[i];
        if (byNode && typeof key === 'number' && symmetric.has(key)) {
          // What a node-keyed map holds under a replica's id belongs to that replica, whatever its id.
          const value: number[] = [];
          encodeBlind(t.value, arr[i]!, symmetric, value);
          found(key, -5 - value.length, value);
        }
        // A position in a map over other keys says nothing about ids.
        collectReferences(t.value, arr[i]!, symmetric, found, byNode ? -1 : where === -1 ? 2000 + i : where);
      }
      return;
    }
    default:
      return;
  }
}

/**
 * Each symmetric node's local state and its messages, with ids of symmetric
 * nodes blinded. Each message is blinded once and filed under its sender and
 * its receiver.
 */
function nodeSignatures(sys: TransitionSystem, s: State, symmetric: Set<number>): number[][] {
  const sigs: number[][] = new Array<number[]>(s.nodes.length);
  const msgsOf: number[][][] = new Array<number[][]>(s.nodes.length);
  for (let id = 0; id < s.nodes.length; id++) {
    if (!symmetric.has(id)) continue;
    const out: number[] = [];
    const node = s.nodes[id]!;
    const role = sys.roles[sys.nodes[id]!.role]!;
    out.push(node.flags);
    for (let i = 0; i < node.vars.length; i++) {
      const v = node.vars[i]!;
      const t = role.vars[i]!.type;
      if (typeof v === 'number' && t.k !== 'node') out.push(v);
      else encodeBlind(t, v, symmetric, out);
    }
    for (let i = 0; i < node.timers.length; i++) out.push(node.timers[i]!);
    sigs[id] = out;
    msgsOf[id] = [];
  }
  for (const m of s.msgs) {
    const toReplica = symmetric.has(m.dst);
    const fromReplica = symmetric.has(m.src);
    if (!toReplica && !fromReplica) continue;
    const w: number[] = [0, m.type, m.left, fromReplica ? -3 : m.src, toReplica ? -3 : m.dst];
    const def = sys.messages[m.type]!;
    for (let i = 0; i < m.fields.length; i++) encodeBlind(def.fields[i]?.type ?? anyType, m.fields[i]!, symmetric, w);
    if (m.src === m.dst || !fromReplica) {
      w[0] = -1;
      msgsOf[m.dst]!.push(w);
      continue;
    }
    if (!toReplica) {
      w[0] = -2;
      msgsOf[m.src]!.push(w);
      continue;
    }
    // Between two replicas: filed under both.
    msgsOf[m.dst]!.push(withHead(w, -1));
    msgsOf[m.src]!.push(withHead(w, -2));
  }
  for (let id = 0; id < s.nodes.length; id++) {
    const msgs = msgsOf[id];
    if (!msgs || msgs.length === 0) continue;
    const out = sigs[id]!;
    if (msgs.length > 1) msgs.sort(compareWords);
    for (const w of msgs) for (const x of w) out.push(x);
  }
  return sigs;
}

const anyType: RtType = { k: 'any' };

/** A copy of the blinded message words that says whether the node receives (-1) or sends (-2) it. */
function withHead(w: number[], head: number): number[] {
  const copy = w.slice();
  copy[0] = head;
  return copy;
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
  // Where no value can hold a node id, renaming moves nodes and message headers only (states are immutable: parts are shared).
  const idFree = !valuesMayNameNodes(sys);
  const nodes: NodeState[] = new Array<NodeState>(s.nodes.length);
  for (let id = 0; id < s.nodes.length; id++) {
    const node = s.nodes[id]!;
    const role = sys.roles[sys.nodes[id]!.role]!;
    nodes[perm[id]!] = idFree ? node : { flags: node.flags, timers: node.timers, vars: node.vars.map((v, i) => permuteValue(role.vars[i]!.type, v, perm)) };
  }
  const msgs: Msg[] = s.msgs.map((m) => {
    const def = sys.messages[m.type]!;
    return {
      type: m.type,
      src: perm[m.src]!,
      dst: perm[m.dst]!,
      left: m.left,
      fields: idFree ? m.fields : m.fields.map((f, i) => permuteValue(def.fields[i]?.type ?? { k: 'any' }, f, perm)),
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
