import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changesAt, nodeStatesAt, sameJson } from '../../client/preview/node-states.js';
import { runSources } from '../../engine/compile.js';
import { sampleTrace } from '../../engine/sample-trace.js';
import type { Trace } from '../../engine/trace.js';
import { analyzeText } from '../../language/analyze.js';
import { sampleNames, sampleText } from '../support/samples.js';

/** Seeded random runs of every run of every sample: crashes, recoveries, drops, timers. */
function sampleRuns(): { name: string; trace: Trace }[] {
  const out: { name: string; trace: Trace }[] = [];
  for (const name of sampleNames()) {
    const model = analyzeText(sampleText(name)).model;
    if (model.hasErrors) continue;
    for (const source of runSources(model)) {
      for (const seed of [1, 2, 3]) {
        const trace = sampleTrace(model, source, {}, seed, 120);
        if (trace) out.push({ name: `${name} ${trace.run} seed ${seed}`, trace });
      }
    }
  }
  return out;
}

test('replaying every step from `initial` gives `final`, for random runs of every sample', () => {
  const runs = sampleRuns();
  assert.ok(runs.length >= 20, `only ${runs.length} runs`);
  let crashes = 0;
  for (const { name, trace } of runs) {
    const last = nodeStatesAt(trace, trace.steps.length);
    for (const node of trace.nodes) {
      const got = last[node.name]!;
      const want = trace.final[node.name]!;
      assert.equal(got.status, want.status, `${name}: ${node.name} status`);
      assert.equal(got.byzantine, want.byzantine, `${name}: ${node.name} byzantine`);
      for (const [k, v] of Object.entries(want.vars)) assert.ok(sameJson(got.vars[k]!, v), `${name}: ${node.name}.${k} is ${JSON.stringify(got.vars[k])}, final says ${JSON.stringify(v)}`);
    }
    crashes += trace.steps.filter((s) => s.kind === 'crash' || s.crashed).length;
  }
  assert.ok(crashes > 0, 'no run crashed a node: the status replay is untested');
});

test('step 0 is the initial state, and a step past the end is the last one; the initial state is never modified', () => {
  const { trace } = sampleRuns().find((r) => r.trace.steps.some((s) => s.changes.length > 0))!;
  const before = JSON.stringify(trace.initial);
  assert.deepEqual(nodeStatesAt(trace, 0), trace.initial);
  assert.deepEqual(nodeStatesAt(trace, trace.steps.length + 10), nodeStatesAt(trace, trace.steps.length));
  assert.deepEqual(nodeStatesAt(trace, -3), trace.initial);
  assert.equal(JSON.stringify(trace.initial), before);
});

test('changesAt names the variables a step changed and the node whose status it changed', () => {
  const { trace } = sampleRuns().find((r) => r.trace.steps.some((s) => s.kind === 'start' && s.changes.length > 0))!;
  const i = trace.steps.findIndex((s) => s.kind === 'start' && s.changes.length > 0);
  const step = trace.steps[i]!;
  const c = changesAt(trace, i + 1);
  assert.equal(c.status, step.node);
  for (const ch of step.changes) assert.ok(c.vars.get(ch.node)?.has(ch.variable));
  assert.deepEqual(changesAt(trace, 0), { vars: new Map(), status: null });
});

test('sameJson compares maps by key, arrays by position', () => {
  assert.ok(sameJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }));
  assert.ok(!sameJson([1, 2], [2, 1]));
  assert.ok(!sameJson({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!sameJson(null, {}));
  assert.ok(!sameJson([], {}));
});
