import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileSystem, runSources } from '../../engine/compile.js';
import { exploreStates } from '../../engine/explore.js';
import { initialStates, successors } from '../../engine/steps.js';
import { canonicalWords, lastOrbitSize, onlyHeadersNameReplicas, useHeaderShortcut } from '../../engine/symmetry.js';
import type { TransitionSystem } from '../../engine/system.js';
import { WordBuffer } from '../../engine/word-buffer.js';
import { analyzeText } from '../../language/analyze.js';
import { systemOf, unlimited } from '../support/analyze.js';
import { sampleNames, sampleText } from '../support/samples.js';
import { protocol, shapes } from '../support/shape-protocol.js';

// Under symmetry reduction the explorer stores one state per orbit and reports, as
// `rawStates`, the sum of those orbits' sizes: what a search without reduction stores.

test('the raw count under symmetry reduction is the count without it (random protocols)', () => {
  fc.assert(
    fc.property(shapes, (c) => {
      const text = protocol({ ...c, depth: 0, whileSending: false });
      const full = exploreStates(systemOf(text, { symmetry: false }), { ...unlimited, maxStates: 100_000 });
      const reduced = exploreStates(systemOf(text, { symmetry: true }), { ...unlimited, maxStates: 100_000 });
      if (full.status !== 'complete' || reduced.status !== 'complete' || !reduced.stats.symmetry) return;
      assert.equal(reduced.stats.rawStates, full.stats.states, text);
      assert.ok(reduced.stats.states <= full.stats.states);
      assert.equal(full.stats.rawStates, undefined, 'no raw count without symmetry');
    }),
    { numRuns: 40, seed: 2311 },
  );
});

test('the raw count of every sample run with replicas equals its count without symmetry', () => {
  let reducedRuns = 0;
  for (const name of sampleNames()) {
    const { model } = analyzeText(sampleText(name));
    for (const source of runSources(model)) {
      const reducedSys = compileSystem(model, source, { symmetry: true }).value;
      if (!reducedSys || reducedSys.mode !== 'explore' || !reducedSys.symmetry) continue;
      const limits = { ...unlimited, maxStates: 300_000, deadline: performance.now() + 20_000 };
      const reduced = exploreStates(reducedSys, limits);
      const full = exploreStates(compileSystem(model, source, { symmetry: false }).value!, limits);
      if (reduced.status !== 'complete' || full.status !== 'complete') continue;
      reducedRuns++;
      assert.equal(reduced.stats.rawStates, full.stats.states, `${name} ${reducedSys.runName}`);
    }
  }
  assert.ok(reducedRuns >= 5, `only ${reducedRuns} sample runs with symmetry`);
});

test('where only message headers name replicas, tied replicas need no trial swap: the same canonical words and orbits as trying every swap', () => {
  // Every state a reduced search reaches, canonicalised with the shortcut and by trying the swaps.
  const compare = (sys: TransitionSystem, what: string): number => {
    let shortcut = 0;
    const queue = initialStates(sys);
    const seen = new Set<string>();
    const fast = new WordBuffer();
    const tried = new WordBuffer();
    while (queue.length > 0 && seen.size < 3_000) {
      const s = queue.pop()!;
      useHeaderShortcut(false);
      tried.clear();
      canonicalWords(sys, s, tried);
      const triedOrbit = lastOrbitSize(sys);
      useHeaderShortcut(true);
      fast.clear();
      canonicalWords(sys, s, fast);
      assert.deepEqual(fast.toArray(), tried.toArray(), what);
      assert.equal(lastOrbitSize(sys), triedOrbit, what);
      if (onlyHeadersNameReplicas(sys, s)) shortcut++;
      const key = fast.toArray().join();
      if (seen.has(key)) continue;
      seen.add(key);
      for (const { state } of successors(sys, s)) queue.push(state);
    }
    return shortcut;
  };
  let covered = 0;
  fc.assert(
    fc.property(shapes, (c) => {
      const sys = systemOf(protocol({ ...c, depth: 0 }), { symmetry: true });
      if (sys.symmetry) covered += compare(sys, protocol({ ...c, depth: 0 }));
    }),
    { numRuns: 30, seed: 977 },
  );
  for (const name of sampleNames()) {
    const { model } = analyzeText(sampleText(name));
    const sys = compileSystem(model, runSources(model)[0]!, { symmetry: true }).value!;
    if (sys.symmetry) covered += compare(sys, name);
  }
  // FIFO channels: tied replicas whose channels hold the same messages in different orders are not interchangeable.
  const fifo = `protocol FifoTies
message A
message B
network async fifo reliable
node Hub {
  state got: 0..3 = 0
  on A from m { got = got }
  on B from m { got = got }
}
node Member[2] {
  state done: bool = false
  on start {
    choose { send A to Hub; send B to Hub } or { send B to Hub; send A to Hub }
    done = true
  }
}
check explore { }
`;
  compare(systemOf(fifo, { symmetry: true }), 'FIFO channels');
  // A partition: tied replicas on different sides of it are not interchangeable.
  const split = fifo.replace('network async fifo reliable', 'network async unordered reliable').replace('check explore { }', 'check explore { partition up to 1; }');
  compare(systemOf(split, { symmetry: true }), 'a partition');
  assert.ok(covered > 1_000, `only ${covered} states where the shortcut could apply`);
});
