import { BitstateSet } from './bitstate-set.js';
import type { BitstateRoots } from './bitstate-search.js';
import { searchBitstate } from './bitstate-search.js';
import { FingerprintSet, hashWords } from './fingerprint-set.js';
import { CanonicalForms } from './canonical-forms.js';
import { canonicalWords, lastOrbitSize } from './symmetry.js';
import { ChunkPool, decodeState, encodeState, StateQueue } from './state.js';
import { grown, WordBuffer } from './word-buffer.js';
import { WordSuccessors } from './word-successors.js';
import { PropertyMemo } from './property-memo.js';
import { RecentFingerprints } from './recent-fingerprints.js';
import type { RuntimeFault } from './system.js';
import type { State, TransitionSystem } from './system.js';
import type { Successor } from './steps.js';
import { FalseEdges, findLasso } from './lasso.js';
import { failuresAtEnd, failuresInState, falseProperties, unboundedEventuallyBits } from './properties.js';
import { initialStates, isTerminal, successors } from './steps.js';

/** Asked every ~1k expansions; when it says stop, exploration returns what it has. */
export interface StopSignal {
  readonly stopped: boolean;
}

export interface ExploreLimits {
  maxDepth: number;
  maxStates: number;
  /** Absolute time (per `now`) after which exploration stops with `limit-time`. */
  deadline: number;
  now: () => number;
  stop?: StopSignal;
  /** Bytes the run may use; `memoryUsed` reports what it uses (the core cannot ask the process). */
  maxMemoryBytes?: number;
  memoryUsed?: () => number;
  /**
   * When the memory budget runs out, go on as a bitstate search (a Bloom filter
   * for the states not yet stored) instead of stopping with `limit-memory`.
   */
  bitstate?: boolean;
  /** Keep exploring after every property is violated (to count states). */
  exhaustive?: boolean;
  /**
   * `interpreter` builds every successor as a state object even where the
   * word-level successor generator covers the model: the reference the faster
   * path is tested against.
   */
  engine?: 'auto' | 'interpreter';
}

/**
 * `bitstate`: the search went on in bitstate mode after the memory budget and
 * reached its end, but may have missed states (see `ExploreStats.bitstate`).
 */
export type ExploreStatus = 'complete' | 'bitstate' | 'stopped' | 'limit-states' | 'limit-depth' | 'limit-time' | 'limit-memory';

/** The bitstate part of a search. */
export interface BitstateStats {
  /** States stored exactly before the switch. */
  exactStates: number;
  /** States the Bloom filter took in after it. */
  bitstateStates: number;
  bytes: number;
  hashes: number;
  /** Expected states taken for seen ones (and so missed, with what only they lead to). */
  expectedMissed: number;
  /**
   * Estimated share of the reachable states that were visited: an upper bound,
   * close when `finalMissChance` is small (each missed state may hide others).
   */
  coverage: number;
  /** The chance that a new state was taken for a seen one when the search ended. */
  finalMissChance: number;
}

/**
 * In bitstate mode the exact search hands over at this share of the budget:
 * the rest is the Bloom filter's. The exact set is kept (old states stay exact)
 * and the filter is filled from the remaining share.
 */
const exactShareWithBitstate = 0.6;
/**
 * Without bitstate mode the search stops at this share of the budget: memory is
 * looked at every few hundred states, and in between the frontier's arrays may
 * double.
 */
const exactShareAlone = 0.85;

export type ViolationKind = 'invariant' | 'eventually' | 'runtime-error';

/** A property found false, with the path that shows it: the initial state's index, then successor indices. */
export interface Violation {
  property: string;
  kind: ViolationKind;
  message: string;
  initial: number;
  path: number[];
  /** For a violation on an infinite run: the steps of `path` before the cycle that repeats. */
  loopStart?: number;
}

export interface ExploreStats {
  /** Distinct states stored. */
  states: number;
  /** Successors generated (edges of the state graph). */
  transitions: number;
  /** Deepest BFS level completed (after a bitstate search: the deepest level it reached). */
  depth: number;
  terminal: number;
  /** Terminal states with messages still in flight that no handler accepts. */
  deadlocks: number;
  elapsedMs: number;
  /** Bytes of the visited set and the parent links, per state. */
  bytesPerState: number;
  /** The most memory two BFS levels of encoded states took at once. */
  peakFrontierBytes: number;
  collisionProbability: number;
  symmetry: boolean;
  /**
   * Under symmetry reduction: the states a search without it would store (the
   * orbit sizes of the stored states, summed). Absent without symmetry, when a
   * state's orbit was too large to count, and after bitstate mode took over.
   */
  rawStates?: number;
  bitstate?: BitstateStats;
  /** Threads the search ran on, when more than one (`exploreStatesParallel`). */
  workers?: number;
}

export interface ExploreResult {
  status: ExploreStatus;
  stats: ExploreStats;
  /** The first (shortest) violation of each property, in property order. */
  violations: Violation[];
  /** Script events that fired in some explored run (bit i = event i). */
  scriptFired: number;
}

/** Breadth-first exploration of every reachable state, within limits. Never throws on a stop. */
export function exploreStates(sys: TransitionSystem, limits: ExploreLimits): ExploreResult {
  const started = limits.now();
  let parents = new Int32Array(1 << 14);
  let via = new Int32Array(1 << 14);
  const violations = new Map<string, Violation>();
  const words = new WordBuffer();
  let transitions = 0;
  let terminal = 0;
  let deadlocks = 0;
  let scriptFired = 0;
  let status: ExploreStatus = 'complete';
  let depthDone = 0;

  // For `eventually` on infinite runs: which such properties are false in each state,
  // and the protocol steps between states where one is false.
  const eventuallyBits = unboundedEventuallyBits(sys);
  // State ids of stored fingerprints are needed only to link the edges of infinite runs.
  const seen = new FingerprintSet(1 << 14, eventuallyBits !== 0);
  let falseBits = new Uint32Array(eventuallyBits ? 1 << 14 : 0);
  // The exact search's share of the memory budget (all of it unless bitstate mode may take over).
  const memoryUsed = limits.memoryUsed;
  const exactBudget = limits.maxMemoryBytes && memoryUsed ? limits.maxMemoryBytes * (limits.bitstate ? exactShareWithBitstate : exactShareAlone) : 0;
  // The visited set doubles in one step: ask first, or a large model overshoots the budget by the doubling.
  if (exactBudget) seen.mayGrow = (bytesAfter) => memoryUsed!() + bytesAfter + parents.byteLength + via.byteLength <= exactBudget;
  const falseEdges = new FalseEdges();
  const roots = new Map<number, number>();
  /** The id of the state `store` found already stored (when it returns -1). */
  let knownId = -1;
  /** Under symmetry reduction, the states a search without it would store (NaN when an orbit was too large to count). */
  let rawStates = 0;

  // The word-level successor generator, where it covers the model. Without symmetry
  // (whose renaming needs whole states) and FIFO channels (where a message's place
  // matters), it fingerprints successors from their parent's fingerprint, and every
  // state of the search is fingerprinted its way.
  const fast = limits.engine === 'interpreter' ? null : WordSuccessors.create(sys);
  const incremental = fast !== null && !sys.symmetry && !sys.fifo;
  if (incremental) fast.incremental = true;
  const fingerprint = new Int32Array(2);
  const fingerprintWords = (w: WordBuffer): ArrayLike<number> => {
    if (!incremental) return hashWords(w.data, w.length);
    fast.fingerprintOf(w.data, 0, fingerprint);
    return fingerprint;
  };

  /** Successors' canonical forms met lately (not with `eventually` bookkeeping, which looks at each successor's state). */
  const canonicalForms = sys.symmetry && !eventuallyBits ? new CanonicalForms() : null;
  const store = (s: State, parent: number, index: number): number => {
    words.clear();
    canonicalWords(sys, s, words);
    return storeWords(words, parent, index, s);
  };
  /** Stores the state whose canonical words are in `w`; `s` is only needed for `eventually` bookkeeping (decoded from `w` when null). */
  const storeWords = (w: WordBuffer, parent: number, index: number, s: State | null): number => {
    const h = fingerprintWords(w);
    const id = storeFingerprint(h[0]!, h[1]!, parent, index, lastOrbitSize(sys));
    if (id >= 0 && eventuallyBits) falseBits[id] = falseProperties(sys, s ?? decodeState(sys, w.data, 0), eventuallyBits);
    return id;
  };
  /** Stores a fingerprint with its parent link; -1 when it was stored already (its id is then `knownId`). */
  const storeFingerprint = (h1: number, h2: number, parent: number, index: number, orbit = 1): number => {
    const id = seen.size;
    knownId = seen.addOrGet(h1, h2, id);
    if (knownId >= 0) return -1;
    if (sys.symmetry) {
      // How many states the canonical one stands for (`lastOrbitSize`).
      if (orbit === 0) rawStates = Number.NaN;
      else rawStates += orbit;
    }
    if (id >= parents.length) {
      const np = new Int32Array(parents.length * 2);
      np.set(parents);
      parents = np;
      const nv = new Int32Array(via.length * 2);
      nv.set(via);
      via = nv;
      if (eventuallyBits) {
        const nf = new Uint32Array(falseBits.length * 2);
        nf.set(falseBits);
        falseBits = nf;
      }
    }
    parents[id] = parent;
    via[id] = index;
    return id;
  };
  const pathTo = (id: number): { initial: number; path: number[] } => {
    const path: number[] = [];
    let cur = id;
    while (parents[cur]! >= 0) {
      path.push(via[cur]!);
      cur = parents[cur]!;
    }
    return { initial: via[cur]!, path: path.reverse() };
  };
  const record = (property: string, kind: ViolationKind, message: string, where: { initial: number; path: number[] }) => {
    if (violations.has(property)) return;
    violations.set(property, { property, kind, message, ...where });
  };
  const checkState = (s: State, id: number) => {
    for (const f of failuresInState(sys, s, (name) => violations.has(name))) record(f.property, f.kind, f.message, pathTo(id));
  };
  const checkTerminal = (s: State, id: number) => {
    for (const f of failuresAtEnd(sys, s, (name) => violations.has(name))) record(f.property, f.kind, f.message, pathTo(id));
  };
  // A handler error does not count: every property must have its own violation before the search stops.
  const allViolated = () => !limits.exhaustive && sys.properties.length > 0 && sys.properties.every((p) => violations.has(p.name));

  // The frontier is kept as words: a level of live state objects would be promoted
  // to the old generation and cost the garbage collector more than decoding does.
  const actual = new WordBuffer();
  const enqueue = (queue: StateQueue, s: State, id: number) => {
    if (sys.symmetry) {
      // Hashing used a renamed state; the frontier keeps the real one, so paths replay.
      actual.clear();
      encodeState(sys, s, actual);
      queue.push(actual, id);
    } else queue.push(words, id);
  };
  // The levels alive at a time take their chunks from one pool, and give them back.
  const chunks = new ChunkPool();
  let frontier = new StateQueue(chunks);
  initialStates(sys).forEach((s, i) => {
    const id = store(s, -1, i);
    if (id < 0) return;
    roots.set(id, i);
    enqueue(frontier, s, id);
    checkState(s, id);
  });

  let next = new StateQueue(chunks);
  let spare: StateQueue | null = null;
  let expanding = -1;
  let successorIndex = 0;
  let nonFault = 0;
  let limitHit = false;
  // Without `eventually` bookkeeping a new state's properties are checked when it is
  // expanded (it is decoded then anyway), not when stored: one decoding per state, not two.
  // What the interpreter would report is kept: see `stopEarly` and the checks after the search.
  const deferChecks = fast !== null && !eventuallyBits;
  /** The state whose expansion found the first handler error. */
  let errorAt = -1;
  /** The latest point (a state's expansion) at which the interpreter would have recorded a violation so far. */
  let recordedBy = -1;
  /** In the level being expanded, the last frontier position whose state was checked. */
  let checkedThrough = -1;
  // Properties read only node blocks: checked from the parent's words, by the memo.
  const propertyMemo = fast ? new PropertyMemo(sys) : null;
  const decodeParent = (): State => fast!.parentState();
  /** Checks the parent `fast` has prepared, whose words are in `w`. */
  const checkPrepared = (w: Int32Array, id: number, atEnd: boolean) => {
    const found = propertyMemo!.failures(w, fast!.parentNodesStart, fast!.parentNodesEnd, fast!.parentNodesHash, atEnd, decodeParent);
    for (const f of found) if (!violations.has(f.property)) record(f.property, f.kind, f.message, pathTo(id));
  };
  const checkDeferred = (w: Int32Array, id: number, moment: number, atEnd: boolean) => {
    const before = violations.size;
    checkPrepared(w, id, atEnd);
    if (violations.size > before) recordedBy = Math.max(recordedBy, moment);
  };
  const sink = (fault: boolean, error: RuntimeFault | null): void => {
    const k = successorIndex++;
    if (!fault) nonFault++;
    if (limitHit) return;
    const id = expanding;
    if (error) {
      if (!violations.has('handler error')) errorAt = id;
      record(`handler error`, 'runtime-error', error.message, withExtra(pathTo(id), k));
      return;
    }
    if (batching) {
      // Probed with the parent's other successors once it is expanded (`storeBatch`).
      let h1: number;
      let h2: number;
      if (fast!.pending) {
        h1 = fast!.fingerprint[0]!;
        h2 = fast!.fingerprint[1]!;
      } else {
        fast!.fingerprintOf(fast!.out.data, 0, fingerprint);
        h1 = fingerprint[0]!;
        h2 = fingerprint[1]!;
      }
      // Most successors are states met lately: known to be stored, they need no recipe.
      if (recent.has(h1, h2)) return;
      if (batchSize === batchH1.length) growBatch();
      batchH1[batchSize] = h1;
      batchH2[batchSize] = h2;
      batchIndex[batchSize] = k;
      batchRecipe[batchSize] = fast!.saveOut();
      batchSize++;
      return;
    }
    const out = fast!.out;
    let t: State | null = null;
    let tid: number;
    if (fast!.pending) {
      // Fingerprinted from the parent's; the words are written only for a new state.
      tid = storeFingerprint(fast!.fingerprint[0]!, fast!.fingerprint[1]!, id, k);
      if (tid >= 0) {
        fast!.writeOut();
        if (eventuallyBits) falseBits[tid] = falseProperties(sys, decodeState(sys, out.data, 0), eventuallyBits);
      }
    } else if (sys.symmetry) {
      // Renaming replicas needs the state as objects; the frontier still keeps the real words.
      if (canonicalForms) {
        canonicalForms.of(sys, out.data, out.length, words, fingerprintWords);
        t = canonicalForms.decoded;
        tid = storeFingerprint(canonicalForms.h1, canonicalForms.h2, id, k, canonicalForms.orbit);
      } else {
        t = decodeState(sys, out.data, 0);
        words.clear();
        canonicalWords(sys, t, words);
        tid = storeWords(words, id, k, t);
      }
    } else tid = storeWords(out, id, k, null);
    const target = tid >= 0 ? tid : knownId;
    if (eventuallyBits && !fault && falseBits[id]! & falseBits[target]!) falseEdges.push(id, target, k);
    if (tid < 0) return;
    if (!deferChecks) checkState(t ?? decodeState(sys, out.data, 0), tid);
    if (seen.size >= limits.maxStates) {
      status = 'limit-states';
      limitHit = true;
      return;
    }
    next.push(out, tid);
  };

  /**
   * A parent's successors are stored together once it is expanded: each was
   * offered as a fingerprint and a recipe, and only the new ones are written
   * (`writeSaved`), in successor order, so ids are given as one by one. Most are
   * duplicates met lately, answered by `recent` without probing the visited set.
   * Not with `eventually` bookkeeping, which looks at each successor as it is
   * stored.
   */
  const batching = incremental && !eventuallyBits;
  const recent = new RecentFingerprints();
  let batchSize = 0;
  let touchedSink = 0;
  let batchH1 = new Int32Array(256);
  let batchH2 = new Int32Array(256);
  let batchIndex = new Int32Array(256);
  let batchRecipe = new Int32Array(256);
  const growBatch = () => {
    batchH1 = grown(batchH1, batchSize + 1);
    batchH2 = grown(batchH2, batchSize + 1);
    batchIndex = grown(batchIndex, batchSize + 1);
    batchRecipe = grown(batchRecipe, batchSize + 1);
  };
  /** Stores the batched successors of the state being expanded, in order; the new ones join the next level. */
  const storeBatch = () => {
    const n = batchSize;
    batchSize = 0;
    if (n === 0) return;
    const id = expanding;
    let touched = 0;
    for (let b = 0; b < n; b++) touched |= seen.touch(batchH1[b]!);
    touchedSink ^= touched;
    for (let b = 0; b < n; b++) {
      const h1 = batchH1[b]!;
      const h2 = batchH2[b]!;
      // Most duplicates were met lately: known without a probe of the visited set.
      if (recent.has(h1, h2)) continue;
      const tid = storeFingerprint(h1, h2, id, batchIndex[b]!);
      recent.add(h1, h2);
      if (tid < 0) continue;
      fast!.writeSaved(batchRecipe[b]!);
      if (seen.size >= limits.maxStates) {
        status = 'limit-states';
        limitHit = true;
        return;
      }
      next.push(fast!.out, tid);
    }
  };

  /**
   * Once every property is violated the interpreter stops after the expansion that
   * recorded the last one; a handler error found in a later expansion it never saw.
   */
  let stoppedEarly = false;
  /** The last state whose expansion finished. */
  let lastExpanded = -1;
  const stopEarly = () => {
    stoppedEarly = true;
    if (errorAt > recordedBy) violations.delete('handler error');
  };

  let expansions = 0;
  let memoryOut = false;
  /** Where in the frontier bitstate search takes over (-1: it does not). */
  let handOver = -1;
  let depth = 0;
  let peakFrontierBytes = frontier.bytes;
  outer: while (frontier.size > 0) {
    if (depth >= limits.maxDepth) {
      for (let f = 0; f < frontier.size; f++) {
        if (successors(sys, decodeState(sys, frontier.words(f), frontier.start(f))).length > 0) {
          status = 'limit-depth';
          break;
        }
      }
      break;
    }
    // The level before the frontier is done with: its queue (and its capacity) takes the next
    // level. A fresh queue per level cost a deep model (a chain of 100,000 levels) most of its time.
    next = spare ?? new StateQueue(chunks);
    next.clear();
    spare = null;
    checkedThrough = -1;
    for (let f = 0; f < frontier.size; f++) {
      const id = frontier.ids[f]!;
      if ((++expansions & 1023) === 0) {
        if (limits.stop?.stopped) {
          status = 'stopped';
          break outer;
        }
        if (limits.now() > limits.deadline) {
          status = 'limit-time';
          break outer;
        }
      }
      // Memory is also looked at as each level starts: a level's frontier is the one thing that grows without asking.
      if (exactBudget && ((expansions & 255) === 0 || f === 0) && memoryUsed!() > exactBudget) memoryOut = true;
      if (memoryOut || seen.growthRefused) {
        if (limits.bitstate) handOver = f;
        else status = 'limit-memory';
        break outer;
      }
      if (fast) {
        // Decoded only when a step or a check not seen before needs the state as objects.
        const w = frontier.words(f);
        fast.prepare(null, w, frontier.start(f));
        if (deferChecks) {
          // The interpreter checked this state when its parent stored it.
          checkDeferred(w, id, parents[id]!, false);
          checkedThrough = f;
          if (allViolated()) {
            stopEarly();
            break outer;
          }
        }
        expanding = id;
        successorIndex = 0;
        nonFault = 0;
        fast.expandPrepared(sink);
        storeBatch();
        transitions += successorIndex;
        if (nonFault === 0) {
          terminal++;
          if (fast.parentMessages > 0) deadlocks++;
          if (deferChecks) checkDeferred(w, id, id, true);
          else checkPrepared(w, id, true);
        }
        if (limitHit) break outer;
        lastExpanded = id;
        if (allViolated()) {
          if (deferChecks) stopEarly();
          break outer;
        }
        continue;
      }
      const state = decodeState(sys, frontier.words(f), frontier.start(f));
      const succs: Successor[] = successors(sys, state);
      transitions += succs.length;
      if (isTerminal(succs)) {
        terminal++;
        if (state.msgs.length > 0) deadlocks++;
        checkTerminal(state, id);
      }
      for (let k = 0; k < succs.length; k++) {
        const { state: t, step } = succs[k]!;
        if (step.script >= 0) scriptFired |= 1 << step.script;
        if (step.error) {
          record(`handler error`, 'runtime-error', step.error.message, withExtra(pathTo(id), k));
          continue;
        }
        const tid = store(t, id, k);
        const target = tid >= 0 ? tid : knownId;
        if (eventuallyBits && !step.fault && falseBits[id]! & falseBits[target]!) falseEdges.push(id, target, k);
        if (tid < 0) continue;
        checkState(t, tid);
        if (seen.size >= limits.maxStates) {
          status = 'limit-states';
          break outer;
        }
        enqueue(next, t, tid);
      }
      if (allViolated()) break outer;
    }
    peakFrontierBytes = Math.max(peakFrontierBytes, next.bytes + frontier.bytes);
    depth++;
    if (next.size > 0) depthDone = depth;
    spare = frontier;
    frontier = next;
    checkedThrough = -1;
  }

  /**
   * Goes on depth-first from the unexpanded states (the rest of the frontier,
   * then the next level), with a Bloom filter for new states in the memory the
   * exact search left.
   */
  function continueInBitstate(from: number): { status: ExploreStatus; stats: BitstateStats } {
    // Depth-first search reads every successor's words: they are written at once, and fingerprinted whole.
    if (fast) fast.incremental = false;
    const free = limits.maxMemoryBytes! - memoryUsed!();
    const visited = new BitstateSet(Math.max(1 << 20, free * 0.9));
    const roots: BitstateRoots[] = [
      { queue: frontier, from, level: depth, checked: !deferChecks },
      { queue: next, from: 0, level: depth + 1, checked: !deferChecks },
    ];
    const r = searchBitstate(
      {
        sys,
        fast,
        visited,
        known: (h1, h2) => seen.has(h1, h2),
        fingerprint: fingerprintWords,
        maxDepth: limits.maxDepth,
        maxNewStates: Math.max(0, limits.maxStates - seen.size),
        deadline: limits.deadline,
        now: limits.now,
        ...(limits.stop ? { stop: limits.stop } : {}),
        pathTo,
        record,
        isViolated: (name) => violations.has(name),
        allViolated,
      },
      roots,
    );
    transitions += r.transitions;
    terminal += r.terminal;
    deadlocks += r.deadlocks;
    scriptFired |= r.scriptFired;
    if (r.deepest > depthDone) depthDone = r.deepest;
    const missed = visited.expectedMissed;
    const stats: BitstateStats = {
      exactStates: seen.size,
      bitstateStates: r.newStates,
      bytes: visited.bytes,
      hashes: visited.hashes,
      expectedMissed: missed,
      coverage: (seen.size + r.newStates) / (seen.size + r.newStates + missed),
      finalMissChance: visited.falseMatchChance(),
    };
    const status: ExploreStatus = r.status === 'complete' || r.status === 'all-violated' ? 'bitstate' : r.status;
    return { status, stats };
  }

  let bitstate: BitstateStats | undefined;
  if (handOver >= 0) {
    const r = continueInBitstate(handOver);
    bitstate = r.stats;
    status = r.status;
  }

  // States stored but never expanded still have their properties checked, as the interpreter did when it stored them.
  if (deferChecks && !stoppedEarly && status !== 'stopped' && handOver < 0) {
    const checkQueue = (queue: StateQueue, from: number) => {
      for (let f = from; f < queue.size; f++) {
        const id = queue.ids[f]!;
        const w = queue.words(f);
        fast!.prepare(null, w, queue.start(f));
        checkDeferred(w, id, parents[id]!, false);
      }
    };
    checkQueue(frontier, checkedThrough + 1);
    if (next !== frontier) checkQueue(next, 0);
    // Those checks may complete the violations before the bound was hit: the interpreter
    // would have stopped there, with every property decided.
    if (status !== 'complete' && allViolated() && recordedBy <= lastExpanded) {
      status = 'complete';
      stopEarly();
    }
  }

  // Infinite runs on which an `eventually` property never holds.
  if (eventuallyBits && status !== 'stopped') {
    sys.properties.forEach((p, i) => {
      if (!((eventuallyBits >> i) & 1) || violations.has(p.name)) return;
      const lasso = findLasso(sys, falseEdges, seen.size, 1 << i, falseBits, roots, pathTo);
      if (!lasso) return;
      const cycle = lasso.path.length - lasso.loopStart;
      violations.set(p.name, {
        property: p.name,
        kind: 'eventually',
        message: `${p.name} never holds on a run that never ends: after ${lasso.loopStart} step${lasso.loopStart === 1 ? '' : 's'}, a cycle of ${cycle} step${cycle === 1 ? '' : 's'} repeats forever`,
        initial: lasso.initial,
        path: lasso.path,
        loopStart: lasso.loopStart,
      });
    });
  }

  const elapsedMs = limits.now() - started;
  const states = seen.size + (bitstate?.bitstateStates ?? 0);
  const ordered = sys.properties.map((p) => violations.get(p.name)).filter((v): v is Violation => v !== undefined);
  const err = violations.get('handler error');
  if (err) ordered.push(err);
  return {
    status,
    stats: {
      states,
      transitions,
      depth: depthDone,
      terminal,
      deadlocks,
      elapsedMs,
      bytesPerState: states > 0 ? (seen.bytes + parents.byteLength + via.byteLength + (bitstate?.bytes ?? 0)) / states : 0,
      peakFrontierBytes,
      collisionProbability: seen.collisionProbability(),
      symmetry: sys.symmetry,
      ...(sys.symmetry && !bitstate && !Number.isNaN(rawStates) ? { rawStates } : {}),
      ...(bitstate ? { bitstate } : {}),
    },
    violations: ordered,
    scriptFired,
  };
}

function withExtra(where: { initial: number; path: number[] }, extra: number | null): { initial: number; path: number[] } {
  return extra === null ? where : { initial: where.initial, path: [...where.path, extra] };
}
