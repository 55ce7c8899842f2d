import type { StepInfo } from './steps.js';
import { successors } from './steps.js';
import type { TransitionSystem } from './system.js';
import { replayPath } from './trace.js';
import { encodeValue } from './state.js';

/**
 * Infinite runs on which an `eventually` property never holds: a cycle of
 * protocol steps (faults are finite, so they never repeat) through states where
 * the property is false, reachable from an initial state through such states.
 * A cycle counts only if it is weakly fair: every step enabled in all of its
 * states is taken somewhere on it — otherwise the run just starves a message or
 * a timer, which is not the protocol's fault.
 */

/** The edges the explorer saw between states where some `eventually` property is false. */
export class FalseEdges {
  src = new Int32Array(1 << 12);
  dst = new Int32Array(1 << 12);
  via = new Int32Array(1 << 12);
  length = 0;
  /** Set when the edge budget ran out: cycles may be missed, never invented. */
  truncated = false;

  constructor(private readonly maxEdges = 8_000_000) {}

  push(from: number, to: number, k: number): void {
    if (this.length >= this.maxEdges) {
      this.truncated = true;
      return;
    }
    if (this.length === this.src.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.src = grow(this.src);
      this.dst = grow(this.dst);
      this.via = grow(this.via);
    }
    this.src[this.length] = from;
    this.dst[this.length] = to;
    this.via[this.length] = k;
    this.length++;
  }
}

export interface Lasso {
  initial: number;
  /** Successor indices: the prefix, then one turn of the cycle. */
  path: number[];
  /** How many steps of `path` come before the cycle. */
  loopStart: number;
}

interface Graph {
  /** CSR adjacency over the property's subgraph. */
  start: Int32Array;
  to: Int32Array;
  k: Int32Array;
}

function subgraph(edges: FalseEdges, n: number, bit: number, falseBits: Uint32Array): Graph {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < edges.length; e++) {
    const a = edges.src[e]!;
    const b = edges.dst[e]!;
    if (falseBits[a]! & falseBits[b]! & bit) start[a + 1]!++;
  }
  for (let i = 0; i < n; i++) start[i + 1] = start[i + 1]! + start[i]!;
  const fill = start.slice(0, n);
  const to = new Int32Array(start[n]!);
  const k = new Int32Array(start[n]!);
  for (let e = 0; e < edges.length; e++) {
    const a = edges.src[e]!;
    const b = edges.dst[e]!;
    if (falseBits[a]! & falseBits[b]! & bit) {
      const slot = fill[a]!++;
      to[slot] = b;
      k[slot] = edges.via[e]!;
    }
  }
  return { start, to, k };
}

/** Strongly connected components with at least one internal edge (Tarjan, iterative). */
function cyclicComponents(g: Graph, n: number, inGraph: (v: number) => boolean): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  const work: [number, number][] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !inGraph(root) || g.start[root] === g.start[root + 1]) continue;
    work.push([root, g.start[root]!]);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const v = top[0];
      if (top[1] < g.start[v + 1]!) {
        const w = g.to[top[1]++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, g.start[w]!]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        const selfLoop = comp.length === 1 && hasEdge(g, v, v);
        if (comp.length > 1 || selfLoop) out.push(comp);
      }
    }
  }
  return out;
}

function hasEdge(g: Graph, a: number, b: number): boolean {
  for (let e = g.start[a]!; e < g.start[a + 1]!; e++) if (g.to[e] === b) return true;
  return false;
}

/** What an enabled step does, independent of its outcome: the unit of weak fairness. */
function actionKey(sys: TransitionSystem, step: StepInfo): string {
  const blind = (id: number) => (id >= 0 && sys.roles[sys.nodes[id]!.role]!.symmetric ? -2 : id);
  const words: number[] = [blind(step.node), step.timer];
  if (step.msg) {
    words.push(step.msg.type, blind(step.msg.src), blind(step.msg.dst));
    for (const f of step.msg.fields) encodeValue(f, words);
  }
  return `${step.kind}:${words.join(',')}`;
}

/**
 * A fair lasso for the property with bit `bit`, or null. `pathTo` gives the BFS
 * tree path to a state, `roots` the states with no parent (with their initial index).
 */
export function findLasso(
  sys: TransitionSystem,
  edges: FalseEdges,
  n: number,
  bit: number,
  falseBits: Uint32Array,
  roots: Map<number, number>,
  pathTo: (id: number) => { initial: number; path: number[] },
  maxComponent = 4000,
): Lasso | null {
  const g = subgraph(edges, n, bit, falseBits);
  // Shortest prefixes through states where the property is false.
  const dist = new Int32Array(n).fill(-1);
  const prevState = new Int32Array(n).fill(-1);
  const prevK = new Int32Array(n).fill(-1);
  const queue: number[] = [];
  for (const [id] of roots) {
    if (falseBits[id]! & bit) {
      dist[id] = 0;
      queue.push(id);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      const w = g.to[e]!;
      if (dist[w] !== -1) continue;
      dist[w] = dist[v]! + 1;
      prevState[w] = v;
      prevK[w] = g.k[e]!;
      queue.push(w);
    }
  }
  const components = cyclicComponents(g, n, (v) => dist[v]! >= 0);
  components.sort((a, b) => Math.min(...a.map((v) => dist[v]!)) - Math.min(...b.map((v) => dist[v]!)));
  for (const comp of components) {
    if (comp.length > maxComponent) continue;
    const members = new Set(comp);
    if (!isFair(sys, g, comp, members, pathTo)) continue;
    // Enter at the member closest to an initial state, then go round once.
    let entry = comp[0]!;
    for (const v of comp) if (dist[v]! < dist[entry]!) entry = v;
    const prefix: number[] = [];
    let initialId = entry;
    for (let v = entry; prevState[v]! >= 0; v = prevState[v]!) {
      prefix.push(prevK[v]!);
      initialId = prevState[v]!;
    }
    prefix.reverse();
    const cycle = cycleThrough(g, entry, members);
    if (!cycle) continue;
    return { initial: roots.get(initialId) ?? 0, path: [...prefix, ...cycle], loopStart: prefix.length };
  }
  return null;
}

/** The shortest way from `entry` back to itself inside the component. */
function cycleThrough(g: Graph, entry: number, members: Set<number>): number[] | null {
  const prev = new Map<number, [number, number]>();
  const queue: number[] = [];
  for (let e = g.start[entry]!; e < g.start[entry + 1]!; e++) {
    const w = g.to[e]!;
    if (w === entry) return [g.k[e]!];
    if (!members.has(w) || prev.has(w)) continue;
    prev.set(w, [entry, g.k[e]!]);
    queue.push(w);
  }
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      const w = g.to[e]!;
      if (w === entry) {
        const path = [g.k[e]!];
        for (let u = v; u !== entry; u = prev.get(u)![0]) path.push(prev.get(u)![1]);
        return path.reverse();
      }
      if (!members.has(w) || prev.has(w)) continue;
      prev.set(w, [v, g.k[e]!]);
      queue.push(w);
    }
  }
  return null;
}

/** Weak fairness: every protocol step enabled in all states of the component is taken inside it. */
function isFair(sys: TransitionSystem, g: Graph, comp: number[], members: Set<number>, pathTo: (id: number) => { initial: number; path: number[] }): boolean {
  let alwaysEnabled: Set<string> | null = null;
  const taken = new Set<string>();
  for (const v of comp) {
    const { initial, path } = pathTo(v);
    const { states } = replayPath(sys, initial, path);
    const succs = successors(sys, states[states.length - 1]!);
    const enabled = new Set<string>();
    for (const x of succs) if (!x.step.fault) enabled.add(actionKey(sys, x.step));
    if (alwaysEnabled === null) alwaysEnabled = enabled;
    else for (const key of alwaysEnabled) if (!enabled.has(key)) alwaysEnabled.delete(key);
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      if (!members.has(g.to[e]!)) continue;
      const step = succs[g.k[e]!]?.step;
      if (step) taken.add(actionKey(sys, step));
    }
  }
  for (const key of alwaysEnabled ?? []) if (!taken.has(key)) return false;
  return true;
}
