import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { WebviewMessageHandlers } from '../../client/preview/webview-messages.js';
import { encodeHostMessage, parseHostMessage, parseWebviewMessage, routeWebviewMessage, safeFileName } from '../../client/preview/webview-messages.js';
import { longTrace } from '../support/long-trace.js';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview.js';
import { hostMessageTypes, webviewMessageTypes } from '../../protocol/webview.js';

const examples: WebviewToHost[] = [
  { type: 'ready' },
  { type: 'revealSource', uri: 'file:///a.ftp', version: 3, span: { start: 10, end: 20 } },
  { type: 'requestSample', uri: 'file:///a.ftp', run: 'CrashRecover', seed: 42 },
  { type: 'stepChanged', uri: 'file:///a.ftp', version: 3, step: 2, handler: { start: 1, end: 2 } },
  { type: 'stepChanged', uri: 'file:///a.ftp', version: 3, step: 0, handler: null },
  { type: 'export', format: 'svg', fileName: 'a.svg', content: '<svg/>' },
  { type: 'export', format: 'markdown', fileName: 'a.md', content: '```mermaid\n```' },
  { type: 'exportProgress', state: 'running', done: 3, total: 122 },
  { type: 'exportProgress', state: 'cancelled', done: 5, total: 122 },
  { type: 'log', level: 'error', message: 'oops' },
];

/** Handlers that record which one was called, with what. */
function recorder(): { calls: unknown[][]; handlers: WebviewMessageHandlers } {
  const calls: unknown[][] = [];
  const rec =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  return {
    calls,
    handlers: {
      ready: rec('ready'),
      revealSource: rec('revealSource'),
      requestSample: rec('requestSample'),
      stepChanged: rec('stepChanged'),
      exportDiagram: rec('exportDiagram'),
      exportProgress: rec('exportProgress'),
      log: rec('log'),
      rejected: rec('rejected'),
    },
  };
}

test('every message the webview may send parses back to itself', () => {
  for (const m of examples) assert.deepEqual(parseWebviewMessage(JSON.parse(JSON.stringify(m))), m);
  // Every type is covered by the examples.
  assert.deepEqual([...new Set(examples.map((m) => m.type))].sort(), [...webviewMessageTypes].sort());
});

test('each message reaches its own handler with its fields, and nothing else does', async () => {
  const expected: Record<WebviewToHost['type'], (m: WebviewToHost) => unknown[]> = {
    ready: () => ['ready'],
    revealSource: (m) => (m.type === 'revealSource' ? ['revealSource', m.uri, m.version, m.span] : []),
    requestSample: (m) => (m.type === 'requestSample' ? ['requestSample', m.uri, m.run, m.seed] : []),
    stepChanged: (m) => (m.type === 'stepChanged' ? ['stepChanged', m.uri, m.version, m.step, m.handler] : []),
    export: (m) => (m.type === 'export' ? ['exportDiagram', m.format, m.fileName, m.content] : []),
    exportProgress: (m) => (m.type === 'exportProgress' ? ['exportProgress', m.state, m.done, m.total] : []),
    log: (m) => (m.type === 'log' ? ['log', m.level, m.message] : []),
  };
  for (const m of examples) {
    const r = recorder();
    await routeWebviewMessage(m, r.handlers);
    assert.deepEqual(r.calls, [expected[m.type](m)]);
  }
});

test('malformed messages are rejected, not routed', async () => {
  const bad: unknown[] = [
    null,
    'ready',
    42,
    [],
    { type: 'nope' },
    { type: 'revealSource', uri: 'file:///a', version: 1 },
    { type: 'revealSource', uri: 'file:///a', version: 1, span: { start: 5, end: 2 } },
    { type: 'revealSource', uri: 'file:///a', version: -1, span: { start: 1, end: 2 } },
    { type: 'revealSource', uri: 7, version: 1, span: { start: 1, end: 2 } },
    { type: 'requestSample', uri: 'file:///a', run: 'r', seed: 1.5 },
    { type: 'requestSample', uri: 'file:///a', run: 'r', seed: 2 ** 40 },
    { type: 'stepChanged', uri: 'file:///a', version: 1, step: 1 },
    { type: 'export', format: 'png', fileName: 'a', content: '' },
    { type: 'export', format: 'svg', fileName: 'a' },
    { type: 'log', level: 'debug', message: 'x' },
    { type: 'toString' },
    { type: '__proto__' },
  ];
  for (const data of bad) {
    const r = recorder();
    await routeWebviewMessage(data, r.handlers);
    assert.deepEqual(r.calls, [['rejected', data]], JSON.stringify(data));
  }
});

test('any JSON value either parses to a known message or is rejected, and never throws', () => {
  const arbitraryMessage = fc.oneof(
    fc.jsonValue(),
    fc.record({ type: fc.constantFrom(...webviewMessageTypes, 'x'), uri: fc.string(), version: fc.integer(), span: fc.jsonValue(), seed: fc.double(), run: fc.string() }, { requiredKeys: ['type'] }),
  );
  fc.assert(
    fc.property(arbitraryMessage, (data) => {
      const m = parseWebviewMessage(data);
      if (m !== null) assert.ok(webviewMessageTypes.includes(m.type));
      const h = parseHostMessage(data);
      if (h !== null) assert.ok(hostMessageTypes.includes(h.type));
    }),
    { numRuns: 1000 },
  );
});

test('host messages are checked by tag and shape', () => {
  const show: HostToWebview = { type: 'show', document: { uri: 'u', name: 'n', version: 1 }, runs: [], traces: [], stateMachines: [], select: { trace: null, run: null }, error: null };
  assert.deepEqual(parseHostMessage(show), show);
  assert.deepEqual(parseHostMessage({ type: 'selectStep', step: 3 }), { type: 'selectStep', step: 3 });
  assert.deepEqual(parseHostMessage({ type: 'requestExport', format: 'markdown' }), { type: 'requestExport', format: 'markdown' });
  assert.deepEqual(parseHostMessage({ type: 'busy', document: { uri: 'u', name: 'n', version: 1 } }), { type: 'busy', document: { uri: 'u', name: 'n', version: 1 } });
  assert.equal(parseHostMessage({ type: 'show', document: {}, runs: [] }), null);
  assert.equal(parseHostMessage({ type: 'selectStep', step: -1 }), null);
  assert.equal(parseHostMessage({ type: 'requestExport', format: 'pdf' }), null);
  assert.equal(parseHostMessage({ type: 'ready' }), null);
  assert.deepEqual(parseHostMessage({ type: 'cancelExport' }), { type: 'cancelExport' });
  assert.equal(parseHostMessage({ ...show, traces: '[{"id": ' }), null, 'traces that are not JSON');
  assert.equal(parseHostMessage({ ...show, traces: '{"id": 1}' }), null, 'traces that are not a list');
  assert.equal(parseHostMessage({ type: 'exportProgress', state: 'running', done: 1, total: 2 }), null, 'a webview message is not a host message');
});

test('show crosses into the page with its traces as one JSON text, and reads back the same', () => {
  const trace = longTrace(2000, { violationAt: 1000 });
  const show: HostToWebview = {
    type: 'show',
    document: { uri: 'u', name: 'n', version: 1 },
    runs: [],
    traces: [{ id: 'r::Bounded', run: 'r', runKind: 'check', property: 'Bounded', ok: false, message: 'm', seed: null, trace }],
    stateMachines: [],
    select: { trace: null, run: null },
    error: null,
  };
  const wire = encodeHostMessage(show);
  assert.equal(typeof (wire as { traces: unknown }).traces, 'string');
  // What the page gets is a structured-clone copy of the wire message.
  assert.deepEqual(parseHostMessage(structuredClone(wire)), show);
  const other: HostToWebview = { type: 'selectStep', step: 4 };
  assert.equal(encodeHostMessage(other), other, 'other messages cross as they are');
});

test('export file names keep only safe characters', () => {
  assert.equal(safeFileName('two-phase-commit-CoordinatorCrashStop-Termination'), 'two-phase-commit-CoordinatorCrashStop-Termination');
  assert.equal(safeFileName('../../etc/passwd'), 'etc-passwd');
  assert.equal(safeFileName('<script>.ftp'), 'script-.ftp');
  assert.equal(safeFileName('///'), 'diagram');
  assert.equal(safeFileName('check explore #2'), 'check-explore-2');
});
