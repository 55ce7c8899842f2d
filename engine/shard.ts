import type { TransitionSystem } from './system.js';
import type { Trace } from './trace.js';

/**
 * The result of simulating one shard of a seed range (`docs/scale-out.md`): plain JSON,
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

/** What decides a run besides the file's text and the seeds; results merge only when these are equal. */
export interface ShardOptions {
  params: Record<string, number>;
  /** `--steps`, or null for each run's own bound. */
  steps: number | null;
  scenario: string | null;
  check: string | null;
  symmetry: boolean;
}

export interface ShardVerdict {
  property: string;
  kind: 'invariant' | 'eventually' | 'runtime-error';
  /** Simulation never proves a property: `unknown` means no seed violated it. */
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
  steps: number;
  /** Runs that ended in a terminal state rather than at the step bound or a violation. */
  terminated: number;
}

export interface ShardRun {
  run: string;
  kind: TransitionSystem['runKind'];
  /** The step bound each seed's run had. */
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
