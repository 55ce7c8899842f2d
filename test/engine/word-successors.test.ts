import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileSystem, runSources } from '../../engine/compile.js';
import type { ExploreResult } from '../../engine/explore.js';
import { exploreStates } from '../../engine/explore.js';
import { decodeState, encodeState, stateLayout } from '../../engine/state.js';
import { initialStates, successors } from '../../engine/steps.js';
import type { State, TransitionSystem } from '../../engine/system.js';
import { WordBuffer } from '../../engine/word-buffer.js';
import { WordSuccessors } from '../../engine/word-successors.js';
import { analyzeText } from '../../language/analyze.js';
import { repoRoot } from '../support/repo.js';
import { systemOf, unlimited } from '../support/analyze.js';
import { protocol, shapes } from '../support/shape-protocol.js';

/** What a successor is, as both generators must agree on it. */
interface Seen {
  words: string;
  fault: boolean;
  error: string | null;
}

function wordsOf(sys: TransitionSystem, s: State): string {
  const b = new WordBuffer();
  encodeState(sys, s, b);
  return b.toArray().join(',');
}

function interpreted(sys: TransitionSystem, s: State): Seen[] {
  return successors(sys, s).map(({ state, step }) => ({
    words: step.error ? '' : wordsOf(sys, state),
    fault: step.fault,
    error: step.error?.message ?? null,
  }));
}

function fromWords(sys: TransitionSystem, fast: WordSuccessors, s: State): Seen[] {
  const parent = new WordBuffer();
  encodeState(sys, s, parent);
  // The parent sits at an offset, as it does in the explorer's frontier.
  const words = new Int32Array(parent.length + 7);
  words.set(parent.data.subarray(0, parent.length), 7);
  const out: Seen[] = [];
  const whole = new Int32Array(2);
  fast.expand(s, words, 7, (fault, error) => {
    if (!error && fast.pending) {
      // Fingerprinted from the parent: the words come on request, and must sum to the same fingerprint.
      const incremental = [...fast.fingerprint];
      fast.writeOut();
      fast.fingerprintOf(fast.out.data, 0, whole);
      assert.deepEqual(incremental, [...whole], `the fingerprint of ${fast.out.toArray().join(',')} from its parent's`);
    }
    out.push({ words: error ? '' : fast.out.toArray().join(','), fault, error: error?.message ?? null });
  });
  return out;
}

/** Compares both generators on every state reachable within `cap` states (breadth first). */
function assertSameSuccessors(sys: TransitionSystem, fast: WordSuccessors, cap: number): number {
  const seen = new Set<string>();
  let frontier = initialStates(sys);
  let checked = 0;
  while (frontier.length > 0 && checked < cap) {
    const next: State[] = [];
    for (const s of frontier) {
      if (checked++ >= cap) break;
      const want = interpreted(sys, s);
      assert.deepEqual(fromWords(sys, fast, s), want, `successors of ${wordsOf(sys, s)}`);
      for (const { state, step } of successors(sys, s)) {
        if (step.error) continue;
        const k = wordsOf(sys, state);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(state);
      }
    }
    frontier = next;
  }
  return checked;
}

/**
 * What both explorers must agree on. A search that stops at its first violations
 * may look at more states on the faster path (it checks a state when it expands
 * it), so counts are compared only when the search is exhaustive or bounded.
 */
function summary(r: ExploreResult, counts: boolean) {
  const { states, transitions, depth, terminal, deadlocks } = r.stats;
  return {
    status: r.status,
    stats: counts ? { states, transitions, depth, terminal, deadlocks } : null,
    violations: r.violations.map((v) => ({ ...v })),
    scriptFired: r.scriptFired,
  };
}

/** Both engines must stop at the same state when a bound is hit, so a small bound tests that too. */
function assertSameExploration(sys: TransitionSystem, exhaustive: boolean, maxStates = 200_000): void {
  const limits = { ...unlimited, maxStates, exhaustive };
  const fast = exploreStates(sys, limits);
  const reference = exploreStates(sys, { ...limits, engine: 'interpreter' });
  const stoppedAtViolations = !exhaustive && reference.status === 'complete' && sys.properties.every((p) => reference.violations.some((v) => v.property === p.name));
  assert.deepEqual(summary(fast, !stoppedAtViolations), summary(reference, !stoppedAtViolations));
}

test('the word-level generator yields the interpreter successors, in order, word for word (random protocols)', () => {
  fc.assert(
    fc.property(shapes, (c) => {
      const sys = systemOf(protocol(c), { symmetry: false });
      const fast = WordSuccessors.create(sys);
      assert.ok(fast, 'an async protocol without partitions is covered');
      assert.ok(assertSameSuccessors(sys, fast, 300) > 0);
    }),
    { numRuns: 35, seed: 1207 },
  );
});

test('a successor fingerprinted from its parent has the fingerprint of its words, and the same words (random protocols)', () => {
  fc.assert(
    fc.property(shapes, (c) => {
      const sys = systemOf(protocol({ ...c, fifo: false }), { symmetry: false });
      const fast = WordSuccessors.create(sys)!;
      fast.incremental = true;
      assert.ok(assertSameSuccessors(sys, fast, 300) > 0);
    }),
    { numRuns: 35, seed: 2311 },
  );
});

test('handler steps from the memo, past its bound and without it are the interpreter successors (random protocols)', () => {
  fc.assert(
    fc.property(shapes, fc.constantFrom(0, 3, 40), fc.boolean(), (c, memoKeys, incremental) => {
      const sys = systemOf(protocol({ ...c, fifo: c.fifo && !incremental }), { symmetry: false });
      // A bound of 3 keys: a few steps come from the memo, the rest run their handlers.
      const fast = WordSuccessors.create(sys, { memoKeys })!;
      fast.incremental = incremental;
      assert.ok(assertSameSuccessors(sys, fast, 200) > 0);
      const plain = WordSuccessors.create(sys)!;
      plain.memoize = false;
      plain.incremental = incremental;
      assert.ok(assertSameSuccessors(sys, plain, 100) > 0);
    }),
    { numRuns: 25, seed: 5309 },
  );
});

test('exploring with the word-level generator and with the interpreter gives the same counts, verdicts and paths (random protocols)', () => {
  fc.assert(
    fc.property(shapes, fc.boolean(), fc.boolean(), (c, exhaustive, symmetry) => {
      assertSameExploration(systemOf(protocol(c), { symmetry }), exhaustive, 6_000);
    }),
    { numRuns: 30, seed: 4411 },
  );
});

test('the word-level generator covers a model where it can, and leaves the rest to the interpreter', () => {
  const base = protocol({ n: 2, fifo: true, lossy: false, crashLeader: 1, recover: false, whileSending: true, crashMember: 0, drop: 1, duplicate: 0, timer: false, selfPing: false, overflow: false, stableCount: false, sets: true, byzantine: 1, eventually: true, depth: 0 });
  assert.ok(WordSuccessors.create(systemOf(base, { symmetry: false })));
  const uncovered: [string, string][] = [
    ['sync timing', base.replace('network async', 'network sync(2)')],
    ['partitions', base.replace('check explore {', 'check explore { partition up to 1;')],
  ];
  for (const [what, text] of uncovered) {
    const sys = systemOf(text, { symmetry: false });
    assert.equal(WordSuccessors.create(sys), null, what);
    // Still explored, by the interpreter.
    assert.ok(exploreStates(sys, { ...unlimited, maxStates: 20_000 }).stats.states > 0, what);
  }
});

test('every sample run the word-level generator covers explores to the same result as the interpreter', () => {
  const dir = join(repoRoot(), 'samples');
  let covered = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ftp'))) {
    const { model } = analyzeText(readFileSync(join(dir, file), 'utf8'));
    for (const source of runSources(model)) {
      for (const symmetry of [false, true]) {
        const sys = compileSystem(model, source, { symmetry }).value;
        if (!sys || sys.mode !== 'explore' || !WordSuccessors.create(sys)) continue;
        covered++;
        assertSameExploration(sys, true);
      }
    }
  }
  assert.ok(covered >= 20, `only ${covered} sample runs are covered`);
});

test('state words decode to the state they encode, packed node blocks included (every sample run, both layouts of symmetry)', () => {
  const dir = join(repoRoot(), 'samples');
  let states = 0;
  let packedRoles = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ftp'))) {
    const { model } = analyzeText(readFileSync(join(dir, file), 'utf8'));
    for (const source of runSources(model)) {
      const sys = compileSystem(model, source, {}).value;
      if (!sys) continue;
      packedRoles += stateLayout(sys).packing.filter((p) => p !== null).length;
      let frontier = initialStates(sys);
      const seen = new Set<string>();
      while (frontier.length > 0 && seen.size < 1500) {
        const next: State[] = [];
        for (const s of frontier) {
          const words = new WordBuffer();
          encodeState(sys, s, words);
          const key = words.toArray().join(',');
          if (seen.has(key)) continue;
          seen.add(key);
          states++;
          assert.deepEqual(decodeState(sys, words.data, 0), s, `${file} ${sys.runName}: ${key}`);
          for (const { state, step } of successors(sys, s)) if (!step.error) next.push(state);
        }
        frontier = next;
      }
    }
  }
  assert.ok(states > 10_000, `${states} states`);
  assert.ok(packedRoles > 10, `${packedRoles} packed roles`);
});

/**
 * Message fields packed into the header must keep the order messages are sorted
 * in (a negative range, an enum, a node id, several fields to one message), and
 * fields that cannot be packed (an enum whose labels are out of order, a set)
 * keep words of their own; a set of nodes in a node block is a bit per node.
 */
const packingModel = `
protocol Packing
param N = 2
type Shade = DARK | LIGHT
type Order = LIGHT | DARK
message Pair { delta: -2..1, shade: Shade, who: Member }
message Flip { order: Order }
message Tally { who: set<Member> }

node Hub {
  state seen: set<Member> = {}
  state last: -2..1 = 0
  on Pair(d, s, w) from m {
    seen += w
    last = d
    if s == DARK { send Flip(LIGHT) to m } else { send Flip(DARK) to m }
  }
  on Tally(t) from m { if |t| == N { seen = {} } }
}

node Member[N] {
  state got: 0..2 = 0
  state order: Order = LIGHT
  on start {
    choose { send Pair(-2, DARK, self) to Hub } or { send Pair(1, LIGHT, self) to Hub } or { send Pair(0, DARK, self) to Hub }
    choose { send Pair(-1, LIGHT, self) to Hub } or { send Pair(1, DARK, self) to Hub }
  }
  on Flip(o) {
    order = o
    if got < 2 { got += 1 }
    if got == 2 { send Tally({self}) to Hub }
  }
}

check explore { crash up to 1 of Member; drop up to 1 }
`;

test('packed message fields and node sets round-trip, sort as the interpreter sorts, and explore as it does', () => {
  const sys = systemOf(packingModel, { symmetry: false });
  const layout = stateLayout(sys);
  const packed = new Map(sys.messages.map((m, type) => [m.name, layout.messageFields[type] !== null]));
  assert.deepEqual(Object.fromEntries(packed), { Pair: true, Flip: false, Tally: false });
  assert.ok(layout.packing[sys.roles.findIndex((r) => r.name === 'Hub')], 'the hub block, with its set of members, is one word');
  const fast = WordSuccessors.create(sys)!;
  assert.ok(assertSameSuccessors(sys, fast, 2_000) > 200);
  const incremental = WordSuccessors.create(sys)!;
  incremental.incremental = true;
  assert.ok(assertSameSuccessors(sys, incremental, 2_000) > 200);
  assertSameExploration(sys, true);
  // Every reachable state decodes to itself.
  let frontier = initialStates(sys);
  const seen = new Set<string>();
  let sameChannel = 0;
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      const key = wordsOf(sys, s);
      if (seen.has(key)) continue;
      seen.add(key);
      const words = new WordBuffer();
      encodeState(sys, s, words);
      assert.deepEqual(decodeState(sys, words.data, 0), s, key);
      if (s.msgs.some((m, i) => i > 0 && m.type === s.msgs[i - 1]!.type && m.src === s.msgs[i - 1]!.src && m.dst === s.msgs[i - 1]!.dst)) sameChannel++;
      for (const { state, step } of successors(sys, s)) if (!step.error) next.push(state);
    }
    frontier = next;
  }
  assert.ok(sameChannel > 50, `${sameChannel} states with two messages of one type on one channel`);
});
