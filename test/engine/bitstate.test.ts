import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BitstateSet } from '../../engine/bitstate-set.js';
import { compileSystem, runSources } from '../../engine/compile.js';
import type { ExploreLimits, ExploreResult } from '../../engine/explore.js';
import { exploreStates } from '../../engine/explore.js';
import { FingerprintSet } from '../../engine/fingerprint-set.js';
import { failuresAtEnd, failuresInState } from '../../engine/properties.js';
import { successors } from '../../engine/steps.js';
import type { TransitionSystem } from '../../engine/system.js';
import { replayPath } from '../../engine/trace.js';
import { analyzeText } from '../../language/analyze.js';
import { systemOf, unlimited } from '../support/analyze.js';
import { repoRoot } from '../support/repo.js';
import { sampleNames, sampleText } from '../support/samples.js';

const benchModel = readFileSync(join(repoRoot(), 'bench/models/two-phase-commit.ftp'), 'utf8');

/** A memory gauge that reads as over any budget from its `after`-th reading on: the budget runs out at a known point. */
function exhaustedAfter(after: number): Pick<ExploreLimits, 'maxMemoryBytes' | 'memoryUsed'> {
  let readings = 0;
  return { maxMemoryBytes: 256 << 20, memoryUsed: () => (++readings >= after ? 1e12 : 0) };
}

/** Whether the last state of a violation's path shows it (an invariant false there, or an `eventually` false at a run's end). */
function replaysToViolation(sys: TransitionSystem, r: ExploreResult, property: string): boolean {
  const v = r.violations.find((x) => x.property === property)!;
  const { states, steps } = replayPath(sys, v.initial, v.path);
  if (steps.length !== v.path.length) return v.kind === 'runtime-error';
  const last = states[states.length - 1]!;
  if (v.kind === 'runtime-error') return successors(sys, last).some((s) => s.step.error !== null);
  const failures = v.kind === 'eventually' ? failuresAtEnd(sys, last, () => false) : failuresInState(sys, last, () => false);
  return failures.some((f) => f.property === property);
}

test('the Bloom filter never forgets a state, and its miss estimate grows as it fills', () => {
  const set = new BitstateSet(1 << 12);
  assert.equal(set.bytes, 1 << 12);
  assert.equal(set.bitCount, 1 << 15);
  const fingerprints: [number, number][] = [];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
  for (let i = 0; i < 2000; i++) fingerprints.push([next(), next()]);
  let fresh = 0;
  for (const [a, b] of fingerprints) if (set.add(a, b)) fresh++;
  // A few may collide with others in 32k bits; none is stored twice.
  assert.ok(fresh > 1900 && fresh <= 2000, `${fresh} fresh`);
  for (const [a, b] of fingerprints) assert.equal(set.add(a, b), false, 'a stored fingerprint is always found');
  assert.equal(set.size, fresh);
  assert.ok(set.expectedMissed > 0 && set.expectedMissed < 2000 - fresh + 20, `estimate ${set.expectedMissed}`);
  assert.ok(set.falseMatchChance() > 0.001 && set.falseMatchChance() < 0.05);

  const empty = new BitstateSet(1);
  assert.equal(empty.bytes, 1024, 'the smallest filter is 1 KiB');
  assert.equal(empty.expectedMissed, 0);
});

test('the visited set asks before it doubles; refused, it fills on (and doubles anyway before probing degrades)', () => {
  const set = new FingerprintSet(1024, false);
  const asked: number[] = [];
  set.mayGrow = (bytes) => {
    asked.push(bytes);
    return false;
  };
  for (let i = 1; i <= 716; i++) set.addOrGet(i * 0x9e3779b1, i, i);
  assert.deepEqual(asked, [], '70 % full: no growth yet');
  set.addOrGet(717 * 0x9e3779b1, 717, 717);
  assert.deepEqual(asked, [2 * 1024 * 8], 'asked once, with the doubled table size');
  assert.equal(set.growthRefused, true);
  for (let i = 718; i <= 2000; i++) set.addOrGet(i * 0x9e3779b1, i, i);
  assert.equal(set.size, 2000);
  for (let i = 1; i <= 2000; i++) assert.equal(set.has(i * 0x9e3779b1, i), true);
  assert.equal(set.has(1, 1), false);
  assert.ok(set.bytes > 1024 * 8, 'past 90 % it grew regardless');
});

test('at the memory budget the search stops with every level to its depth complete, or goes on in bitstate mode to the same states', () => {
  const sys = systemOf(benchModel, { params: new Map([['N', 4]]), symmetry: false });
  const exact = exploreStates(sys, unlimited);
  assert.equal(exact.status, 'complete');
  assert.equal(exact.stats.states, 24_388, "Spin's count for this model at N = 4");

  const stopped = exploreStates(sys, { ...unlimited, ...exhaustedAfter(4) });
  assert.equal(stopped.status, 'limit-memory');
  assert.ok(stopped.stats.states < exact.stats.states);
  assert.ok(stopped.stats.depth >= 2);
  const toDepth = exploreStates(sys, { ...unlimited, maxDepth: stopped.stats.depth });
  assert.ok(stopped.stats.states >= toDepth.stats.states, 'every state up to the reported depth was stored');
  assert.equal(stopped.stats.bitstate, undefined);

  const bitstate = exploreStates(sys, { ...unlimited, ...exhaustedAfter(4), bitstate: true });
  assert.equal(bitstate.status, 'bitstate');
  const b = bitstate.stats.bitstate!;
  assert.ok(b.exactStates > 0 && b.exactStates < exact.stats.states, `${b.exactStates} states exact`);
  assert.equal(b.exactStates + b.bitstateStates, bitstate.stats.states);
  // A 1 MiB filter for 24k states misses one with a chance of about 1e-6: none here.
  assert.equal(bitstate.stats.states, exact.stats.states);
  assert.equal(bitstate.stats.transitions, exact.stats.transitions);
  assert.equal(bitstate.stats.terminal, exact.stats.terminal);
  assert.equal(b.bytes, 1 << 20);

  // The state bound holds past the switch, exactly.
  const bounded = exploreStates(sys, { ...unlimited, maxStates: 10_000, ...exhaustedAfter(4), bitstate: true });
  assert.equal(bounded.status, 'limit-states');
  assert.equal(bounded.stats.states, 10_000);
  assert.ok(b.coverage > 0.9999 && b.coverage <= 1, `coverage ${b.coverage}`);
});

test('a filter too small for the model misses states, and says so in its coverage estimate', () => {
  const sys = systemOf(benchModel, { params: new Map([['N', 5]]), symmetry: false });
  const r = exploreStates(sys, { ...unlimited, ...exhaustedAfter(2), bitstate: true });
  assert.equal(r.status, 'bitstate');
  const b = r.stats.bitstate!;
  const missed = 285_320 - r.stats.states;
  assert.ok(missed >= 0);
  // 8 M bits for 285 k states: roughly one state in a thousand is taken for a seen one.
  assert.ok(b.expectedMissed > 1, `estimate ${b.expectedMissed}`);
  assert.ok(b.coverage < 1 && b.coverage > 0.99);
  assert.ok(b.finalMissChance > 0.0001 && b.finalMissChance < 0.01, `${b.finalMissChance}`);
  // The estimate counts the states taken for seen ones; states only they lead to are lost with them, so more go missing.
  assert.ok(missed >= b.expectedMissed / 3 && missed <= b.expectedMissed * 5, `missed ${missed}, estimated ${b.expectedMissed}`);
});

test('in bitstate mode every sample run finds the same states and invariant violations, with paths that replay to them', () => {
  let switched = 0;
  for (const name of sampleNames()) {
    const { model } = analyzeText(sampleText(name));
    for (const source of runSources(model)) {
      const sys = compileSystem(model, source, {}).value;
      if (!sys || sys.mode !== 'explore') continue;
      const exact = exploreStates(sys, unlimited);
      if (exact.status !== 'complete') continue;
      const r = exploreStates(sys, { ...unlimited, ...exhaustedAfter(3), bitstate: true });
      const where = `${name} ${sys.runName}`;
      assert.ok(r.status === 'bitstate' || r.status === 'complete', `${where}: ${r.status}`);
      if (r.stats.bitstate) switched++;
      assert.equal(r.stats.states, exact.stats.states, where);
      // Infinite runs are looked for only with every state stored exactly: bitstate mode finds `eventually` violations at a run's end alone.
      const decided = (x: ExploreResult) => x.violations.filter((v) => v.kind !== 'eventually').map((v) => v.property);
      assert.deepEqual(decided(r), decided(exact), where);
      for (const v of r.violations) {
        assert.ok(exact.violations.some((e) => e.property === v.property), `${where}: ${v.property}`);
        assert.ok(replaysToViolation(sys, r, v.property), `${where}: the path of ${v.property} replays to it`);
      }
    }
  }
  assert.ok(switched >= 10, `only ${switched} sample runs switched to bitstate mode`);
});
