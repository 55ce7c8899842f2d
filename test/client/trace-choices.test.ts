import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseTrace, clampStep, initialStep, previewData, traceId, traceLabel, withSample } from '../../client/preview/trace-choices.js';
import type { Trace } from '../../engine/trace.js';
import type { RunTraces, TracesResult } from '../../protocol/lsp.js';
import type { PreviewTrace } from '../../protocol/webview.js';
import { traceStep } from '../support/long-trace.js';

function trace(steps: number, violationStep: number | null): Trace {
  return {
    format: 'faultline-trace/1',
    protocol: 'P',
    run: 'r',
    nodes: [],
    initial: {},
    steps: Array.from({ length: steps }, (_, i) => traceStep(i + 1)),
    final: {},
    violation: violationStep === null ? null : { property: 'Safety', kind: 'invariant', message: 'Safety does not hold', step: violationStep, span: { start: 0, end: 1 } },
  };
}

function run(name: string, traces: RunTraces['traces'], ok = true): RunTraces {
  return { run: name, runKind: 'check', mode: 'explore', status: 'complete', states: 10, ok, verdicts: [{ property: 'Safety', kind: 'invariant', outcome: ok ? 'holds' : 'violated', expected: 'holds', ok, message: '' }], traces };
}

const result: TracesResult = {
  uri: 'file:///p.ftp',
  version: 4,
  error: null,
  runs: [
    run('Happy', [{ property: null, ok: true, message: 'sample', trace: trace(3, null) }]),
    run('Expected', [{ property: 'Safety', ok: true, message: 'Safety does not hold', trace: trace(2, 2) }]),
    run('Broken', [{ property: 'Safety', ok: false, message: 'Safety does not hold', trace: trace(5, 4) }], false),
    run('check explore', [{ property: null, ok: true, message: 'sample', trace: trace(1, null) }]),
    run('check explore', [{ property: 'Liveness', ok: false, message: 'no', trace: trace(1, 1) }], false),
  ],
};

test('previewData gives every trace a stable, unique id and keeps the order of runs', () => {
  const { runs, traces } = previewData(result, new Map([['Happy', 7]]));
  assert.deepEqual(
    traces.map((t) => t.id),
    ['Happy::sample', 'Expected::Safety', 'Broken::Safety', 'check explore::sample', 'check explore #2::Liveness'],
  );
  assert.deepEqual(
    runs.map((r) => r.run),
    ['Happy', 'Expected', 'Broken', 'check explore', 'check explore #2'],
  );
  assert.equal(traces[0]!.seed, 7);
  assert.equal(traces[1]!.seed, null);
  assert.deepEqual(runs[2]!.verdicts, ['Safety: violated (expected holds)']);
  assert.equal(traceId('Broken', 'Safety'), 'Broken::Safety');
});

test('the preview shows what was asked for, else keeps its choice, else the first unexpected counterexample', () => {
  const { traces } = previewData(result);
  const none = { trace: null, run: null };
  assert.equal(chooseTrace(traces, { trace: 'Expected::Safety', run: null }, 'Happy::sample')?.id, 'Expected::Safety');
  assert.equal(chooseTrace(traces, { trace: 'gone', run: 'Expected' }, 'Happy::sample')?.id, 'Expected::Safety');
  assert.equal(chooseTrace(traces, { trace: null, run: 'Happy' }, null)?.id, 'Happy::sample');
  assert.equal(chooseTrace(traces, none, 'Happy::sample')?.id, 'Happy::sample');
  assert.equal(chooseTrace(traces, none, 'gone')?.id, 'Broken::Safety');
  assert.equal(chooseTrace(traces.filter((t) => t.ok), none, null)?.id, 'Expected::Safety');
  assert.equal(chooseTrace(traces.filter((t) => t.property === null), none, null)?.id, 'Happy::sample');
  assert.equal(chooseTrace([], none, 'x'), null);
});

test('labels say what a trace is', () => {
  const { traces } = previewData(result, new Map([['Happy', 7]]));
  assert.deepEqual(traces.map(traceLabel), [
    'Happy: sample run (seed 7), 3 steps',
    'Expected: Safety violated (expected), 2 steps',
    'Broken: Safety violated (unexpected), 5 steps',
    'check explore: sample run, 1 step',
    'check explore #2: Liveness violated (unexpected), 1 step',
  ]);
});

test('the first step shown is the violating one; steps are clamped to the trace', () => {
  assert.equal(initialStep(trace(5, 4)), 4);
  assert.equal(initialStep(trace(5, null)), 0);
  assert.equal(initialStep(trace(2, 9)), 2);
  const t = trace(3, null);
  assert.equal(clampStep(t, -1), 0);
  assert.equal(clampStep(t, 9), 3);
  assert.equal(clampStep(t, 1.7), 1);
  assert.equal(clampStep(t, Number.NaN), 0);
});

test('a new sample replaces the run’s old one in place and leaves the others', () => {
  const { traces } = previewData(result);
  const sample: PreviewTrace = { ...traces[0]!, seed: 99, trace: trace(9, null) };
  const next = withSample(traces, sample);
  assert.deepEqual(
    next.map((t) => t.id),
    traces.map((t) => t.id),
  );
  assert.equal(next[0]!.seed, 99);
  const extra: PreviewTrace = { ...traces[2]!, id: traceId('Broken', null), property: null, seed: 3 };
  assert.deepEqual(
    withSample(traces, extra).map((t) => t.id),
    ['Happy::sample', 'Expected::Safety', 'Broken::Safety', 'Broken::sample', 'check explore::sample', 'check explore #2::Liveness'],
  );
  const fresh: PreviewTrace = { ...traces[0]!, run: 'New', id: traceId('New', null) };
  assert.equal(withSample(traces, fresh).at(-1)!.id, 'New::sample');
});
