import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Trace } from '../../engine/trace.js';
import { mermaidText, traceToMermaid } from '../../render/mermaid.js';

function traceWith(label: string): Trace {
  return {
    format: 'faultline-trace/1',
    protocol: label,
    run: 'r',
    nodes: [
      { name: label, role: 'A' },
      { name: 'B', role: 'B' },
    ],
    initial: { [label]: { status: 'up', byzantine: false, vars: {} }, B: { status: 'up', byzantine: false, vars: {} } },
    steps: [
      {
        index: 1,
        kind: 'deliver',
        node: 'B',
        message: { id: 1, name: label, from: label, to: 'B', fields: { [label]: label } },
        timer: null,
        handler: null,
        sent: [],
        discarded: [],
        events: [],
        changes: [{ node: 'B', variable: label, before: 0, after: label }],
        fault: null,
        crashed: false,
        partition: null,
        error: null,
      },
    ],
    final: {},
    violation: { property: label, kind: 'invariant', message: label, step: 1, span: { start: 0, end: 1 } },
  };
}

test('labels never carry line breaks, comments, statement separators, quotes or markup', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (label) => {
      // Entity codes (#NNN;) are the only '#' and ';' left: Mermaid decodes them after parsing.
      const text = mermaidText(label).replace(/#\d+;/g, '');
      assert.doesNotMatch(text, /[\n\r;#%"<>:`{}\[\]|\\]/);
    }),
    { numRuns: 2000 },
  );
});

test('hostile labels stay inside their line of the diagram', () => {
  const hostile = '<script>alert(1)</script>"; %% end\nsequenceDiagram\n Note over A: pwned #35; ünïcødé 🚀';
  const text = traceToMermaid(traceWith(hostile));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'sequenceDiagram');
  assert.equal(lines.filter((l) => l === 'sequenceDiagram').length, 1);
  assert.doesNotMatch(text, /<script>|%%|alert\(1\)<|\n Note over A: pwned/);
  assert.match(text, /#128640;/, 'unicode is kept as an entity');
});

test('the violating step is boxed and labelled', () => {
  const text = traceToMermaid(traceWith('x'));
  assert.match(text, /rect rgb\(255, 221, 221\)\n {4}n0->>n1: 1\. x\(x=x\)/);
  assert.match(text, /step 1#58; violates x/);
});

test('a window draws only the steps around its focus, with markers for the rest', () => {
  const t = traceWith('x');
  const many = { ...t, steps: Array.from({ length: 50 }, (_, i) => ({ ...t.steps[0]!, index: i + 1 })), violation: null };
  const text = traceToMermaid(many, { window: { focus: 25, radius: 5 } });
  assert.match(text, /#8230; 19 earlier steps #8230;/);
  assert.match(text, /#8230; 20 later steps #8230;/);
  assert.equal((text.match(/->>/g) ?? []).length, 11);
});
