import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandTarget } from '../../client/command-args.js';
import { runSummary } from '../../client/run-summary.js';
import type { TracesResult } from '../../protocol/lsp.js';

test('a code lens passes [uri, RunRef]; a menu passes a Uri; the palette passes nothing', () => {
  assert.deepEqual(commandTarget(['file:///a.ftp', { name: 'CrashStop', position: { line: 3, character: 0 } }]), {
    uri: 'file:///a.ftp',
    run: { name: 'CrashStop', position: { line: 3, character: 0 } },
  });
  assert.deepEqual(commandTarget(['file:///a.ftp', { name: 'CrashStop' }]), { uri: 'file:///a.ftp', run: { name: 'CrashStop' } });
  assert.deepEqual(commandTarget(['file:///a.ftp', 'CrashStop']), { uri: 'file:///a.ftp', run: { name: 'CrashStop' } });
  // A vscode.Uri: an object with a scheme whose toString is the URI.
  const uri = { scheme: 'file', path: '/a.ftp', toString: () => 'file:///a.ftp' };
  assert.deepEqual(commandTarget([uri]), { uri: 'file:///a.ftp', run: null });
  assert.deepEqual(commandTarget([]), { uri: null, run: null });
  assert.deepEqual(commandTarget([42, { name: 7 }]), { uri: null, run: null });
  assert.deepEqual(commandTarget(['', { name: 'X', position: { line: 'a' } }]), { uri: null, run: { name: 'X' } });
});

test('run summaries name each run, its status, its verdicts and what failed', () => {
  const result: TracesResult = {
    uri: 'u',
    version: 1,
    error: null,
    runs: [
      { run: 'A', runKind: 'check', mode: 'explore', status: 'complete', states: 1523, ok: true, verdicts: [{ property: 'Safety', kind: 'invariant', outcome: 'holds', expected: 'holds', ok: true, message: '' }], traces: [] },
      { run: 'B', runKind: 'scenario', mode: 'explore', status: 'limit-time', states: 90000, ok: false, verdicts: [{ property: 'Live', kind: 'eventually', outcome: 'violated', expected: 'holds', ok: false, message: '' }], traces: [] },
    ],
  };
  const s = runSummary(result);
  assert.equal(s.ok, false);
  assert.deepEqual(s.lines, ['A (explore, complete, 1,523 states): Safety holds', 'B (explore, limit-time, 90,000 states): Live violated (expected holds) ✗']);
  assert.equal(s.headline, '1 of 2 runs fail their expectations: B (1 stopped at a bound)');
  assert.equal(runSummary({ ...result, runs: [result.runs[0]!] }).headline, s.lines[0]);
  assert.deepEqual(runSummary({ ...result, error: 'The file has errors', runs: [] }), { ok: false, headline: 'The file has errors', lines: ['The file has errors'] });
});
