import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSources } from '../../engine/compile.js';
import { sampleTrace } from '../../engine/sample-trace.js';
import type { Trace } from '../../engine/trace.js';
import { analyzeText } from '../../language/analyze.js';
import { traceToMermaid, traceToMermaidDiagram } from '../../render/mermaid.js';
import { traceWindow, wholeTraceSteps } from '../../render/trace-window.js';
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
  assert.equal(traceWindow(wholeTraceSteps, 5, null), null);
  const w = traceWindow(1000, 500, null, 40)!;
  assert.deepEqual(w, { focus: 500, radius: 40 });
  assert.equal(traceWindow(1000, 530, w, 40), w, 'inside: the same window');
  assert.deepEqual(traceWindow(1000, 541, w, 40), { focus: 541, radius: 40 });
  assert.deepEqual(traceWindow(1000, 0, null, 40), { focus: 41, radius: 40 }, 'the start: a full window from step 1');
  assert.deepEqual(traceWindow(1000, 1000, null, 40), { focus: 960, radius: 40 }, 'the end: a full window up to the last step');
});

test('markers: false draws a window without the earlier/later notes (the chunks of a whole-trace drawing)', () => {
  const t = traces().find((x) => x.steps.length >= 30);
  assert.ok(t, 'no sample trace of 30 steps');
  const window = { focus: 15, radius: 5 };
  const withMarkers = traceToMermaid(t, { window });
  const without = traceToMermaid(t, { window, markers: false });
  assert.match(withMarkers, /earlier steps/);
  assert.doesNotMatch(without, /earlier steps|later steps/);
  assert.equal(withMarkers.split('\n').length - without.split('\n').length, 2);
});
