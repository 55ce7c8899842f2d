import type { TransitionSystem } from './system.js';
import type { Trace } from './trace.js';

/**
 * The result of simulating (or running bitstate swarm searches of) one shard of a seed range (`docs/scale-out.md`): plain JSON,
 * written by one machine and merged on another. A merged result has the same shape, so
 * merging is associative and a merge of all shards compares field by field with one
 * unsharded run.
 */
export const shardFormat = 'faultline-shard/1';

/** Seeds `first..last`, both included. */
export interface SeedInterval {
  first: number;
  last: number;
}

/** Shard `index` of `count`, 1-based as on the command line (`--shard 2/4`). */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * What a seed stands for: a random walk (`simulate`), or a bitstate swarm run
 * (`explore --bitstate`, `engine/bitstate-swarm.ts`).
 */
export type ShardMode = 'simulate' | 'bitstate';

/** What decides a run besides the file's text and the seeds; results merge only when these are equal. */
export interface ShardOptions {
  /** Absent in simulation results, so that they read as they did before swarm runs existed. */
  mode?: ShardMode;
  params: Record<string, number>;
  /** `--steps`, or null for each run's own bound. */
  steps: number | null;
  scenario: string | null;
  check: string | null;
  symmetry: boolean;
  /** Bitstate swarm runs only. */
  bitstate?: SwarmOptions;
}

export interface SwarmOptions {
  /** The Bloom filter of every run: a seed's run depends on its size, so shards must agree on it. */
  filterBytes: number;
  /** `--depth`, or null for each run's own bound. */
  depth: number | null;
  /** `--max-states`, or null for each run's own bound. */
  maxStates: number | null;
}

export function shardMode(options: ShardOptions): ShardMode {
  return options.mode ?? 'simulate';
}

export interface ShardVerdict {
  property: string;
  kind: 'invariant' | 'eventually' | 'runtime-error';
  /** Simulation and bitstate swarms never prove a property: `unknown` means no seed violated it. */
  outcome: 'violated' | 'unknown';
  expected: 'holds' | 'violated';
  ok: boolean;
  message: string;
  /** The lowest seed whose run violated the property. */
  seed: number | null;
  /** That run's counterexample, shrunk (`faultline-trace/1`). */
  trace: Trace | null;
}

export interface ShardCoverage {
  runs: number;
  /** Simulation: steps walked. Bitstate: transitions the searches generated. */
  steps: number;
  /**
   * Simulation: runs that ended in a terminal state rather than at the step bound or a
   * violation. Bitstate: runs that searched everything they could reach (not cut by the
   * depth or state bound, nor stopped once every property was violated).
   */
  terminated: number;
  /** Bitstate swarm runs only. */
  bitstate?: SwarmCoverage;
}

/**
 * What a swarm's runs covered together. Each run estimates the share of states it
 * missed (states its filter took for seen ones, `BitstateSet.expectedMissed`); runs
 * with different seeds miss different states, and assuming they miss them
 * independently the chance that a given state was missed by every run is the product
 * of the runs' missed shares. A run's estimate counts the states its filter took for
 * seen ones, not the states only those lead to (which are lost with them), so it is a
 * lower bound on what the run missed. Only runs that searched to their end give an
 * estimate: the states past a run's depth bound are not in it (`limited` counts those
 * runs), and a run stopped at the state bound or once every property was violated
 * gives none (`unfinished`).
 */
export interface SwarmCoverage {
  /** States visited, summed over runs: a state seen by k runs counts k times. */
  states: number;
  /** The best single run's estimated coverage, and its seed (the lowest of equals). */
  bestCoverage: number;
  bestSeed: number | null;
  /**
   * log2 of the chance that a state was missed by every run. Each run's term is rounded
   * to a multiple of 2^-20 (and at most 1100 below zero), so the sum is exact in doubles
   * and merging shards in any grouping gives the same number.
   */
  log2MissedByAll: number;
  /** 2 ** log2MissedByAll. */
  missedByAll: number;
  /** Runs that searched to their end within the depth bound, but found states at it with successors. */
  limited: number;
  /** Runs stopped at the state bound or once every property was violated: not in the estimates. */
  unfinished: number;
  /** The deepest level any run reached. */
  deepest: number;
}

/** A run's term of `log2MissedByAll`, from its coverage estimate. */
export function missedLog2Term(states: number, expectedMissed: number): number {
  const share = states + expectedMissed > 0 ? expectedMissed / (states + expectedMissed) : 0;
  const scale = 1 << 20;
  // `+ 0` turns -0 into 0: results are compared after a JSON round trip, which drops the sign.
  return Math.max(-1100 * scale, Math.round(Math.log2(share) * scale)) / scale + 0;
}

/** Adds coverage `b` to `a` (in place); every field combines associatively, so shards merge in any grouping. */
export function addSwarmCoverage(a: SwarmCoverage, b: SwarmCoverage): void {
  a.states += b.states;
  if (b.bestSeed !== null && (a.bestSeed === null || b.bestCoverage > a.bestCoverage || (b.bestCoverage === a.bestCoverage && b.bestSeed < a.bestSeed))) {
    a.bestCoverage = b.bestCoverage;
    a.bestSeed = b.bestSeed;
  }
  a.log2MissedByAll += b.log2MissedByAll;
  a.missedByAll = 2 ** a.log2MissedByAll;
  a.limited += b.limited;
  a.unfinished += b.unfinished;
  a.deepest = Math.max(a.deepest, b.deepest);
}

export function emptySwarmCoverage(): SwarmCoverage {
  return { states: 0, bestCoverage: 0, bestSeed: null, log2MissedByAll: 0, missedByAll: 1, limited: 0, unfinished: 0, deepest: 0 };
}

export interface ShardRun {
  run: string;
  kind: TransitionSystem['runKind'];
  /** The step bound each seed's run had (bitstate: the depth bound, the longest path a search follows). */
  maxSteps: number;
  /** The seeds this result ran, ascending and disjoint: a time budget can leave a shard's block short. */
  seeds: SeedInterval[];
  verdicts: ShardVerdict[];
  coverage: ShardCoverage;
}

export interface ShardResult {
  format: typeof shardFormat;
  version: string;
  /** The path the file was read from (informational: machines differ, the hash does not). */
  file: string;
  contentHash: string;
  protocol: string;
  options: ShardOptions;
  seedRange: SeedInterval;
  /** The shards this result holds, ordered. */
  shards: ShardSpec[];
  runs: ShardRun[];
  ok: boolean;
  /** Summed over shards: machine time, not wall-clock time. */
  elapsedMs: number;
}

/**
 * Shard k of n gets a contiguous block of the range: block sizes differ by at most one
 * and the blocks tile the range in shard order. Blocks (rather than every n-th seed)
 * keep a shard's seeds one interval, so a missing shard is reported as one seed range
 * and an unsharded run's seed order is the shards' order concatenated. Null when the
 * block is empty (more shards than seeds).
 */
export function shardSeeds(range: SeedInterval, shard: ShardSpec): SeedInterval | null {
  const size = range.last - range.first + 1;
  const first = range.first + Math.floor(((shard.index - 1) * size) / shard.count);
  const last = range.first + Math.floor((shard.index * size) / shard.count) - 1;
  return last >= first ? { first, last } : null;
}

/** `12..40`, or `12` for one seed. */
export function seedIntervalText(s: SeedInterval): string {
  return s.first === s.last ? String(s.first) : `${s.first}..${s.last}`;
}

/** Sorted, with touching and overlapping intervals joined. */
export function joinIntervals(intervals: readonly SeedInterval[]): SeedInterval[] {
  const sorted = [...intervals].sort((a, b) => a.first - b.first || a.last - b.last);
  const out: SeedInterval[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && s.first <= prev.last + 1) prev.last = Math.max(prev.last, s.last);
    else out.push({ ...s });
  }
  return out;
}

/** The seeds of `range` that no interval covers. */
export function missingSeeds(range: SeedInterval, covered: readonly SeedInterval[]): SeedInterval[] {
  const gaps: SeedInterval[] = [];
  let next = range.first;
  for (const s of joinIntervals(covered)) {
    if (s.last < next) continue;
    if (s.first > range.last) break;
    if (s.first > next) gaps.push({ first: next, last: s.first - 1 });
    next = s.last + 1;
  }
  if (next <= range.last) gaps.push({ first: next, last: range.last });
  return gaps;
}
