import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { NamedResult } from '../../engine/shard-merge.js';
import { mergeShardResults } from '../../engine/shard-merge.js';
import { readShardResult } from '../../engine/shard-read.js';
import { simulateShard } from '../../engine/shard-run.js';
import type { SeedInterval, ShardResult, ShardRun, ShardSpec, ShardVerdict } from '../../engine/shard.js';
import { joinIntervals, missingSeeds, shardFormat, shardSeeds } from '../../engine/shard.js';
import type { Trace } from '../../engine/trace.js';
import { runSources } from '../../engine/compile.js';
import { modelOf } from '../support/analyze.js';
import { flakyProtocol } from '../support/cli-protocols.js';

test('shardSeeds: the n blocks tile A..B in shard order, sizes differing by at most one', () => {
  fc.assert(
    fc.property(fc.nat(1000), fc.nat(300), fc.integer({ min: 1, max: 40 }), (first, extra, count) => {
      const range = { first, last: first + extra };
      const blocks = Array.from({ length: count }, (_, i) => shardSeeds(range, { index: i + 1, count }));
      const seeds: number[] = [];
      for (const b of blocks) if (b) for (let s = b.first; s <= b.last; s++) seeds.push(s);
      assert.deepEqual(seeds, Array.from({ length: extra + 1 }, (_, i) => first + i));
      const sizes = blocks.map((b) => (b ? b.last - b.first + 1 : 0));
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`);
    }),
  );
});

test('shardSeeds: 4 shards of 1..10 and more shards than seeds', () => {
  const blocks = [1, 2, 3, 4].map((index) => shardSeeds({ first: 1, last: 10 }, { index, count: 4 }));
  assert.deepEqual(blocks, [
    { first: 1, last: 2 },
    { first: 3, last: 5 },
    { first: 6, last: 7 },
    { first: 8, last: 10 },
  ]);
  assert.equal(shardSeeds({ first: 5, last: 6 }, { index: 1, count: 3 }), null);
  assert.deepEqual(shardSeeds({ first: 5, last: 6 }, { index: 3, count: 3 }), { first: 6, last: 6 });
});

test('joinIntervals and missingSeeds find the gaps of a range', () => {
  assert.deepEqual(joinIntervals([{ first: 8, last: 9 }, { first: 1, last: 3 }, { first: 4, last: 5 }]), [
    { first: 1, last: 5 },
    { first: 8, last: 9 },
  ]);
  assert.deepEqual(missingSeeds({ first: 1, last: 12 }, [{ first: 8, last: 9 }, { first: 3, last: 5 }]), [
    { first: 1, last: 2 },
    { first: 6, last: 7 },
    { first: 10, last: 12 },
  ]);
  assert.deepEqual(missingSeeds({ first: 1, last: 5 }, [{ first: 1, last: 5 }]), []);
});

function fakeTrace(tag: string): Trace {
  return { format: 'faultline-trace/1', protocol: 'P', run: tag, nodes: [], initial: {}, steps: [], final: {}, violation: null };
}

function verdict(property: string, expected: 'holds' | 'violated', seed: number | null): ShardVerdict {
  const outcome = seed === null ? 'unknown' : 'violated';
  return {
    property,
    kind: 'invariant',
    outcome,
    expected,
    ok: expected === 'holds' ? outcome !== 'violated' : outcome === 'violated',
    message: seed === null ? `${property} was not violated` : `${property} does not hold`,
    seed,
    trace: seed === null ? null : fakeTrace(`seed ${seed}`),
  };
}

/** A result of shard `spec` of 1..100 that found `Safe` violated at `safeSeed` and `Bad` at `badSeed`. */
function shard(spec: ShardSpec, safeSeed: number | null, badSeed: number | null, over: Partial<ShardResult> = {}): NamedResult {
  const seedRange = over.seedRange ?? { first: 1, last: 100 };
  const block = shardSeeds(seedRange, spec)!;
  const run: ShardRun = {
    run: 'C',
    kind: 'check',
    maxSteps: 50,
    seeds: [block],
    verdicts: [verdict('Safe', 'holds', safeSeed), verdict('Bad', 'violated', badSeed)],
    coverage: { runs: block.last - block.first + 1, steps: 10 * spec.index, terminated: spec.index },
  };
  const result: ShardResult = {
    format: shardFormat,
    version: '0.1.0',
    file: 'p.ftp',
    contentHash: 'sha256:aa',
    protocol: 'P',
    options: { params: {}, steps: null, scenario: null, check: null, symmetry: true },
    seedRange,
    shards: [spec],
    runs: [run],
    ok: run.verdicts.every((v) => v.ok),
    elapsedMs: 5,
    ...over,
  };
  return { name: `r${spec.index}of${spec.count}.json`, result };
}

test('merge: violated when any shard violated, counterexample of the lowest seed, coverage summed, any order', () => {
  const parts = [shard({ index: 1, count: 4 }, null, null), shard({ index: 2, count: 4 }, null, 40), shard({ index: 3, count: 4 }, 70, 55), shard({ index: 4, count: 4 }, 80, null)];
  const forward = mergeShardResults(parts, false);
  const backward = mergeShardResults([...parts].reverse(), false);
  assert.ok(forward.ok && backward.ok);
  assert.deepEqual(forward.result, backward.result);
  const run = forward.result.runs[0]!;
  const [safe, bad] = run.verdicts;
  assert.deepEqual([safe!.outcome, safe!.seed, safe!.ok, safe!.trace?.run], ['violated', 70, false, 'seed 70']);
  assert.deepEqual([bad!.outcome, bad!.seed, bad!.ok, bad!.trace?.run], ['violated', 40, true, 'seed 40']);
  assert.deepEqual(run.coverage, { runs: 100, steps: 100, terminated: 10 });
  assert.deepEqual(run.seeds, [{ first: 1, last: 100 }]);
  assert.equal(forward.result.ok, false);
  assert.equal(forward.result.shards.length, 4);
  assert.deepEqual(forward.warnings, []);
});

test('merge: an expected violation no shard found is not ok; a merged result merges again', () => {
  const a = mergeShardResults([shard({ index: 1, count: 4 }, null, null), shard({ index: 2, count: 4 }, null, null)], true);
  const b = mergeShardResults([shard({ index: 3, count: 4 }, null, null), shard({ index: 4, count: 4 }, null, null)], true);
  assert.ok(a.ok && b.ok);
  const all = mergeShardResults([{ name: 'a', result: a.result }, { name: 'b', result: b.result }], false);
  assert.ok(all.ok);
  assert.deepEqual(
    all.result.runs[0]!.verdicts.map((v) => [v.property, v.outcome, v.ok]),
    [
      ['Safe', 'unknown', true],
      ['Bad', 'unknown', false],
    ],
  );
  assert.equal(all.result.ok, false);
});

test('merge refuses results of different models, options, versions or seed ranges', () => {
  const base = shard({ index: 1, count: 2 }, null, null);
  const cases: [Partial<ShardResult>, RegExp][] = [
    [{ contentHash: 'sha256:bb' }, /differ in model \(content hash\)/],
    [{ options: { params: { N: 5 }, steps: null, scenario: null, check: null, symmetry: true } }, /differ in options/],
    [{ version: '0.2.0' }, /differ in faultline version/],
    [{ seedRange: { first: 1, last: 200 } }, /differ in seed range: 1\.\.200 vs 1\.\.100/],
  ];
  for (const [over, message] of cases) {
    const outcome = mergeShardResults([base, shard({ index: 2, count: 2 }, null, null, over)], false);
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.match(outcome.errors.join('\n'), message);
  }
});

test('merge refuses overlapping shards and names the seeds run twice', () => {
  const twice = mergeShardResults([shard({ index: 1, count: 2 }, null, null), shard({ index: 2, count: 2 }, null, null), shard({ index: 1, count: 4 }, null, null)], false);
  assert.equal(twice.ok, false);
  if (!twice.ok) assert.match(twice.errors.join('\n'), /C: r1of2\.json and r1of4\.json both ran seeds 1\.\.25/);
  const same = mergeShardResults([shard({ index: 1, count: 1 }, null, null), shard({ index: 1, count: 1 }, null, null)], true);
  assert.equal(same.ok, false);
});

test('merge refuses missing seeds, naming them, unless partial results are allowed', () => {
  const parts = [shard({ index: 1, count: 4 }, null, null), shard({ index: 3, count: 4 }, null, 60)];
  const refused = mergeShardResults(parts, false);
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.match(refused.errors.join('\n'), /C: 50 seed\(s\) of 1\.\.100 not run: 26\.\.50, 76\.\.100 \(pass --allow-partial/);
  const partial = mergeShardResults(parts, true);
  assert.ok(partial.ok);
  assert.match(partial.warnings.join('\n'), /26\.\.50, 76\.\.100/);
  assert.equal(partial.result.runs[0]!.coverage.runs, 50);
  assert.deepEqual(partial.result.runs[0]!.seeds, [
    { first: 1, last: 25 },
    { first: 51, last: 75 },
  ]);
});

test('readShardResult accepts a result through JSON and says what is wrong with others', () => {
  const r = shard({ index: 2, count: 4 }, 30, null).result;
  assert.deepEqual(readShardResult(JSON.parse(JSON.stringify(r))), r);
  assert.match(String(readShardResult({ ...r, format: 'faultline-trace/1' })), /not a faultline-shard\/1 result/);
  assert.match(String(readShardResult({ ...r, shards: [{ index: 5, count: 4 }] })), /shards\[0\] is shard 5 of 4/);
  assert.match(String(readShardResult({ ...r, runs: [{ ...r.runs[0], seeds: [{ first: 9, last: 3 }] }] })), /runs\[0\]\.seeds\[0\] ends before it starts/);
  assert.match(String(readShardResult({ ...r, runs: [{ ...r.runs[0], verdicts: [{ ...r.runs[0]!.verdicts[0], outcome: 'holds' }] }] })), /outcome is "holds"/);
  assert.match(String(readShardResult([])), /is not an object/);
});

const flaky = flakyProtocol('simulate');

test('simulateShard: the shards of a range, merged, equal one run over the range, for any shard count', () => {
  const model = modelOf(flaky);
  const sources = runSources(model);
  const identity = { file: 'flaky.ftp', contentHash: 'sha256:00', version: 'test', options: { params: {}, steps: null, scenario: null, check: null, symmetry: true } };
  // In 117..176 NotAllTwo is first violated at seed 149, so its counterexample comes from a later shard of every split.
  const range: SeedInterval = { first: 117, last: 176 };
  const options = { now: () => 0, timeBudgetMs: 1e9, overrides: {} };
  const whole = simulateShard(model, sources, identity, range, { index: 1, count: 1 }, options).result;
  assert.deepEqual(
    whole.runs[0]!.verdicts.map((v) => [v.property, v.seed]),
    [
      ['NoThree', 117],
      ['NotAllTwo', 149],
    ],
  );
  for (const count of [2, 3, 7]) {
    const parts = Array.from({ length: count }, (_, i) => ({ name: `s${i + 1}`, result: simulateShard(model, sources, identity, range, { index: i + 1, count }, options).result }));
    const merged = mergeShardResults(parts, false);
    assert.ok(merged.ok);
    assert.deepEqual({ ...merged.result, shards: [] }, { ...whole, shards: [] }, `${count} shards`);
  }
});
