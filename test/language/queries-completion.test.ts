import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { completionsAt } from '../../language/queries/completion.js';
import { cursorIn } from '../support/cursor.js';
import { twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleNames, sampleText } from '../support/samples.js';

/** Labels offered where `$0` is, after inserting `insert` (which holds the `$0`) right after `anchor` in the 2PC fixture. */
function labelsAt(anchor: string, insert: string, base = twoPhaseCommit): string[] {
  const at = base.indexOf(anchor);
  assert.ok(at >= 0, `anchor ${anchor} not found`);
  const { text, offset } = cursorIn(base.slice(0, at + anchor.length) + insert + base.slice(at + anchor.length));
  return completionsAt(analyzeText(text), text, offset).items.map((i) => i.label);
}

function includesAll(labels: string[], expected: string[]): void {
  for (const e of expected) assert.ok(labels.includes(e), `missing ${e} in [${labels.join(', ')}]`);
}

function excludesAll(labels: string[], unexpected: string[]): void {
  for (const e of unexpected) assert.ok(!labels.includes(e), `unexpected ${e} in [${labels.join(', ')}]`);
}

test('at declaration level: declaration keywords', () => {
  const labels = labelsAt('param N = 3', '\n$0\n');
  includesAll(labels, ['message', 'node', 'invariant', 'eventually', 'scenario', 'check', 'network', 'quorum']);
  excludesAll(labels, ['send', 'VoteRequest']);
});

test('after send and broadcast: the messages of the protocol', () => {
  assert.deepEqual(labelsAt('on start {', ' send $0'), ['VoteRequest', 'Vote', 'Decision']);
  assert.deepEqual(labelsAt('on start {', ' broadcast Vo$0'), ['VoteRequest', 'Vote', 'Decision']);
});

test('after to: roles, bound names and node-valued states', () => {
  const labels = labelsAt('on Vote(c) from p when phase == WAIT {', ' send Decision(true) to $0\n');
  includesAll(labels, ['Participant', 'Coordinator', 'p', 'c', 'self']);
  excludesAll(labels, ['VoteRequest', 'INIT']);
});

test('after p.: the states of p\'s role and the built-in fields', () => {
  const labels = labelsAt('exists q in Participant: q.', '$0');
  assert.deepEqual(labels, ['phase', 'decided', 'decision', 'delivered']);
  const inHandler = labelsAt('on Vote(c) from p when phase == WAIT {', '\n    let z = Participant[1].ph$0\n');
  includesAll(inHandler, ['phase']);
  excludesAll(inHandler, ['yes']);
});

test('inside a handler: statement keywords, states, locals; in expressions also params and labels', () => {
  const atStatement = labelsAt('on Vote(c) from p when phase == WAIT {', '\n    $0\n');
  includesAll(atStatement, ['if', 'send', 'broadcast', 'set timer', 'choose', 'let', 'phase', 'yes', 'c', 'p']);
  const inExpression = labelsAt('on Vote(c) from p when phase == WAIT {', '\n    if $0\n');
  includesAll(inExpression, ['phase', 'yes', 'c', 'p', 'N', 'COMMIT', 'WAIT', 'Participant', 'forall', 'crashed']);
});

test('after on: messages, start, recover, timeout; after timeout: the role\'s timers', () => {
  const afterOn = labelsAt('node Participant[N] {', '\n  on $0\n');
  includesAll(afterOn, ['start', 'recover', 'timeout', 'VoteRequest', 'Vote', 'Decision']);
  assert.deepEqual(labelsAt('node Coordinator {', '\n  on timeout $0\n'), ['t']);
  assert.deepEqual(labelsAt('on start {', ' cancel timer $0;'), ['t']);
});

test('in a node body: member keywords; after a state colon: types', () => {
  includesAll(labelsAt('node Participant[N] {', '\n  $0\n'), ['state', 'stable state', 'on']);
  includesAll(labelsAt('node Participant[N] {', '\n  state x: $0\n'), ['bool', 'int', 'set', 'map', 'seq', 'Participant']);
});

test('in scenarios and checks: settings, properties after expect, outcomes, roles and messages after of', () => {
  includesAll(labelsAt('check explore {', '\n  $0\n'), ['crash', 'drop', 'byzantine', 'expect', 'depth', 'with']);
  assert.deepEqual(labelsAt('expect Atomicity holds', '\n  expect $0\n'), ['Atomicity', 'Termination']);
  assert.deepEqual(labelsAt('expect Atomicity holds', '\n  expect Termination $0\n'), ['holds', 'violated']);
  assert.deepEqual(labelsAt('check explore {', ' crash up to 1 of $0;'), ['Coordinator', 'Participant']);
  assert.deepEqual(labelsAt('check explore {', ' drop up to 1 of $0;'), ['VoteRequest', 'Vote', 'Decision']);
});

test('in constants: only the params declared before; after a trigger: only when', () => {
  assert.deepEqual(labelsAt('param N = 3', '\nparam f = $0\n'), ['N']);
  assert.deepEqual(labelsAt('node Participant[', '$0'), ['N']);
  assert.deepEqual(labelsAt('node Coordinator {', '\n  on Vote(c) from p $0\n'), ['when']);
});

test('the replaced span is the word being typed', () => {
  const { text, offset } = cursorIn(twoPhaseCommit.replace('on start {', 'on start { send Vo$0te'));
  const list = completionsAt(analyzeText(text), text, offset);
  assert.equal(text.slice(list.replace.start, list.replace.end), 'Vote');
});

test('no completion inside a comment; never a throw anywhere in a sample', () => {
  const { text, offset } = cursorIn(`// a comment $0\n${twoPhaseCommit}`);
  assert.deepEqual(completionsAt(analyzeText(text), text, offset).items, []);
  for (const name of sampleNames()) {
    const sample = sampleText(name);
    const analysis = analyzeText(sample);
    for (let at = 0; at <= sample.length; at += 97) completionsAt(analysis, sample, at);
  }
});
