import type { CheckedModel } from '../language/check/model.js';
import { BitstateSet } from './bitstate-set.js';
import { swarmSearch } from './bitstate-swarm.js';
import { compileSystem } from './compile.js';
import type { Violation } from './explore.js';
import type { ShardOptions, ShardSpec, SeedInterval } from './shard.js';
import { addSwarmCoverage, emptySwarmCoverage, missedLog2Term } from './shard.js';
import type { ShardRunOptions, ShardRunOutcome, ShardSimulation } from './shard-run.js';
import { runSeeds, runShard, shardVerdicts } from './shard-run.js';
import type { RunSource } from './system.js';

/**
 * Runs one bitstate swarm search per seed of `seeds` for one check or scenario, in
 * ascending order, with `filter` reset for each, and keeps per property the violation
 * of the lowest seed, shrunk: the one a merge of shards agrees on whatever the split.
 * A seed cut short by the time budget or a stop is left out of the result (its run
 * would not be the run that seed stands for).
 */
export function swarmSeedBlock(model: CheckedModel, source: RunSource, seeds: SeedInterval | null, filter: BitstateSet, options: ShardRunOptions): ShardRunOutcome {
  const compiled = compileSystem(model, source, options.overrides);
  const sys = compiled.value;
  if (!sys) return { run: null, status: 'stopped', diagnostics: compiled.diagnostics };
  const first = new Map<string, Violation & { seed: number }>();
  const coverage = { runs: 0, steps: 0, terminated: 0, bitstate: emptySwarmCoverage() };
  const { status, lastRun } = runSeeds(seeds, options, (seed, deadline) => {
    const one = swarmSearch(sys, seed, {
      maxDepth: sys.bounds.depth,
      maxStates: sys.bounds.states,
      deadline,
      now: options.now,
      ...(options.stop ? { stop: options.stop } : {}),
      filter,
    });
    if (one.status === 'stopped' || one.status === 'limit-time') return one.status;
    coverage.runs++;
    coverage.steps += one.transitions;
    if (one.status === 'complete') coverage.terminated++;
    const finished = one.status === 'complete' || one.status === 'limit-depth';
    addSwarmCoverage(coverage.bitstate, {
      states: one.states,
      bestCoverage: finished ? one.coverage : 0,
      bestSeed: finished ? seed : null,
      log2MissedByAll: finished ? missedLog2Term(one.states, one.expectedMissed) : 0,
      missedByAll: 0,
      limited: one.status === 'limit-depth' ? 1 : 0,
      unfinished: finished ? 0 : 1,
      deepest: one.deepest,
    });
    for (const v of one.violations) if (!first.has(v.property)) first.set(v.property, { ...v, seed });
    return null;
  });
  // Shrinking replays the path with the interpreter: a long depth-first path costs more
  // replays than a simulated one, but only the lowest seed's, once per property.
  // Not `judge`'s words for a property no run violated: they name this shard's status, which a merge could not agree on.
  const verdicts = shardVerdicts(sys, status, [...first.values()], source?.span ?? model.file.span, (property) => `${property} was not violated by any swarm run (a bitstate search may miss states)`);
  return {
    run: {
      run: sys.runName,
      kind: sys.runKind,
      maxSteps: sys.bounds.depth,
      seeds: seeds && lastRun >= seeds.first ? [{ first: seeds.first, last: lastRun }] : [],
      verdicts,
      coverage,
    },
    status,
    diagnostics: compiled.diagnostics,
  };
}

/**
 * Runs shard `shard` of `seedRange` as bitstate swarm searches, for every selected
 * check and scenario of a file; one filter of `identity.options.bitstate.filterBytes`
 * serves every run in turn.
 */
export function swarmShard(
  model: CheckedModel,
  sources: readonly RunSource[],
  identity: { file: string; contentHash: string; version: string; options: ShardOptions },
  seedRange: SeedInterval,
  shard: ShardSpec,
  options: ShardRunOptions,
): ShardSimulation {
  const filter = new BitstateSet(identity.options.bitstate?.filterBytes ?? 1 << 20);
  // Keys in the order `readShardResult` gives them: merge compares options as JSON text.
  const shardOptions: ShardOptions = { mode: 'bitstate', ...identity.options };
  return runShard(model, sources, identity, shardOptions, seedRange, shard, options, (source, seeds) => swarmSeedBlock(model, source, seeds, filter, options));
}
