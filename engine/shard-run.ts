import type { CheckedModel } from '../language/check/model.js';
import type { Diagnostic } from '../language/diagnostic.js';
import type { Span } from '../language/span.js';
import type { RunOverrides } from './compile.js';
import { compileSystem } from './compile.js';
import type { ExploreStatus, StopSignal, Violation } from './explore.js';
import { runSeed } from './rng.js';
import { judge } from './run-check.js';
import type { ShardOptions, ShardResult, ShardRun, ShardSpec, ShardVerdict, SeedInterval } from './shard.js';
import { shardFormat, shardSeeds } from './shard.js';
import { shrinkViolation } from './shrink.js';
import type { SimulatedViolation } from './simulate.js';
import { simulateSeed } from './simulate.js';
import { initialStates } from './steps.js';
import type { RunSource, TransitionSystem } from './system.js';

export interface ShardRunOptions {
  now: () => number;
  /** Milliseconds each check or scenario may take; seeds past it are left out of the result. */
  timeBudgetMs: number;
  stop?: StopSignal;
  overrides: RunOverrides;
}

export interface ShardRunOutcome {
  run: ShardRun | null;
  status: ExploreStatus;
  /** Why the run could not start (bad params, too many nodes). */
  diagnostics: Diagnostic[];
}

/**
 * Seed s of a range is the walk `runSeed(s, 0)`, the very run `simulate --seed s --runs 1`
 * makes, so any seed a shard reports replays on its own.
 */
export function walkSeed(seed: number): number {
  return runSeed(seed, 0);
}

/**
 * Simulates one check or scenario once per seed of `seeds`, in ascending order, and keeps
 * per property the violation of the lowest seed (shrunk, as `simulate` does), because
 * that is the one a merge of shards can agree on whatever the split.
 */
export function simulateSeedBlock(model: CheckedModel, source: RunSource, seeds: SeedInterval | null, options: ShardRunOptions): ShardRunOutcome {
  const compiled = compileSystem(model, source, options.overrides);
  const sys = compiled.value;
  if (!sys) return { run: null, status: 'stopped', diagnostics: compiled.diagnostics };
  const inits = initialStates(sys);
  const first = new Map<string, SimulatedViolation>();
  const coverage = { runs: 0, steps: 0, terminated: 0 };
  const { status, lastRun } = runSeeds(seeds, options, (seed) => {
    const one = simulateSeed(sys, inits, walkSeed(seed), sys.bounds.steps);
    coverage.runs++;
    coverage.steps += one.steps;
    if (one.terminated) coverage.terminated++;
    for (const v of one.violations) if (!first.has(v.property)) first.set(v.property, { ...v, seed });
    return null;
  });
  const verdicts = shardVerdicts(sys, status, [...first.values()], source?.span ?? model.file.span, null);
  return {
    run: {
      run: sys.runName,
      kind: sys.runKind,
      maxSteps: sys.bounds.steps,
      seeds: seeds && lastRun >= seeds.first ? [{ first: seeds.first, last: lastRun }] : [],
      verdicts,
      coverage,
    },
    status,
    diagnostics: compiled.diagnostics,
  };
}

export interface ShardSimulation {
  result: ShardResult;
  /** Per run that stopped short of its block: how far it got. */
  statuses: { run: string; status: ExploreStatus }[];
  diagnostics: Diagnostic[];
}

/** Simulates shard `shard` of `seedRange` for every selected check and scenario of a file. */
export function simulateShard(
  model: CheckedModel,
  sources: readonly RunSource[],
  identity: { file: string; contentHash: string; version: string; options: ShardOptions },
  seedRange: SeedInterval,
  shard: ShardSpec,
  options: ShardRunOptions,
): ShardSimulation {
  return runShard(model, sources, identity, identity.options, seedRange, shard, options, (source, seeds) => simulateSeedBlock(model, source, seeds, options));
}

/**
 * Runs `block` (one kind of run per seed) over the shard's seeds for every selected
 * check and scenario of a file, and assembles the shard result with `shardOptions`.
 */
export function runShard(
  model: CheckedModel,
  sources: readonly RunSource[],
  identity: { file: string; contentHash: string; version: string },
  shardOptions: ShardOptions,
  seedRange: SeedInterval,
  shard: ShardSpec,
  options: ShardRunOptions,
  block: (source: RunSource, seeds: SeedInterval | null) => ShardRunOutcome,
): ShardSimulation {
  const started = options.now();
  const seeds = shardSeeds(seedRange, shard);
  const runs: ShardRun[] = [];
  const statuses: ShardSimulation['statuses'] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    const outcome = block(source, seeds);
    diagnostics.push(...outcome.diagnostics);
    if (outcome.run) runs.push(outcome.run);
    if (outcome.status !== 'complete') statuses.push({ run: outcome.run?.run ?? source?.name?.name ?? 'explore', status: outcome.status });
  }
  return {
    result: {
      format: shardFormat,
      version: identity.version,
      file: identity.file,
      contentHash: identity.contentHash,
      protocol: model.file.name?.name ?? '',
      options: shardOptions,
      seedRange,
      shards: [shard],
      runs,
      ok: runs.every((r) => r.verdicts.every((v) => v.ok)),
      elapsedMs: options.now() - started,
    },
    statuses,
    diagnostics,
  };
}

/**
 * A shard's verdicts: each property's first violation (the lowest seed's, shrunk)
 * or `unknown`, as runs of a seed range never prove a property. `unviolated`
 * words the message of a property no run violated (null: `judge`'s).
 */
export function shardVerdicts(
  sys: TransitionSystem,
  status: ExploreStatus,
  first: readonly (Violation & { seed: number })[],
  span: Span,
  unviolated: ((property: string) => string) | null,
): ShardVerdict[] {
  const violations = first.map((v) => shrinkViolation(sys, v));
  return judge(sys, 'simulate', status, violations, span).map((v) => ({
    property: v.property,
    kind: v.kind,
    outcome: v.outcome === 'violated' ? ('violated' as const) : ('unknown' as const),
    expected: v.expected,
    ok: v.ok,
    message: v.outcome !== 'violated' && unviolated ? unviolated(v.property) : v.message,
    seed: v.seed,
    trace: v.trace,
  }));
}

/**
 * Calls `each` for the seeds of a block in order, until a stop, the time budget,
 * or a status `each` returns (a run cut short); says why it ended and the last
 * seed whose run completed.
 */
export function runSeeds(seeds: SeedInterval | null, options: ShardRunOptions, each: (seed: number, deadline: number) => ExploreStatus | null): { status: ExploreStatus; lastRun: number } {
  const deadline = options.now() + options.timeBudgetMs;
  let lastRun = seeds ? seeds.first - 1 : 0;
  if (!seeds) return { status: 'complete', lastRun };
  for (let seed = seeds.first; seed <= seeds.last; seed++) {
    if (options.stop?.stopped) return { status: 'stopped', lastRun };
    if (options.now() > deadline) return { status: 'limit-time', lastRun };
    const cut = each(seed, deadline);
    if (cut) return { status: cut, lastRun };
    lastRun = seed;
  }
  return { status: 'complete', lastRun };
}
