import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { quickFixes, type QuickFix } from '../../language/queries/code-actions.js';
import { applyEdits } from '../../language/queries/rename.js';
import { byzantineGenerals, twoPhaseCommit } from '../support/query-fixtures.js';

/** The fixes for the diagnostics of `code` in a text, applied one at a time. */
function fixesFor(text: string, code: string): { fix: QuickFix; result: string }[] {
  const analysis = analyzeText(text);
  const diagnostics = analysis.diagnostics.filter((d) => d.code === code);
  assert.ok(diagnostics.length > 0, `no ${code} in the text: ${analysis.diagnostics.map((d) => d.code).join(', ')}`);
  return quickFixes(analysis, text, diagnostics).map((fix) => ({ fix, result: applyEdits(text, fix.edits) }));
}

function codes(text: string): string[] {
  return analyzeText(text).diagnostics.map((d) => d.code);
}

test('FTP202: declare a missing message, with fields inferred from the send', () => {
  const text = twoPhaseCommit.replace('send Vote(true) to c', 'send Ack(true, c) to c');
  const fixes = fixesFor(text, 'FTP202');
  const declare = fixes.find((f) => f.fix.title === "Declare message 'Ack'");
  assert.ok(declare);
  assert.match(declare.result, /message Decision \{ commit: bool \}\nmessage Ack \{ field1: bool, field2: Coordinator \}/);
  assert.ok(!codes(declare.result).includes('FTP202'));
});

test('a "did you mean" in a message becomes a quick fix', () => {
  const text = twoPhaseCommit.replace('send Vote(true) to c', 'send Voet(true) to c');
  const fixes = fixesFor(text, 'FTP202');
  const change = fixes.find((f) => f.fix.title === "Change to 'Vote'");
  assert.ok(change, fixes.map((f) => f.fix.title).join('; '));
  assert.equal(change.fix.preferred, true);
  assert.equal(change.result, twoPhaseCommit);
});

test('FTP301: add the missing handler to the receiving role', () => {
  const text = twoPhaseCommit.replace('  on Decision(c) { if c { phase = COMMIT } else { phase = ABORT } }\n', '');
  const fixes = fixesFor(text, 'FTP301');
  assert.equal(fixes[0]!.fix.title, 'Add a handler for Decision to Participant');
  assert.match(fixes[0]!.result, /send Vote\(false\) to c \}\n  \}\n  on Decision\(commit\) \{\n  \}\n\}/);
  assert.ok(!codes(fixes[0]!.result).includes('FTP301'));
});

test('FTP305: raise the node count to 3f+1, in the param or in the run', () => {
  const fixes = fixesFor(byzantineGenerals, 'FTP305');
  assert.deepEqual(fixes.map((f) => f.fix.title), ['Raise N to 4 (3f+1)', 'Run with N = 4 here (3f+1)']);
  assert.match(fixes[0]!.result, /param N = 4\n/);
  assert.match(fixes[1]!.result, /check explore \{ with N = 4; byzantine up to f of General/);
  for (const { result } of fixes) assert.ok(!codes(result).includes('FTP305'), result);
});

test('FTP303: raise a literal replica count to k+1; an existing override is edited in place', () => {
  const text = `protocol P
message Ping
node Server[2] { on Ping { } }
node Client { on start { broadcast Ping to Server } }
check explore { crash up to 2 of Server }
`;
  const fixes = fixesFor(text, 'FTP303');
  assert.equal(fixes[0]!.fix.title, 'Raise Server to 3 nodes (k+1)');
  assert.match(fixes[0]!.result, /node Server\[3\]/);
  assert.ok(!codes(fixes[0]!.result).includes('FTP303'));

  const withOverride = byzantineGenerals.replace('check explore {', 'check explore { with N = 2;');
  const fix = fixesFor(withOverride, 'FTP305')[0]!;
  assert.equal(fix.fix.title, 'Raise N to 4 in this run (3f+1)');
  assert.match(fix.result, /with N = 4;/);
});

test('the arithmetic is read from the message when a diagnostic carries no data', () => {
  const analysis = analyzeText(byzantineGenerals);
  const bare = analysis.diagnostics.filter((d) => d.code === 'FTP305').map(({ code, message, span }) => ({ code, message, span }));
  const fixes = quickFixes(analysis, byzantineGenerals, bare);
  assert.equal(fixes[0]?.title, 'Raise N to 4 (3f+1)');
});
