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
  fast.expand(s, words, 7, (fault, error) => {
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

interface Shape {
  n: number;
  fifo: boolean;
  lossy: boolean;
  crashLeader: number;
  recover: boolean;
  whileSending: boolean;
  crashMember: number;
  drop: number;
  duplicate: number;
  timer: boolean;
  selfPing: boolean;
  overflow: boolean;
  stableCount: boolean;
  sets: boolean;
  byzantine: number;
  /** With an unbounded \`eventually\` property (whose infinite-run search changes how states are checked). */
  eventually: boolean;
  depth: number;
}

/** A small protocol with scalar state whose features vary with `c`. */
function protocol(c: Shape): string {
  const budgets = [
    c.crashLeader > 0 ? `crash up to ${c.crashLeader} of Leader${c.recover ? ' and recover' : ''}${c.whileSending ? ' while sending' : ''}` : '',
    c.crashMember > 0 ? `crash up to ${c.crashMember} of Member` : '',
    c.drop > 0 ? `drop up to ${c.drop}` : '',
    c.duplicate > 0 ? `duplicate up to ${c.duplicate} of Vote` : '',
    c.byzantine > 0 ? `byzantine up to ${c.byzantine} of Member` : '',
  ].filter((b) => b !== '');
  return `protocol Shape
param N = ${c.n}
message Prepare
message Vote { yes: bool, weight: 0..2 }
message Outcome { commit: bool${c.sets ? ', who: set<Member>' : ''} }
message Ping
network async ${c.fifo ? 'fifo' : 'unordered'} ${c.lossy ? 'lossy' : 'reliable'}
node Leader {
  state phase: INIT | WAIT | DONE = INIT
  ${c.stableCount ? 'stable ' : ''}state yes: 0..${c.overflow ? 1 : 3} = 0
  state pings: 0..2 = 0
  ${c.sets ? 'state voters: set<Member> = {}' : ''}
  on start { broadcast Prepare to Member; phase = WAIT${c.timer ? '; set timer retry after 1' : ''}${c.selfPing ? '; send Ping to self' : ''} }
  on Vote(v, w) from m when phase == WAIT {
    ${c.sets ? 'voters += m' : ''}
    if v { yes += 1; if yes == N { phase = DONE; broadcast Outcome(true${c.sets ? ', voters' : ''}) to Member } }
    else { phase = DONE; broadcast Outcome(false${c.sets ? ', voters' : ''}) to Member }
  }
  on Ping { if pings < 2 { pings += 1; send Ping to self } }
  ${c.timer ? 'on timeout retry when phase == WAIT { broadcast Prepare to Member }' : ''}
  ${c.recover ? 'on recover { if phase == INIT { broadcast Prepare to Member; phase = WAIT } }' : ''}
}
node Member[N] {
  stable state phase: INIT | READY | COMMIT | ABORT = INIT
  state votes: 0..3 = 0
  on Prepare from l {
    choose { phase = READY; votes += 1; send Vote(true, 1) to l } or { phase = ABORT; send Vote(false, 0) to l }
  }
  on Outcome(x${c.sets ? ', w' : ''}) { if x { phase = COMMIT } else { phase = ABORT } }
}
invariant Agreement: not (exists p in Member: p.phase == COMMIT and exists q in Member: q.phase == ABORT)
invariant NoCommit: forall p in Member: p.phase != COMMIT
${c.eventually ? 'eventually Done: forall p in Member: p.phase in {COMMIT, ABORT}' : ''}
check explore { ${budgets.join('; ')}${c.depth > 0 ? `; depth ${c.depth}` : ''} }
`;
}

const shapes: fc.Arbitrary<Shape> = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  fifo: fc.boolean(),
  lossy: fc.boolean(),
  crashLeader: fc.integer({ min: 0, max: 1 }),
  recover: fc.boolean(),
  whileSending: fc.boolean(),
  crashMember: fc.integer({ min: 0, max: 1 }),
  drop: fc.integer({ min: 0, max: 1 }),
  duplicate: fc.integer({ min: 0, max: 1 }),
  timer: fc.boolean(),
  selfPing: fc.boolean(),
  overflow: fc.boolean(),
  stableCount: fc.boolean(),
  sets: fc.boolean(),
  byzantine: fc.integer({ min: 0, max: 1 }),
  eventually: fc.boolean(),
  depth: fc.constantFrom(0, 0, 3, 6),
});

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
