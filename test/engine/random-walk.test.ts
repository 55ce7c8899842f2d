import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { runSeed } from '../../engine/rng.js';
import type { RecordedWalk } from '../../engine/random-walk.js';
import { RandomWalker, sameState } from '../../engine/random-walk.js';
import { simulateRuns, simulateSeed } from '../../engine/simulate.js';
import { initialStates, successors } from '../../engine/steps.js';
import { canonicalWords } from '../../engine/symmetry.js';
import type { State, TransitionSystem } from '../../engine/system.js';
import { replayPath } from '../../engine/trace.js';
import { WordBuffer } from '../../engine/word-buffer.js';
import { systemOf } from '../support/analyze.js';
import { protocol, shapes } from '../support/shape-protocol.js';

function key(sys: TransitionSystem, s: State): string {
  const words = new WordBuffer();
  canonicalWords(sys, s, words);
  return words.toArray().join(',');
}

/** Every state reachable from the initial states (full keys in a Set), or null past `cap` states. */
function reachable(sys: TransitionSystem, cap: number): Set<string> | null {
  const seen = new Set<string>();
  let frontier = initialStates(sys);
  for (const s of frontier) seen.add(key(sys, s));
  while (frontier.length > 0) {
    if (seen.size > cap) return null;
    const next: State[] = [];
    for (const s of frontier) {
      for (const { state } of successors(sys, s)) {
        const k = key(sys, state);
        if (!seen.has(k)) {
          if (seen.size >= cap) return null;
          seen.add(k);
          next.push(state);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/** Shapes without a depth bound: the walk, not the explorer, bounds the runs. */
const walkShapes = shapes.map((c) => ({ ...c, depth: 0 }));

test('the fast walk only takes steps the interpreter allows: every run replays state by state and stays in the explored state space', () => {
  fc.assert(
    fc.property(walkShapes, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (c, seed) => {
      const sys = systemOf(protocol(c));
      const walker = RandomWalker.create(sys);
      assert.ok(walker, 'shape protocols are covered by the fast walk');
      // Small models only: the explored set is compared state by state.
      const all = reachable(sys, 20_000);
      const inits = initialStates(sys);
      for (let run = 0; run < 8; run++) {
        // recordedWalk throws when a step is not among the interpreter's successors.
        const w: RecordedWalk = walker.recordedWalk(inits, runSeed(seed, run), 60);
        const { states } = replayPath(sys, w.initial, w.path);
        assert.equal(states.length, w.path.length + 1);
        for (let i = 0; i < w.states.length; i++) {
          const mine = w.states[i];
          if (mine === null) {
            assert.equal(w.end, 'error');
            continue;
          }
          assert.ok(sameState(states[i + 1]!, mine), `step ${i + 1} of run ${run} replays to the walk's state`);
          if (all) assert.ok(all.has(key(sys, mine)), 'a simulated state is not in the explored set');
        }
      }
    }),
    { numRuns: 40 },
  );
});

test('the fast walk is deterministic in its seed, and seeds differ', () => {
  fc.assert(
    fc.property(walkShapes, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (c, seed) => {
      const sys = systemOf(protocol(c));
      const options = { runs: 30, steps: 50, seed, deadline: Number.POSITIVE_INFINITY, now: () => 0 };
      const a = simulateRuns(sys, options);
      const b = simulateRuns(systemOf(protocol(c)), options);
      assert.deepEqual(a, b);
      // One seed of a shard is one run of `simulateRuns`, whatever else ran before it.
      const inits = initialStates(sys);
      const one = simulateSeed(sys, inits, runSeed(seed, 3), 50);
      assert.deepEqual(simulateSeed(sys, inits, runSeed(seed, 3), 50), one);
    }),
    { numRuns: 25 },
  );
  // Two seeds of a model with choices give different runs.
  const sys = systemOf(protocol({ n: 3, fifo: false, lossy: false, crashLeader: 1, recover: false, whileSending: false, crashMember: 1, drop: 1, duplicate: 0, timer: false, selfPing: true, overflow: false, stableCount: false, sets: false, byzantine: 0, eventually: false, depth: 0 }));
  const walker = RandomWalker.create(sys)!;
  const paths = new Set<string>();
  for (let seed = 0; seed < 20; seed++) paths.add(walker.recordedWalk(initialStates(sys), runSeed(seed, 0), 60).path.join(','));
  assert.ok(paths.size > 5, `20 seeds gave ${paths.size} different runs`);
});

test('simulated violations replay to their property on the fast walk', () => {
  const sys = systemOf(protocol({ n: 2, fifo: false, lossy: false, crashLeader: 1, recover: true, whileSending: true, crashMember: 0, drop: 1, duplicate: 1, timer: true, selfPing: false, overflow: false, stableCount: false, sets: true, byzantine: 0, eventually: true, depth: 0 }));
  assert.ok(RandomWalker.create(sys));
  const r = simulateRuns(sys, { runs: 200, steps: 60, seed: 7, deadline: Number.POSITIVE_INFINITY, now: () => 0 });
  assert.ok(r.violations.some((v) => v.property === 'NoCommit'), 'NoCommit is violated by some run');
  for (const v of r.violations) {
    const { states } = replayPath(sys, v.initial, v.path);
    assert.ok(states.length === v.path.length + 1, `${v.property} replays`);
  }
});

test('models the fast walk does not cover are simulated by the interpreter', () => {
  const sync = systemOf(`protocol P
message M
network sync(2) unordered reliable
node A { state n: 0..3 = 0
  on start { send M to self }
  on M { if n < 3 { n += 1; send M to self } } }
invariant Small: forall a in A: a.n < 3
check Sim simulate { }
`);
  assert.equal(RandomWalker.create(sync), null);
  const options = { runs: 20, steps: 50, seed: 1, deadline: Number.POSITIVE_INFINITY, now: () => 0 };
  const r = simulateRuns(sync, options);
  assert.ok(r.steps > 0 && r.runs === 20);
  assert.deepEqual(simulateRuns(sync, options), r);
});
