import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileSystem, runSources } from '../../engine/compile.js';
import { exploreStates } from '../../engine/explore.js';
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
