import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { definitionAt } from '../../language/queries/definition.js';
import { highlightsAt, referencesAt } from '../../language/queries/references.js';
import { applyEdits, prepareRename, renameAt } from '../../language/queries/rename.js';
import type { Span } from '../../language/span.js';
import { offsetOf } from '../support/cursor.js';
import { twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleNames, sampleText } from '../support/samples.js';

const text = twoPhaseCommit;
const analysis = analyzeText(text);
const model = analysis.model;
const words = (spans: Span[]): string[] => spans.map((s) => text.slice(s.start, s.end));

test('go to definition: from a use to the declaring name, for every kind of name', () => {
  const cases: [string, number, string, number][] = [
    ['send Vote(true)', 6, 'message Vote {', 8],
    ['to Participant', 4, 'node Participant', 5],
    ['yes += p', 1, 'state yes', 6],
    ['yes += p', 7, 'from p', 5],
    ['|yes| == N', 10, 'param N', 6],
    ['on timeout t', 11, 'timer t', 6],
    ['expect Atomicity', 8, 'invariant Atomicity', 10],
    ['p.phase == COMMIT', 3, 'stable state phase', 13],
  ];
  for (const [use, delta, decl, declDelta] of cases) {
    const found = definitionAt(model, offsetOf(text, use, delta));
    assert.equal(found.length, 1, `no definition for ${use}`);
    assert.equal(found[0]!.start, offsetOf(text, decl, declDelta), `definition of ${use}`);
  }
  assert.deepEqual(definitionAt(model, offsetOf(text, 'broadcast', 2)), []);
});

test('find references: every use of a message, with or without its declaration', () => {
  const at = offsetOf(text, 'message Decision', 8);
  const all = referencesAt(model, at, true);
  assert.deepEqual(words(all), ['Decision', 'Decision', 'Decision', 'Decision', 'Decision']);
  assert.equal(all[0]!.start, at);
  assert.equal(referencesAt(model, at, false).length, 4);
  assert.deepEqual(referencesAt(model, offsetOf(text, 'broadcast', 2), true), []);
});

test('references of a state stay within its role; highlights mark the declaration as a write', () => {
  const coordinatorPhase = referencesAt(model, offsetOf(text, 'state phase', 6), true);
  const participantPhase = referencesAt(model, offsetOf(text, 'stable state phase', 13), true);
  const overlap = coordinatorPhase.filter((a) => participantPhase.some((b) => b.start === a.start));
  assert.deepEqual(overlap, []);
  assert.ok(coordinatorPhase.length >= 6);
  const highlights = highlightsAt(model, offsetOf(text, 'state yes', 6));
  assert.deepEqual(highlights.map((h) => h.write), [true, false, false]);
});

test('rename a role, a message, a state, a param, a field and a timer everywhere', () => {
  const cases: [string, number, string, string][] = [
    ['node Participant', 6, 'Cohort', 'node Cohort[N]'],
    ['message Vote ', 9, 'Ballot', 'send Ballot(true) to c'],
    ['state yes', 6, 'ayes', 'if |ayes| == N'],
    ['param N', 6, 'Size', 'node Participant[Size]'],
    ['Vote { commit', 7, 'ok', 'message Vote { ok: bool }'],
    ['timer t', 6, 'votes', 'on timeout votes when'],
  ];
  for (const [where, delta, newName, expected] of cases) {
    const result = renameAt(analysis, text, offsetOf(text, where, delta), newName);
    assert.ok('edits' in result, `rename at ${where}: ${'error' in result ? result.error : ''}`);
    const renamed = applyEdits(text, result.edits);
    assert.ok(renamed.includes(expected), `rename at ${where} to ${newName}`);
    const errors = analyzeText(renamed).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `rename at ${where} broke the file`);
  }
});

test('rename refuses keywords, invalid names, taken names and non-names, with a reason', () => {
  const at = offsetOf(text, 'node Participant', 5);
  const refusal = (offset: number, name: string): string => {
    const result = renameAt(analysis, text, offset, name);
    assert.ok('error' in result, `renaming to ${name} should fail`);
    return result.error;
  };
  assert.match(refusal(at, 'node'), /'node' is a keyword/);
  assert.match(refusal(at, '3rd'), /not a valid name/);
  assert.match(refusal(at, 'Coordinator'), /a node role named 'Coordinator' already exists/);
  assert.match(refusal(offsetOf(text, 'state yes', 6), 'phase'), /Coordinator already has a state named 'phase'/);
  assert.match(refusal(offsetOf(text, 'broadcast', 2), 'x'), /'broadcast' is a keyword/);
  assert.match(refusal(offsetOf(text, '== COMMIT', 4), 'DONE'), /enum label/);
  const prepared = prepareRename(model, text, offsetOf(text, 'broadcast', 2));
  assert.ok('error' in prepared);
  const ok = prepareRename(model, text, at);
  assert.deepEqual(ok, { span: { start: at, end: at + 'Participant'.length }, placeholder: 'Participant' });
});

test('renaming a local to a name that would change what another name means is refused', () => {
  // `c` becoming `p` would make the handler declare `p` twice.
  const result = renameAt(analysis, text, offsetOf(text, 'Vote(c)', 5), 'p');
  assert.ok('error' in result);
  assert.match(result.error, /would break the file/);
});

test('every declared name of every sample round-trips through rename without new errors', () => {
  for (const name of sampleNames()) {
    const sample = sampleText(name);
    const sampleAnalysis = analyzeText(sample);
    for (const d of sampleAnalysis.model.definitions.filter((x) => x.kind !== 'local').slice(0, 12)) {
      const result = renameAt(sampleAnalysis, sample, d.nameSpan.start, `${d.name}Renamed`);
      assert.ok('edits' in result, `${name}: ${d.kind} ${d.name}: ${'error' in result ? result.error : ''}`);
      const after = analyzeText(applyEdits(sample, result.edits));
      assert.deepEqual(after.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), [], `${name}: renaming ${d.kind} ${d.name}`);
    }
  }
});
