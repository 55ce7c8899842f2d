import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { codeLenses } from '../../language/queries/code-lens.js';
import { foldingRanges } from '../../language/queries/folding.js';
import { semanticTokens } from '../../language/queries/semantic-tokens.js';
import { documentSymbols, type OutlineSymbol } from '../../language/queries/symbols.js';
import { LineIndex } from '../../language/span.js';
import { offsetOf } from '../support/cursor.js';
import { twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleNames, sampleText } from '../support/samples.js';

const text = twoPhaseCommit;
const analysis = analyzeText(text);

test('document symbols: declarations in order, roles holding their states and handlers, messages their fields', () => {
  const symbols = documentSymbols(analysis.file, text);
  assert.deepEqual(
    symbols.map((s) => `${s.kind} ${s.name}`),
    ['protocol TwoPhaseCommit', 'param N', 'message VoteRequest', 'message Vote', 'message Decision', 'role Coordinator', 'role Participant', 'invariant Atomicity', 'eventually Termination', 'scenario CoordinatorCrashAfterVotes', 'check check explore'],
  );
  const coordinator = symbols.find((s) => s.name === 'Coordinator')!;
  assert.deepEqual(coordinator.children.map((c) => `${c.kind} ${c.name}`), ['state phase', 'state yes', 'handler on start', 'handler on Vote(c) from p', 'handler on timeout t']);
  assert.equal(coordinator.children[4]!.detail, 'when phase == WAIT');
  const participant = symbols.find((s) => s.name === 'Participant')!;
  assert.equal(participant.detail, '[N]');
  assert.equal(participant.children[0]!.detail, 'stable INIT | READY | COMMIT | ABORT');
  assert.deepEqual(symbols.find((s) => s.name === 'Vote')!.children.map((c) => `${c.name}: ${c.detail}`), ['commit: bool']);
});

test('every outline entry of every sample has its selection inside its range', () => {
  const check = (list: OutlineSymbol[], name: string): void => {
    for (const s of list) {
      assert.ok(s.selection.start >= s.span.start && s.selection.end <= s.span.end, `${name}: ${s.name}`);
      check(s.children, name);
    }
  };
  for (const name of sampleNames()) {
    const sample = sampleText(name);
    check(documentSymbols(analyzeText(sample).file, sample), name);
  }
});

test('folding: multi-line declarations, handlers and blocks, and comment runs; the closing brace stays visible', () => {
  const source = `// one\n// two\nprotocol P\n${text.slice(text.indexOf('param'))}`;
  const ranges = foldingRanges(analyzeText(source).file, source);
  assert.deepEqual(ranges[0], { startLine: 0, endLine: 1, kind: 'comment' });
  const lines = new LineIndex(source);
  const nodeLine = lines.positionAt(offsetOf(source, 'node Coordinator')).line;
  const node = ranges.find((r) => r.startLine === nodeLine && r.kind === 'region');
  assert.ok(node, 'the node body folds');
  const closing = lines.positionAt(offsetOf(source, '\n}\n', 1)).line;
  assert.equal(node.endLine, closing - 1);
  for (const r of ranges) assert.ok(r.endLine > r.startLine);
});

test('semantic tokens classify names by what they denote', () => {
  const tokens = semanticTokens(analysis, text);
  const at = (needle: string, delta = 0): string => {
    const offset = offsetOf(text, needle, delta);
    const token = tokens.find((t) => t.start === offset);
    return token ? `${token.type}${token.modifiers.length ? `+${token.modifiers.join('+')}` : ''}` : 'none';
  };
  assert.equal(at('protocol'), 'keyword');
  assert.equal(at('TwoPhaseCommit'), 'namespace+declaration');
  assert.equal(at('param N', 6), 'variable+declaration+readonly');
  assert.equal(at('message Vote {', 8), 'struct+declaration');
  assert.equal(at('send Vote', 5), 'struct');
  assert.equal(at('node Participant', 5), 'class+declaration');
  assert.equal(at('stable state phase', 13), 'property+declaration+stable');
  assert.equal(at('= INIT', 2), 'enumMember');
  assert.equal(at('timer t', 6), 'event+declaration');
  assert.equal(at('after 5', 6), 'number');
  assert.equal(at('== WAIT', 0), 'operator');
  const sorted = [...tokens].sort((a, b) => a.start - b.start);
  assert.deepEqual(tokens, sorted);
});

test('code lenses: Run, Explore and Show timeline above every scenario and check', () => {
  const lenses = codeLenses(analysis.file);
  assert.deepEqual(
    lenses.map((l) => `${l.title} ${l.action} ${l.run}`),
    [
      '▶ Run run CoordinatorCrashAfterVotes',
      'Explore explore CoordinatorCrashAfterVotes',
      'Show timeline timeline CoordinatorCrashAfterVotes',
      '▶ Run run check explore',
      'Explore explore check explore',
      'Show timeline timeline check explore',
    ],
  );
  assert.equal(lenses[0]!.span.start, offsetOf(text, 'scenario '));
  assert.equal(lenses[3]!.runStart, offsetOf(text, 'check explore'));
});
