import { BitstateSet } from './bitstate-set.js';
import type { BitstateOutcome } from './bitstate-search.js';
import { searchBitstate } from './bitstate-search.js';
import type { StopSignal, Violation, ViolationKind } from './explore.js';
import { hashWords } from './fingerprint-set.js';
import { Rng, runSeed } from './rng.js';
import { encodeState, StateQueue } from './state.js';
import { initialStates } from './steps.js';
import { canonicalWords } from './symmetry.js';
import type { TransitionSystem } from './system.js';
import { WordBuffer } from './word-buffer.js';
import { WordSuccessors } from './word-successors.js';

export interface SwarmLimits {
  maxDepth: number;
  /** States one run may visit (the run stops with `limit-states` there). */
  maxStates: number;
  deadline: number;
  now: () => number;
  stop?: StopSignal;
  /**
   * The Bloom filter, or its size in bytes. A filter passed in is reset and reused:
   * runs of a seed block share one, so its memory is taken once.
   */
  filter: BitstateSet | number;
  /** `interpreter`: successors as state objects even where the word-level generator covers the model. */
  engine?: 'auto' | 'interpreter';
}

/** One swarm run: what a bitstate search with this seed's hash functions and search order found. */
export interface SwarmRun {
  seed: number;
  /** `complete`: the search ran out of new states; `all-violated`: it stopped once every property was violated. */
  status: BitstateOutcome['status'];
  /** The first violation of each property on this run's search, in property order (a handler error last). */
  violations: Violation[];
  /** States the filter took in (initial states included). */
  states: number;
  transitions: number;
  terminal: number;
  deadlocks: number;
  /** The deepest level a state was found at. */
  deepest: number;
  filterBytes: number;
  /** Expected states taken for seen ones (see `BitstateSet.expectedMissed`). */
  expectedMissed: number;
  /** Estimated share of the states this search could reach that it visited. */
  coverage: number;
}

/** The filter's hash salt and the search order of seed `seed`: two streams of one seed, independent of each other. */
export function swarmSalt(seed: number): number {
  return runSeed(seed, 0);
}

function swarmOrder(seed: number): Rng {
  return new Rng(runSeed(seed, 1));
}

/**
 * One run of a bitstate swarm (Holzmann's swarm verification): a depth-first
 * bitstate search from the initial states, with the filter's hash functions salted
 * by the seed and each state's successors searched in an order the seed shuffles.
 * One small filter misses states; runs with other seeds miss other ones, so many
 * cheap runs cover more than one run could. The same seed gives the same run on
 * every machine. Counterexample paths start at an initial state's index and follow
 * the search stack: they replay, but need not be shortest.
 */
export function swarmSearch(sys: TransitionSystem, seed: number, limits: SwarmLimits): SwarmRun {
  const visited = typeof limits.filter === 'number' ? new BitstateSet(limits.filter) : limits.filter;
  visited.reset(swarmSalt(seed));
  const order = swarmOrder(seed);

  const roots = new StateQueue();
  const inits = initialStates(sys);
  const rootOrder = inits.map((_, i) => i);
  for (let j = rootOrder.length - 1; j > 0; j--) {
    const r = order.below(j + 1);
    [rootOrder[j], rootOrder[r]] = [rootOrder[r]!, rootOrder[j]!];
  }
  const actual = new WordBuffer();
  const key = new WordBuffer();
  for (const i of rootOrder) {
    const s = inits[i]!;
    actual.clear();
    encodeState(sys, s, actual);
    let hashed = actual;
    if (sys.symmetry) {
      key.clear();
      canonicalWords(sys, s, key);
      hashed = key;
    }
    const h = hashWords(hashed.data, hashed.length);
    // Initial states equal up to symmetry are searched once, like any other state.
    if (!visited.add(h[0]!, h[1]!)) continue;
    roots.push(actual, i);
  }

  const violations = new Map<string, Violation>();
  const record = (property: string, kind: ViolationKind, message: string, where: { initial: number; path: number[] }) => {
    if (!violations.has(property)) violations.set(property, { property, kind, message, ...where });
  };
  const r = searchBitstate(
    {
      sys,
      fast: limits.engine === 'interpreter' ? null : WordSuccessors.create(sys),
      visited,
      known: () => false,
      maxDepth: limits.maxDepth,
      maxNewStates: Math.max(0, limits.maxStates - roots.size),
      deadline: limits.deadline,
      now: limits.now,
      ...(limits.stop ? { stop: limits.stop } : {}),
      // A root's id is its initial state's index: the path to it is empty.
      pathTo: (initial) => ({ initial, path: [] }),
      record,
      isViolated: (name) => violations.has(name),
      allViolated: () => sys.properties.length > 0 && sys.properties.every((p) => violations.has(p.name)),
      order,
    },
    [{ queue: roots, from: 0, level: 0, checked: false }],
  );
  const ordered = sys.properties.map((p) => violations.get(p.name)).filter((v): v is Violation => v !== undefined);
  const err = violations.get('handler error');
  if (err) ordered.push(err);
  const states = visited.size;
  const missed = visited.expectedMissed;
  return {
    seed,
    status: r.status,
    violations: ordered,
    states,
    transitions: r.transitions,
    terminal: r.terminal,
    deadlocks: r.deadlocks,
    deepest: r.deepest,
    filterBytes: visited.bytes,
    expectedMissed: missed,
    coverage: states > 0 ? states / (states + missed) : 1,
  };
}

/**
 * The filter of each swarm run when only a memory budget is given: 80 % of the budget
 * less what the process uses already (as bitstate mode after an exact search), rounded
 * down to a power of two MiB, from 1 MiB to 512 MiB. The rounding matters: a seed's run
 * depends on the filter's size, and shards started alike on alike machines must land
 * on the same size although their processes never use exactly the same memory.
 */
export function swarmFilterBytes(budgetBytes: number, usedBytes: number): number {
  const mib = 1 << 20;
  const free = Math.max(mib, budgetBytes * 0.8 - usedBytes);
  return Math.min(512 * mib, mib * 2 ** Math.floor(Math.log2(free / mib)));
}
