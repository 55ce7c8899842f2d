import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BitstateSet } from '../../engine/bitstate-set.js';
import type { SwarmRun } from '../../engine/bitstate-swarm.js';
import { swarmFilterBytes, swarmSearch } from '../../engine/bitstate-swarm.js';
import { runSources } from '../../engine/compile.js';
import { exploreStates } from '../../engine/explore.js';
import { failuresInState } from '../../engine/properties.js';
import { readShardResult } from '../../engine/shard-read.js';
import { mergeShardResults } from '../../engine/shard-merge.js';
import { simulateShard } from '../../engine/shard-run.js';
import { swarmShard } from '../../engine/shard-swarm.js';
import type { SeedInterval, ShardOptions } from '../../engine/shard.js';
import type { TransitionSystem } from '../../engine/system.js';
import { replayPath } from '../../engine/trace.js';
import { modelOf, systemOf, unlimited } from '../support/analyze.js';
import { repoRoot } from '../support/repo.js';
import { flakyProtocol } from '../support/cli-protocols.js';

const benchModel = readFileSync(join(repoRoot(), 'bench/models/two-phase-commit.ftp'), 'utf8');

const flaky = flakyProtocol('explore');

function swarm(sys: TransitionSystem, seed: number, filter: BitstateSet | number = 1 << 20): SwarmRun {
  return swarmSearch(sys, seed, { maxDepth: unlimited.maxDepth, maxStates: unlimited.maxStates, deadline: Infinity, now: unlimited.now, filter });
}

test('a swarm run finds each violation with a path that replays to it', () => {
  const sys = systemOf(flaky, { symmetry: false });
  for (const seed of [1, 2, 3]) {
    const r = swarm(sys, seed);
    assert.equal(r.status, 'all-violated');
    assert.deepEqual(
      r.violations.map((v) => v.property),
      ['NoThree', 'NotAllTwo'],
    );
    for (const v of r.violations) {
      const { states, steps } = replayPath(sys, v.initial, v.path);
      assert.equal(steps.length, v.path.length, `seed ${seed}: ${v.property}'s path replays in full`);
      const last = states[states.length - 1]!;
      assert.ok(
        failuresInState(sys, last, () => false).some((f) => f.property === v.property),
        `seed ${seed}: ${v.property} is false where its path ends`,
      );
    }
  }
});

test('with a filter large enough a swarm run visits every state, whatever its seed', () => {
  const sys = systemOf(benchModel, { params: new Map([['N', 4]]), symmetry: false });
  const exact = exploreStates(sys, unlimited);
  for (const seed of [5, 6]) {
    const r = swarm(sys, seed);
    assert.equal(r.status, 'complete');
    assert.equal(r.states, exact.stats.states);
    assert.equal(r.transitions, exact.stats.transitions);
    assert.ok(r.coverage > 0.9999);
  }
});

test('seeds change the search order and the filter, so they miss different states; one seed always runs alike', () => {
  const sys = systemOf(benchModel, { params: new Map([['N', 4]]), symmetry: false });
  // 8 k bits for 24 k states: every run misses most of them, each its own.
  const shared = new BitstateSet(1024);
  const runs = [1, 2, 3, 4].map((seed) => swarm(sys, seed, shared));
  assert.equal(new Set(runs.map((r) => r.states)).size, 4, `states ${runs.map((r) => r.states).join(', ')}`);
  for (const r of runs) assert.ok(r.states < 24_388 && r.coverage < 1);
  // The filter is reset between runs: a run on a reused filter is the run on a new one.
  assert.deepEqual(swarm(sys, 3, new BitstateSet(1024)), runs[2]);
  assert.deepEqual(swarm(sys, 1, shared), runs[0]);

  // Different seeds take different first paths to a violation.
  const violating = systemOf(flaky, { symmetry: false });
  const paths = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(swarm(violating, seed).violations.map((v) => [v.initial, v.path]))));
  assert.ok(paths.size >= 3, `${paths.size} distinct counterexample sets`);
});

test('a salted filter takes other states for seen ones; salt 0 is the plain filter', () => {
  const plain = new BitstateSet(1024);
  const zero = new BitstateSet(1024, 3, 0);
  const salted = new BitstateSet(1024, 3, 12345);
  let seed = 11;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
  const missedBy = (set: BitstateSet, fps: [number, number][]) => fps.filter(([a, b]) => !set.add(a, b)).map(([a]) => a);
  const fps: [number, number][] = Array.from({ length: 3000 }, () => [next(), next()]);
  const a = missedBy(plain, fps);
  assert.deepEqual(missedBy(zero, fps), a);
  const b = missedBy(salted, fps);
  assert.ok(a.length > 10 && b.length > 10);
  assert.notDeepEqual(a, b);
  assert.equal(swarmFilterBytes(64 << 20, 200 << 20), 1 << 20, 'at least 1 MiB');
  assert.equal(swarmFilterBytes(1000 << 20, 100 << 20), 512 << 20);
  assert.equal(swarmFilterBytes(300 << 20, 60 << 20), 128 << 20, '180 MiB free: 128 MiB');
});

const options = { now: () => 0, timeBudgetMs: 1e9, overrides: { symmetry: false } };
function identity(filterBytes: number): { file: string; contentHash: string; version: string; options: ShardOptions } {
  return {
    file: 'flaky.ftp',
    contentHash: 'sha256:00',
    version: 'test',
    options: { mode: 'bitstate', params: {}, steps: null, scenario: null, check: null, symmetry: false, bitstate: { filterBytes, depth: null, maxStates: null } },
  };
}

test('swarmShard: the shards of a range, merged, equal one run over the range, and read back through JSON', () => {
  const model = modelOf(benchModel);
  const sources = runSources(model).slice(0, 1);
  const range: SeedInterval = { first: 3, last: 12 };
  const id = identity(1024);
  const overrides = { ...options, overrides: { symmetry: false, params: new Map([['N', 3]]) } };
  const whole = swarmShard(model, sources, id, range, { index: 1, count: 1 }, overrides).result;
  const b = whole.runs[0]!.coverage.bitstate!;
  assert.equal(whole.runs[0]!.coverage.runs, 10);
  assert.ok(b.states > 0 && b.bestSeed !== null && b.missedByAll < 1 && b.missedByAll > 0, JSON.stringify(b));
  assert.equal(b.missedByAll, 2 ** b.log2MissedByAll);
  assert.deepEqual(readShardResult(JSON.parse(JSON.stringify(whole))), whole);
  for (const count of [2, 3]) {
    const parts = Array.from({ length: count }, (_, i) => ({ name: `s${i + 1}`, result: swarmShard(model, sources, id, range, { index: i + 1, count }, overrides).result }));
    const merged = mergeShardResults(parts, false);
    assert.ok(merged.ok);
    assert.deepEqual({ ...merged.result, shards: [] }, { ...whole, shards: [] }, `${count} shards`);
    // Merged in another grouping: the same numbers to the last bit.
    const rest = mergeShardResults(parts.slice(1), true);
    assert.ok(rest.ok);
    const again = mergeShardResults([{ name: 'rest', result: rest.result }, parts[0]!], false);
    assert.ok(again.ok);
    assert.deepEqual(again.result.runs, whole.runs);
  }
});

test('swarmShard keeps the lowest seed\'s counterexample; merge refuses a simulation next to a swarm', () => {
  const model = modelOf(flaky);
  const sources = runSources(model);
  const range: SeedInterval = { first: 1, last: 6 };
  const swarmResult = swarmShard(model, sources, identity(1 << 20), range, { index: 1, count: 2 }, options).result;
  const verdicts = swarmResult.runs[0]!.verdicts;
  assert.deepEqual(
    verdicts.map((v) => [v.property, v.outcome, v.seed]),
    [
      ['NoThree', 'violated', 1],
      ['NotAllTwo', 'violated', 1],
    ],
  );
  assert.ok(verdicts.every((v) => v.trace?.violation?.property === v.property));
  const simIdentity = { ...identity(0), options: { params: {}, steps: null, scenario: null, check: null, symmetry: false } };
  const simResult = simulateShard(model, sources, simIdentity, range, { index: 2, count: 2 }, options).result;
  const mixed = mergeShardResults(
    [
      { name: 'swarm.json', result: swarmResult },
      { name: 'sim.json', result: simResult },
    ],
    true,
  );
  assert.equal(mixed.ok, false);
  if (!mixed.ok) assert.match(mixed.errors[0]!, /sim\.json and swarm\.json differ in mode: simulation vs bitstate swarm/);
  const otherFilter = swarmShard(model, sources, identity(2 << 20), range, { index: 2, count: 2 }, options).result;
  const sized = mergeShardResults([{ name: 'a', result: swarmResult }, { name: 'b', result: otherFilter }], false);
  assert.equal(sized.ok, false);
  if (!sized.ok) assert.match(sized.errors.join('\n'), /differ in options/);
});
