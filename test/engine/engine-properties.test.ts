import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { exploreStates } from '../../engine/explore.js';
import { hashWords } from '../../engine/fingerprint-set.js';
import { failuresAtEnd, failuresInState } from '../../engine/properties.js';
import { runSeed } from '../../engine/rng.js';
import { shrinkViolation } from '../../engine/shrink.js';
import { randomWalk, simulateRuns } from '../../engine/simulate.js';
import { initialStates, isTerminal, successors } from '../../engine/steps.js';
import { canonicalWords } from '../../engine/symmetry.js';
import { WordBuffer } from '../../engine/word-buffer.js';
import type { State, TransitionSystem } from '../../engine/system.js';
import { buildTrace, replayPath } from '../../engine/trace.js';
import { systemOf, unlimited } from '../support/analyze.js';

interface Config {
  n: number;
  crash: number;
  drop: number;
  duplicate: number;
  fifo: boolean;
  reorder: boolean;
}

/** A small commit protocol whose shape the property tests vary. */
function commitProtocol(c: Config): string {
  const decls = [
    `message Prepare`,
    `message Vote { yes: bool }`,
    `message Outcome { commit: bool }`,
    `network async ${c.fifo ? 'fifo' : 'unordered'} reliable`,
    `node Leader {
  state phase: INIT | WAIT | DONE = INIT
  state yes: set<Member> = {}
  on start { broadcast Prepare to Member; phase = WAIT }
  on Vote(v) from m when phase == WAIT {
    if v { yes += m; if |yes| == N { phase = DONE; broadcast Outcome(true) to Member } }
    else { phase = DONE; broadcast Outcome(false) to Member }
  }
}`,
    `node Member[N] {
  stable state phase: INIT | READY | COMMIT | ABORT = INIT
  on Prepare from l { choose { phase = READY; send Vote(true) to l } or { phase = ABORT; send Vote(false) to l } }
  on Outcome(x) { if x { phase = COMMIT } else { phase = ABORT } }
}`,
    `invariant Agreement: not (exists p in Member: p.phase == COMMIT and exists q in Member: q.phase == ABORT)`,
    `invariant NoCommitYet: forall p in Member: p.phase != COMMIT`,
    `eventually Done: forall p in Member: p.phase in {COMMIT, ABORT}`,
    `check explore { crash up to ${c.crash} of Leader; drop up to ${c.drop}; duplicate up to ${c.duplicate} }`,
  ];
  if (c.reorder) decls.reverse();
  return `protocol Commit\nparam N = ${c.n}\n${decls.join('\n')}\n`;
}

const configs = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  crash: fc.integer({ min: 0, max: 1 }),
  drop: fc.integer({ min: 0, max: 1 }),
  duplicate: fc.integer({ min: 0, max: 1 }),
  fifo: fc.boolean(),
  reorder: fc.constant(false),
});

function key(sys: TransitionSystem, s: State): string {
  const words = new WordBuffer();
  canonicalWords(sys, s, words);
  return words.toArray().join(',');
}

/** A deliberately naive explorer: full keys in a Set. The reference the fingerprint explorer must agree with. */
function reachable(sys: TransitionSystem): Set<string> {
  const seen = new Set<string>();
  let frontier = initialStates(sys);
  for (const s of frontier) seen.add(key(sys, s));
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      for (const { state } of successors(sys, s)) {
        const k = key(sys, state);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(state);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

test('the fingerprint explorer counts the same states as a naive explorer with full keys', () => {
  fc.assert(
    fc.property(configs, (c) => {
      const sys = systemOf(commitProtocol(c));
      assert.equal(exploreStates(sys, unlimited).stats.states, reachable(sys).size);
    }),
    { numRuns: 25 },
  );
});

test('state counts do not change when declarations are reordered', () => {
  fc.assert(
    fc.property(configs, (c) => {
      const a = exploreStates(systemOf(commitProtocol(c)), unlimited).stats.states;
      const b = exploreStates(systemOf(commitProtocol({ ...c, reorder: true })), unlimited).stats.states;
      assert.equal(a, b);
    }),
    { numRuns: 15 },
  );
});

test('simulation never reaches a state that exploration calls unreachable', () => {
  fc.assert(
    fc.property(configs, fc.integer({ min: 0, max: 1_000_000 }), (c, seed) => {
      const sys = systemOf(commitProtocol(c));
      const all = reachable(sys);
      const inits = initialStates(sys);
      randomWalk(sys, inits, seed, 60, (s) => {
        assert.ok(all.has(key(sys, s)), 'a simulated state is not in the explored set');
        return false;
      });
    }),
    { numRuns: 30 },
  );
});

test('the same seed gives the same trace', () => {
  fc.assert(
    fc.property(configs, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (c, seed) => {
      const sys = systemOf(commitProtocol(c));
      const walk = () => {
        const w = randomWalk(sys, initialStates(sys), runSeed(seed, 0), 40, () => false);
        return JSON.stringify(buildTrace(sys, w.initial, w.path, null));
      };
      assert.equal(walk(), walk());
    }),
    { numRuns: 30 },
  );
});

function violatedAtEnd(sys: TransitionSystem, property: string, initial: number, path: number[]): boolean {
  const { states } = replayPath(sys, initial, path);
  const last = states[states.length - 1]!;
  if (failuresInState(sys, last, (n) => n !== property).length > 0) return true;
  return isTerminal(successors(sys, last)) && failuresAtEnd(sys, last, (n) => n !== property).length > 0;
}

test('every counterexample replays and ends in a violation of its property; BFS ones are never longer than simulated ones', () => {
  fc.assert(
    fc.property(configs, fc.integer({ min: 0, max: 1_000_000 }), (c, seed) => {
      const sys = systemOf(commitProtocol(c));
      const explored = exploreStates(sys, unlimited);
      for (const v of explored.violations) assert.ok(violatedAtEnd(sys, v.property, v.initial, v.path), `${v.property} replays`);
      const simulated = simulateRuns(sys, { runs: 20, steps: 80, seed, deadline: Number.POSITIVE_INFINITY, now: () => 0 });
      for (const v of simulated.violations) {
        assert.ok(violatedAtEnd(sys, v.property, v.initial, v.path), `${v.property} (simulated) replays`);
        const bfs = explored.violations.find((x) => x.property === v.property);
        assert.ok(bfs, `exploration finds ${v.property} too`);
        assert.ok(bfs.path.length <= v.path.length);
        const shrunk = shrinkViolation(sys, v);
        assert.ok(shrunk.path.length <= v.path.length);
        assert.ok(violatedAtEnd(sys, v.property, shrunk.initial, shrunk.path), `${v.property} (shrunk) still violates`);
      }
    }),
    { numRuns: 25 },
  );
});

test('hashWords spreads nearby inputs (no trivial collisions)', () => {
  const seen = new Set<string>();
  for (let a = 0; a < 64; a++) for (let b = 0; b < 64; b++) seen.add(Array.from(hashWords([a, b, 0])).join(':'));
  assert.equal(seen.size, 64 * 64);
});
