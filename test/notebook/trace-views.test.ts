import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeKind, notebookFromShape, notebookToShape } from '../../client/notebook/notebook-data.js';
import { readTrace } from '../../client/notebook/renderer/read-outputs.js';
import { applyKeptViews, keptViews, outputDigest, parseTraceViewMessage, withKeptView } from '../../client/notebook/trace-views.js';
import { parseNotebook, serializeNotebook } from '../../notebook/format.js';
import type { NotebookTrace } from '../../protocol/notebook.js';
import { traceMime, traceViewsKey, verdictsMime } from '../../protocol/notebook.js';
import { traceWindow } from '../../render/trace-window.js';
import { longTrace } from '../support/long-trace.js';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function traceOutput(steps: number): NotebookTrace {
  const trace = longTrace(steps, { violationAt: Math.ceil(steps / 2) });
  const focus = Math.ceil(steps / 2);
  return { format: 'faultline-notebook-trace/1', title: `t${steps}`, run: trace.run, property: 'Bounded', ok: false, message: 'm', trace, sources: [], view: { focus, window: traceWindow(trace, focus, null) } };
}

test('renderer messages are checked before anything is kept', () => {
  const view = { focus: 3, window: { focus: 40, radius: 12 } };
  assert.deepEqual(parseTraceViewMessage({ type: 'traceView', output: '12:0badf00d', view }), { type: 'traceView', output: '12:0badf00d', view });
  assert.deepEqual(parseTraceViewMessage({ type: 'traceView', output: '12:0badf00d', view: { focus: 0, window: null } })?.view, { focus: 0, window: null });
  for (const bad of [
    null,
    { type: 'traceView', output: 'x', view },
    { type: 'traceView', output: '12:0badf00d' },
    { type: 'traceView', output: '12:0badf00d', view: { focus: -1, window: null } },
    { type: 'traceView', output: '12:0badf00d', view: { focus: 1, window: { focus: 2 } } },
    { type: 'other', output: '12:0badf00d', view },
  ]) {
    assert.equal(parseTraceViewMessage(bad), null, JSON.stringify(bad));
  }
});

test('the digest tells outputs apart by their bytes', () => {
  const a = bytes(traceOutput(300));
  const b = bytes(traceOutput(301));
  assert.match(outputDigest(a), /^\d+:[0-9a-f]{8}$/);
  assert.equal(outputDigest(a), outputDigest(a.slice()));
  assert.notEqual(outputDigest(a), outputDigest(b));
});

test('a saved notebook keeps the full trace and the window the user last looked at; the metadata key is not saved', () => {
  const long = traceOutput(3000);
  const other = traceOutput(400);
  const longBytes = bytes(long);
  const moved = { focus: long.view.focus, window: traceWindow(long.trace, 2900, null)! };
  assert.notDeepEqual(moved.window, long.view.window);
  // As the extension keeps it: two moves, the last one wins.
  let metadata = withKeptView({ tags: ['x'] }, outputDigest(longBytes), { focus: long.view.focus, window: traceWindow(long.trace, 10, null) });
  metadata = withKeptView(metadata, outputDigest(longBytes), moved);
  metadata = withKeptView(metadata, '1:00000000', moved);
  assert.equal(keptViews(metadata).size, 2);
  const cell = {
    kind: codeKind,
    value: 'protocol P',
    languageId: 'ftp',
    metadata,
    outputs: [
      { items: [{ mime: verdictsMime, data: bytes({ format: 'faultline-verdicts/1' }) }] },
      { items: [{ mime: traceMime, data: longBytes }] },
      { items: [{ mime: traceMime, data: bytes(other) }] },
    ],
  };
  const saved = serializeNotebook(notebookFromShape({ cells: [applyKeptViews(cell)] }));
  const parsed = parseNotebook(saved);
  assert.ok(parsed.ok);
  const back = notebookToShape(parsed.notebook).cells[0]!;
  assert.deepEqual(back.metadata, { tags: ['x'] }, 'the kept views are not saved as metadata');
  const outputs = back.outputs!.map((o) => o.items[0]!);
  const t = readTrace(JSON.parse(new TextDecoder().decode(outputs[1]!.data)) as unknown)!;
  assert.deepEqual(t.view, moved, 'the window last looked at');
  assert.deepEqual(t.trace, long.trace, 'the full trace');
  const untouched = readTrace(JSON.parse(new TextDecoder().decode(outputs[2]!.data)) as unknown)!;
  assert.deepEqual(untouched.view, other.view, 'another output keeps its own view');
  assert.equal(new TextDecoder().decode(outputs[0]!.data), JSON.stringify({ format: 'faultline-verdicts/1' }));
});

test('a cell without kept views is saved as it is', () => {
  const cell = { kind: codeKind, value: 'x', languageId: 'ftp', metadata: { a: 1 }, outputs: [{ items: [{ mime: traceMime, data: bytes(traceOutput(200)) }] }] };
  assert.equal(applyKeptViews(cell), cell);
  assert.ok(!(traceViewsKey in (applyKeptViews({ ...cell, metadata: { [traceViewsKey]: 'junk' } }).metadata ?? {})));
});
