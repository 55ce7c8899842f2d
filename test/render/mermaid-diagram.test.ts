import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSources } from '../../engine/compile.js';
import { sampleTrace } from '../../engine/sample-trace.js';
import type { Trace } from '../../engine/trace.js';
import { analyzeText } from '../../language/analyze.js';
import { mermaidText, stepLines, stepStatementCount, traceToMermaid, traceToMermaidDiagram } from '../../render/mermaid.js';
import { nodeStatesAt } from '../../render/node-states.js';
import { traceWindow, windowStatements } from '../../render/trace-window.js';
import { longTrace, traceStep } from '../support/long-trace.js';
import { sampleNames, sampleText } from '../support/samples.js';

function traces(): Trace[] {
  const out: Trace[] = [];
  for (const name of sampleNames()) {
    const model = analyzeText(sampleText(name)).model;
    if (model.hasErrors) continue;
    for (const source of runSources(model)) {
      const t = sampleTrace(model, source, {}, 5, 80);
      if (t) out.push(t);
    }
  }
  return out;
}

test('the statement map lists every arrow and note in drawing order, each with its step', () => {
  for (const t of traces()) {
    for (const options of [{}, { focus: Math.ceil(t.steps.length / 2) }, { window: { focus: 10, radius: 3 } }]) {
      const d = traceToMermaidDiagram(t, options);
      assert.equal(d.text, traceToMermaid(t, options));
      const drawn = d.text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0 && !/^(sequenceDiagram|participant |rect |end$)/.test(l));
      assert.equal(d.statements.length, drawn.length, `${t.run}: one statement per drawn line`);
      drawn.forEach((line, i) => {
        const s = d.statements[i]!;
        assert.equal(s.kind, line.startsWith('Note ') ? 'note' : 'message', line);
        // A line that names its step ("12. ...") belongs to that step.
        const named = /: (\d+)\. /.exec(line);
        if (named) assert.equal(s.step, Number(named[1]), line);
      });
      // Steps appear in order, each at least once when drawn.
      const steps = d.statements.map((s) => s.step).filter((s) => s > 0);
      assert.deepEqual(steps, [...steps].sort((a, b) => a - b));
      const window = 'window' in options ? options.window : null;
      for (const step of t.steps) {
        const shown = !window || (step.index >= window.focus - window.radius && step.index <= window.focus + window.radius);
        assert.equal(steps.includes(step.index), shown, `${t.run}: step ${step.index}`);
      }
    }
  }
});

test('short traces are drawn whole; long ones as a window kept while the step stays inside it', () => {
  assert.equal(traceWindow(longTrace(10), 5, null), null, '20 statements fit');
  const t = longTrace(1000);
  const w = traceWindow(t, 500, null)!;
  assert.ok(w.focus - w.radius <= 500 && 500 <= w.focus + w.radius, 'the window holds its focus');
  assert.equal(w.focus, 500, 'centred on the focus away from the ends');
  assert.equal(traceWindow(t, w.focus + w.radius, w), w, 'inside: the same window');
  const next = traceWindow(t, w.focus + w.radius + 1, w)!;
  assert.notEqual(next, w);
  assert.equal(next.focus, w.focus + w.radius + 1, 'past the end: a new window around the new focus');
  const start = traceWindow(t, 0, null)!;
  assert.equal(start.focus - start.radius, 1, 'the start: a full window from step 1');
  assert.ok(start.radius >= w.radius - 1);
  const end = traceWindow(t, 1000, null)!;
  assert.equal(end.focus + end.radius, 1000, 'the end: a full window up to the last step');
});

test('windows are sized by the arrows and notes Mermaid draws, not by steps', () => {
  // Ring steps draw two statements each (the arrow and a state-change note).
  const ring = longTrace(5000, { violationAt: 2500 });
  // Steps of the same run where every node changes state: four statements each.
  const dense = { ...ring, steps: ring.steps.map((s) => ({ ...s, changes: ring.nodes.map((n) => ({ node: n.name, variable: 'seen', before: 0, after: s.index })) })) };
  const drawn = (t: typeof ring, focus: number) => {
    const window = traceWindow(t, focus, null);
    assert.ok(window, 'a long trace gets a window');
    return { window, statements: traceToMermaidDiagram(t, { window }).statements.length };
  };
  for (const focus of [0, 1, 2, 2500, 4999, 5000]) {
    for (const t of [ring, dense]) {
      const d = drawn(t, focus);
      assert.ok(d.statements <= windowStatements, `${d.statements} statements drawn around ${focus}`);
      assert.ok(d.statements >= windowStatements - 8, `the budget is used: ${d.statements} around ${focus}`);
    }
  }
  assert.ok(drawn(dense, 2500).window.radius < drawn(ring, 2500).window.radius, 'denser steps, fewer of them');
  // A single step over the budget is still drawn.
  const huge = { ...ring, steps: ring.steps.map((s) => (s.index === 2500 ? { ...s, events: Array.from({ length: 200 }, () => ({ kind: 'decide' as const, value: 1 })) } : s)) };
  assert.deepEqual(traceWindow(huge, 2500, null), { focus: 2500, radius: 0 });
});

test('stepStatementCount counts exactly the lines each step draws', () => {
  const steps = [...traces().flatMap((t) => t.steps), ...longTrace(300).steps];
  steps.push(
    traceStep(1, { kind: 'deliver', node: 'a', message: { id: 1, name: 'M', from: 'a', to: 'b', fields: {} }, crashed: true, error: { message: 'boom', span: { start: 0, end: 1 } } }),
    traceStep(2, { kind: 'timeout', node: 'a', sent: [{ id: 2, name: 'M', from: 'a', to: 'b', fields: {}, lost: 'partition' }], changes: [
      { node: 'a', variable: 'x', before: 0, after: 1 },
      { node: 'b', variable: 'x', before: 0, after: 1 },
      { node: 'a', variable: 'y', before: 0, after: 1 },
    ] }),
  );
  for (const step of steps) {
    for (const changes of [true, false]) assert.equal(stepStatementCount(step, changes), stepLines(step, () => 'n0', 'n0', changes).length, `step ${step.index} (${step.kind})`);
  }
});

test("a window opens with every node's state at its start, so it reads on its own", () => {
  const t = longTrace(1000, { violationAt: 500 });
  // Node[3] crashed at step 200 and is still down at step 250.
  const window = traceWindow(t, 250, null)!;
  const first = window.focus - window.radius;
  assert.ok(first > 201);
  const text = traceToMermaid(t, { window });
  const lines = text.split('\n').map((l) => l.trim());
  const marker = lines.findIndex((l) => l.includes(mermaidText(`… ${first - 1} earlier steps …`)));
  assert.ok(marker > 0, 'the earlier-steps marker');
  const states = nodeStatesAt(t, first - 1);
  t.nodes.forEach((n, i) => {
    const s = states[n.name]!;
    assert.equal(lines[marker + 1 + i], `Note over n${i}: ${mermaidText(`state: ${s.status}; seen = ${String(s.vars['seen'])}`)}`);
  });
  assert.ok(lines[marker + 3]!.includes(mermaidText('state: crashed;')), lines[marker + 3]);
  // The whole trace and a window from step 1 have nothing before them to state.
  assert.doesNotMatch(traceToMermaid(t, { window: { focus: 20, radius: 19 } }), /state/);
  // A chunk of a whole-trace drawing (markers: false) follows the previous chunk: no state notes either.
  assert.doesNotMatch(traceToMermaid(t, { window, markers: false }), /state/);
});

test('markers: false draws a window without the earlier/later notes (the chunks of a whole-trace drawing)', () => {
  const t = traces().find((x) => x.steps.length >= 30);
  assert.ok(t, 'no sample trace of 30 steps');
  const window = { focus: 15, radius: 5 };
  const withMarkers = traceToMermaid(t, { window });
  const without = traceToMermaid(t, { window, markers: false });
  assert.match(withMarkers, /earlier steps/);
  assert.doesNotMatch(without, /earlier steps|later steps/);
  assert.equal(withMarkers.split('\n').length - without.split('\n').length, 2 + t.nodes.length, 'two markers and one state note per node');
});
