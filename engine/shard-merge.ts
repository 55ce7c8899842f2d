import type { ShardCoverage, ShardResult, ShardRun, ShardSpec, ShardVerdict, SeedInterval } from './shard.js';
import { addSwarmCoverage, emptySwarmCoverage, joinIntervals, missingSeeds, seedIntervalText, shardFormat, shardMode } from './shard.js';

/** A shard result with the name it was read from, for messages. */
export interface NamedResult {
  name: string;
  result: ShardResult;
}

export type MergeOutcome =
  | { ok: true; result: ShardResult; warnings: string[] }
  /** The results cannot be merged into one answer; nothing was merged. */
  | { ok: false; errors: string[] };

/**
 * Combines shard results into the result one run over all their seeds would have given:
 * a property is violated when any shard violated it, its counterexample is the lowest
 * seed's, coverage is summed. Refuses results of different modes (simulation, bitstate swarm), models, options or seed
 * ranges, and seeds run twice; seeds run by nobody are refused too unless `allowPartial`,
 * and then each gap is a warning.
 */
export function mergeShardResults(inputs: readonly NamedResult[], allowPartial: boolean): MergeOutcome {
  const first = inputs[0];
  if (!first) return { ok: false, errors: ['no results to merge'] };
  const errors = sameIdentity(first, inputs.slice(1));
  if (errors.length > 0) return { ok: false, errors };

  const runs: ShardRun[] = [];
  const warnings: string[] = [];
  // Runs match by position: the identity check made every result list the same runs in the same order.
  for (let i = 0; i < first.result.runs.length; i++) {
    const name = first.result.runs[i]!.run;
    const parts = inputs.map((x) => ({ name: x.name, run: x.result.runs[i]! }));
    errors.push(...overlaps(name, parts));
    const merged = mergeRun(parts.map((p) => p.run));
    const gaps = missingSeeds(first.result.seedRange, merged.seeds);
    if (gaps.length > 0) {
      const text = `${name}: ${gaps.reduce((n, g) => n + g.last - g.first + 1, 0)} seed(s) of ${seedIntervalText(first.result.seedRange)} not run: ${gapsText(gaps)}`;
      if (allowPartial) warnings.push(text);
      else errors.push(`${text} (pass --allow-partial to merge what there is)`);
    }
    runs.push(merged);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    result: {
      format: shardFormat,
      version: first.result.version,
      file: first.result.file,
      contentHash: first.result.contentHash,
      protocol: first.result.protocol,
      options: first.result.options,
      seedRange: first.result.seedRange,
      shards: uniqueShards(inputs.flatMap((x) => x.result.shards)),
      runs,
      ok: runs.every((r) => r.verdicts.every((v) => v.ok)),
      elapsedMs: inputs.reduce((t, x) => t + x.result.elapsedMs, 0),
    },
    warnings,
  };
}

/** Everything that decides what a seed's run does must be the same in every result. */
function sameIdentity(first: NamedResult, rest: readonly NamedResult[]): string[] {
  const errors: string[] = [];
  const runList = (r: ShardResult) => r.runs.map((x) => x.run).join(', ');
  const checks: { what: string; of: (r: ShardResult) => string }[] = [
    // First, so that a simulation next to a swarm is refused in those words rather than as other options.
    { what: 'mode', of: (r) => (shardMode(r.options) === 'bitstate' ? 'bitstate swarm' : 'simulation') },
    { what: 'faultline version', of: (r) => r.version },
    { what: 'model (content hash)', of: (r) => r.contentHash },
    { what: 'options', of: (r) => JSON.stringify(r.options) },
    { what: 'seed range', of: (r) => seedIntervalText(r.seedRange) },
    { what: 'checks and scenarios', of: runList },
  ];
  for (const other of rest) {
    for (const c of checks) {
      const a = c.of(first.result);
      const b = c.of(other.result);
      if (a !== b) errors.push(`${other.name} and ${first.name} differ in ${c.what}: ${b} vs ${a}`);
    }
  }
  return errors;
}

/** Seeds that two results both ran: merging would count their runs twice. */
function overlaps(run: string, parts: readonly { name: string; run: ShardRun }[]): string[] {
  const owned = parts.flatMap((p) => p.run.seeds.map((s) => ({ ...s, name: p.name }))).sort((a, b) => a.first - b.first);
  const errors: string[] = [];
  for (let i = 1; i < owned.length; i++) {
    for (let j = i - 1; j >= 0; j--) {
      const a = owned[j]!;
      const b = owned[i]!;
      if (a.last < b.first) continue;
      const both = { first: b.first, last: Math.min(a.last, b.last) };
      errors.push(`${run}: ${a.name} and ${b.name} both ran seeds ${seedIntervalText(both)}`);
    }
  }
  return errors;
}

function mergeRun(parts: readonly ShardRun[]): ShardRun {
  const base = parts[0]!;
  const coverage: ShardCoverage = { runs: 0, steps: 0, terminated: 0 };
  const swarm = parts.some((p) => p.coverage.bitstate) ? emptySwarmCoverage() : null;
  for (const p of parts) {
    coverage.runs += p.coverage.runs;
    coverage.steps += p.coverage.steps;
    coverage.terminated += p.coverage.terminated;
    if (swarm && p.coverage.bitstate) addSwarmCoverage(swarm, p.coverage.bitstate);
  }
  if (swarm) coverage.bitstate = swarm;
  // Messages of properties nobody violated come from the result that starts lowest,
  // so the merge does not depend on the order the files were given in.
  const ordered = [...parts].sort((a, b) => (a.seeds[0]?.first ?? Infinity) - (b.seeds[0]?.first ?? Infinity));
  const properties = unique(parts.flatMap((p) => p.verdicts.map((v) => v.property)));
  const verdicts = properties.map((property) => mergeVerdict(ordered.flatMap((p) => p.verdicts.filter((v) => v.property === property))));
  return {
    run: base.run,
    kind: base.kind,
    maxSteps: base.maxSteps,
    seeds: joinIntervals(parts.flatMap((p) => p.seeds)),
    verdicts,
    coverage,
  };
}

function mergeVerdict(verdicts: readonly ShardVerdict[]): ShardVerdict {
  let pick = verdicts[0]!;
  for (const v of verdicts) {
    if (v.outcome !== 'violated' || v.seed === null) continue;
    if (pick.outcome !== 'violated' || pick.seed === null || v.seed < pick.seed) pick = v;
  }
  const ok = pick.expected === 'holds' ? pick.outcome !== 'violated' : pick.outcome === 'violated';
  return { ...pick, ok };
}

/** Property order as the shards list them; a handler error seen by only some shards comes last. */
function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function uniqueShards(shards: readonly ShardSpec[]): ShardSpec[] {
  const seen = new Map<string, ShardSpec>();
  for (const s of shards) seen.set(`${s.count}/${s.index}`, s);
  return [...seen.values()].sort((a, b) => a.count - b.count || a.index - b.index);
}

function gapsText(gaps: readonly SeedInterval[]): string {
  const shown = gaps.slice(0, 8).map(seedIntervalText).join(', ');
  return gaps.length > 8 ? `${shown} and ${gaps.length - 8} more` : shown;
}
