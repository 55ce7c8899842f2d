import { BitstateSet } from './bitstate-set.js';
import { CanonicalForms } from './canonical-forms.js';
import { hashWords } from './fingerprint-set.js';
import type { Rng } from './rng.js';
import { failuresAtEnd, failuresInState } from './properties.js';
import { decodeState, encodeState } from './state.js';
import type { StateQueue } from './state.js';
import { successors } from './steps.js';
import type { RuntimeFault, State, TransitionSystem } from './system.js';
import { WordBuffer } from './word-buffer.js';
import type { WordSuccessors } from './word-successors.js';

/** States the breadth-first search stored but had not expanded when its memory ran out. */
export interface BitstateRoots {
  queue: StateQueue;
  /** The first position of `queue` not yet expanded. */
  from: number;
  /** The BFS level of the queue's states: steps from an initial state. */
  level: number;
  /** Whether their properties were checked when they were stored (otherwise they are checked here). */
  checked: boolean;
}

export interface BitstateContext {
  sys: TransitionSystem;
  /** The word-level successor generator, or null where the interpreter explores. */
  fast: WordSuccessors | null;
  visited: BitstateSet;
  /** Whether breadth-first search stored the fingerprint: those states are known exactly. */
  known: (h1: number, h2: number) => boolean;
  /** The fingerprint of a state's words, as the exact search took it (default `hashWords`). */
  fingerprint?: (words: WordBuffer) => ArrayLike<number>;
  maxDepth: number;
  /** New states the search may store (besides those breadth-first search stored). */
  maxNewStates: number;
  deadline: number;
  now: () => number;
  stop?: { readonly stopped: boolean };
  /** The path to a state the breadth-first search stored. */
  pathTo: (id: number) => { initial: number; path: number[] };
  record: (property: string, kind: 'invariant' | 'eventually' | 'runtime-error', message: string, where: { initial: number; path: number[] }) => void;
  isViolated: (property: string) => boolean;
  /** Whether the search may stop: every property has its violation. */
  allViolated: () => boolean;
  /**
   * When given, a state's new successors are searched in an order this generator
   * shuffles (a swarm run's seed), not last-generated first: runs with different
   * seeds go down different paths first, and so fill their filters differently.
   */
  order?: Rng;
}

export interface BitstateOutcome {
  status: 'complete' | 'stopped' | 'limit-time' | 'limit-depth' | 'limit-states' | 'all-violated';
  newStates: number;
  transitions: number;
  terminal: number;
  deadlocks: number;
  scriptFired: number;
  /** The deepest level a state was found at. */
  deepest: number;
}

/**
 * Goes on from where breadth-first search ran out of memory, depth-first, with
 * the Bloom filter as its visited set: memory then stays fixed (the filter, the
 * search stack and the parent links already stored). Depth-first, because a
 * breadth-first frontier grows with the model and would outgrow the budget by
 * itself. Each root keeps its shortest path from the breadth-first part; what
 * this part adds to a counterexample is the stack, which need not be shortest.
 *
 * The stack holds states in order of discovery: a state's successors are
 * pushed above it once it is expanded, and it is popped when they are all
 * done. So the expanded states on the stack are exactly the path to its top.
 */
export function searchBitstate(ctx: BitstateContext, roots: readonly BitstateRoots[]): BitstateOutcome {
  const { sys, fast, visited } = ctx;
  const stackWords = new WordBuffer(1 << 12);
  let starts = new Int32Array(256);
  let indices = new Int32Array(256);
  let levels = new Int32Array(256);
  let expanded = new Uint8Array(256);
  let depth = 0;
  const outcome: BitstateOutcome = { status: 'complete', newStates: 0, transitions: 0, terminal: 0, deadlocks: 0, scriptFired: 0, deepest: 0 };
  const hashed = new WordBuffer();
  const fingerprintOf = (w: WordBuffer): ArrayLike<number> => (ctx.fingerprint ? ctx.fingerprint(w) : hashWords(w.data, w.length));
  /** Under symmetry: successors' canonical fingerprints met lately (`CanonicalForms`). */
  const forms = sys.symmetry ? new CanonicalForms() : null;
  const canonicalHash = new Int32Array(2);
  const encoded = new WordBuffer();
  let rootId = -1;
  const order = ctx.order;
  const spare = order ? new WordBuffer(1 << 10) : null;
  let spareStarts = new Int32Array(order ? 64 : 0);
  let spareIndices = new Int32Array(order ? 64 : 0);
  let spareLevels = new Int32Array(order ? 64 : 0);

  const push = (from: Int32Array, start: number, end: number, index: number, level: number) => {
    if (depth === starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      starts = grow(starts);
      indices = grow(indices);
      levels = grow(levels);
      expanded = grow(expanded);
    }
    starts[depth] = stackWords.length;
    indices[depth] = index;
    levels[depth] = level;
    expanded[depth] = 0;
    stackWords.append(from, start, end);
    depth++;
    if (level > outcome.deepest) outcome.deepest = level;
  };
  /** The path to the top of the stack's expanded state at `at`, then `extra` steps. */
  const pathThrough = (at: number, extra: number): { initial: number; path: number[] } => {
    const where = ctx.pathTo(rootId);
    const path = [...where.path];
    for (let i = 1; i <= at; i++) if (expanded[i]) path.push(indices[i]!);
    if (extra >= 0) path.push(extra);
    return { initial: where.initial, path };
  };
  const check = (s: State, at: number, extra: number) => {
    for (const f of failuresInState(sys, s, ctx.isViolated)) ctx.record(f.property, f.kind, f.message, pathThrough(at, extra));
  };

  // The successor being offered, its index, and the state it comes from.
  let parentAt = 0;
  let successorIndex = 0;
  let nonFault = 0;
  const offer = (fault: boolean, error: RuntimeFault | null, words: WordBuffer, state: State | null) => {
    const k = successorIndex++;
    if (!fault) nonFault++;
    if (error) {
      ctx.record('handler error', 'runtime-error', error.message, pathThrough(parentAt, k));
      return;
    }
    // The state bound is exact: a successor past it is not stored (the expansion ends, then the search).
    if (outcome.newStates >= ctx.maxNewStates) return;
    let decoded = state;
    let h: ArrayLike<number>;
    if (forms) {
      forms.of(sys, words.data, words.length, hashed, fingerprintOf);
      decoded ??= forms.decoded;
      canonicalHash[0] = forms.h1;
      canonicalHash[1] = forms.h2;
      h = canonicalHash;
    } else h = fingerprintOf(words);
    if (ctx.known(h[0]!, h[1]!) || !visited.add(h[0]!, h[1]!)) return;
    outcome.newStates++;
    check(decoded ?? decodeState(sys, words.data, 0), parentAt, k);
    push(words.data, 0, words.length, k, levels[parentAt]! + 1);
  };
  const sink = (fault: boolean, error: RuntimeFault | null) => offer(fault, error, fast!.out, null);

  /**
   * Reorders the stack entries `from..depth-1` (the successors just pushed, none
   * expanded yet) by a Fisher–Yates shuffle. Their words are copied aside and laid
   * back in the new order, so the stack stays one contiguous run of words.
   */
  const shuffleAbove = (from: number, rng: Rng) => {
    const n = depth - from;
    if (n < 2) return;
    if (spareStarts.length < n + 1) {
      spareStarts = new Int32Array(n * 2);
      spareIndices = new Int32Array(n * 2);
      spareLevels = new Int32Array(n * 2);
    }
    const base = starts[from]!;
    const buffer = spare!;
    buffer.clear();
    buffer.append(stackWords.data, base, stackWords.length);
    for (let j = 0; j < n; j++) {
      spareStarts[j] = starts[from + j]! - base;
      spareIndices[j] = indices[from + j]!;
      spareLevels[j] = levels[from + j]!;
    }
    spareStarts[n] = buffer.length;
    const perm = new Int32Array(n);
    for (let j = 0; j < n; j++) perm[j] = j;
    for (let j = n - 1; j > 0; j--) {
      const r = rng.below(j + 1);
      const t = perm[j]!;
      perm[j] = perm[r]!;
      perm[r] = t;
    }
    stackWords.length = base;
    for (let j = 0; j < n; j++) {
      const src = perm[j]!;
      starts[from + j] = stackWords.length;
      indices[from + j] = spareIndices[src]!;
      levels[from + j] = spareLevels[src]!;
      stackWords.append(buffer.data, spareStarts[src]!, spareStarts[src + 1]!);
    }
  };

  let expansions = 0;
  rootsLoop: for (const root of roots) {
    for (let f = root.from; f < root.queue.size; f++) {
      rootId = root.queue.ids[f]!;
      push(root.queue.words(f), root.queue.start(f), root.queue.end(f), -1, root.level);
      while (depth > 0) {
        const top = depth - 1;
        if (expanded[top]) {
          depth--;
          stackWords.length = starts[top]!;
          continue;
        }
        expanded[top] = 1;
        if ((++expansions & 1023) === 0) {
          if (ctx.stop?.stopped) {
            outcome.status = 'stopped';
            break rootsLoop;
          }
          if (ctx.now() > ctx.deadline) {
            outcome.status = 'limit-time';
            break rootsLoop;
          }
        }
        const state = decodeState(sys, stackWords.data, starts[top]!);
        if (top === 0 && !root.checked) check(state, 0, -1);
        if (levels[top]! >= ctx.maxDepth) {
          if (successors(sys, state).length > 0) outcome.status = 'limit-depth';
          continue;
        }
        parentAt = top;
        successorIndex = 0;
        nonFault = 0;
        if (fast) fast.expand(state, stackWords.data, starts[top]!, sink);
        else {
          for (const { state: t, step } of successors(sys, state)) {
            if (step.script >= 0) outcome.scriptFired |= 1 << step.script;
            encoded.clear();
            if (!step.error) encodeState(sys, t, encoded);
            offer(step.fault, step.error, encoded, t);
          }
        }
        outcome.transitions += successorIndex;
        if (order) shuffleAbove(top + 1, order);
        if (nonFault === 0) {
          outcome.terminal++;
          if (state.msgs.length > 0) outcome.deadlocks++;
          for (const f of failuresAtEnd(sys, state, ctx.isViolated)) ctx.record(f.property, f.kind, f.message, pathThrough(top, -1));
        }
        if (ctx.allViolated()) {
          outcome.status = 'all-violated';
          break rootsLoop;
        }
        if (outcome.newStates >= ctx.maxNewStates) {
          outcome.status = 'limit-states';
          break rootsLoop;
        }
      }
    }
  }
  return outcome;
}
