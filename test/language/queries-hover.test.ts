import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { hoverAt } from '../../language/queries/hover.js';
import { cursorIn, offsetOf } from '../support/cursor.js';
import { byzantineGenerals, twoPhaseCommit } from '../support/query-fixtures.js';
import { sampleNames, sampleText } from '../support/samples.js';

function hover(text: string, offset: number): string {
  return hoverAt(analyzeText(text), text, offset)?.markdown ?? '';
}

test('hover on a role shows its states with types and stable flags, and its handlers', () => {
  const text = twoPhaseCommit;
  const md = hover(text, offsetOf(text, 'node Participant', 6));
  assert.match(md, /\*\*node\*\* `Participant\[N\]`: N = 3 nodes/);
  assert.match(md, /stable state phase: INIT \| READY \| COMMIT \| ABORT = INIT/);
  assert.match(md, /`on VoteRequest from c`/);
  assert.match(md, /`on Decision\(c\)`/);
  assert.match(md, /Sends: `Vote`/);
});

test('hover on a role used in an expression shows the same as on its declaration', () => {
  const text = twoPhaseCommit;
  const atUse = hover(text, offsetOf(text, 'to Participant', 4));
  const atDecl = hover(text, offsetOf(text, 'node Participant', 6));
  assert.equal(atUse, atDecl);
});

test('hover on a message shows its fields, who sends it and who handles it', () => {
  const text = twoPhaseCommit;
  const md = hover(text, offsetOf(text, 'send Vote', 6));
  assert.match(md, /`Vote \{ commit: bool \}`/);
  assert.match(md, /Sent by: `Participant`/);
  assert.match(md, /Coordinator `on Vote\(c\) from p`/);
});

test('hover on a param spells out the resilience arithmetic it takes part in', () => {
  const text = byzantineGenerals;
  const n = hover(text, offsetOf(text, 'param N', 6));
  assert.match(n, /`N = 3`/);
  assert.match(n, /Byzantine agreement with f = 1 needs 3f\+1 = 4 nodes; General has N = 3 nodes ✗/);
  const f = hover(text, offsetOf(text, 'f of General'));
  assert.match(f, /`f = 1`/);
  assert.match(f, /needs 3f\+1 = 4/);
});

test('hover on a quorum shows the intersection arithmetic', () => {
  const { text, offset } = cursorIn(`protocol Q
param N = 3
quorum read Qr = 1 of Replica
quorum write $0Qw = 2 of Replica
message Put
node Replica[N] { state x: bool = false; on Put { x = Qr < Qw } }
node Client { on start { broadcast Put to Replica } }
`);
  const md = hover(text, offset);
  assert.match(md, /Qr \+ Qw = 1 \+ 2 = 3 <= N = 3: a read and a write quorum of Replica need not intersect ✗/);
  assert.match(md, /2·Qw = 4 > N = 3: two write quorums of Replica always intersect ✓/);
});

test('hover on a state tells whether it survives a crash and which handlers write it', () => {
  const text = twoPhaseCommit;
  const coordinator = hover(text, offsetOf(text, 'state phase', 6));
  assert.match(coordinator, /Volatile: lost on a crash/);
  assert.match(coordinator, /Written by: `on start`, `on Vote\(c\) from p`, `on timeout t`/);
  const participant = hover(text, offsetOf(text, 'stable state phase', 13));
  assert.match(participant, /Stable: on disk, it survives a crash/);
});

test('hover on a field, a timer, a label, a property, a local and a keyword', () => {
  const text = twoPhaseCommit;
  assert.match(hover(text, offsetOf(text, 'commit: bool', 1)), /\*\*field\*\* of message `Vote`/);
  assert.match(hover(text, offsetOf(text, 'timer t', 6)), /Set by:\n- `set timer t after 5` in `on start`[^]*Fires: `on timeout t when phase == WAIT`/);
  assert.match(hover(text, offsetOf(text, '== COMMIT', 4)), /\*\*label\*\* `COMMIT`: a value of `Coordinator.phase`, `Participant.phase`/);
  assert.match(hover(text, offsetOf(text, 'expect Atomicity', 8)), /\*\*invariant\*\* `Atomicity`[^]*`CoordinatorCrashAfterVotes`: expected to hold/);
  assert.match(hover(text, offsetOf(text, 'if c {', 3)), /\*\*local\*\* `c: bool`/);
  assert.match(hover(text, offsetOf(text, 'broadcast', 2)), /sends to every node of the set/);
  assert.match(hover(text, offsetOf(text, 'stable', 1)), /survives a crash/);
});

test('no keyword hover inside a block comment', () => {
  const { text, offset } = cursorIn('/* the coordinator\n   will se$0nd a request */\nprotocol P\n');
  assert.equal(hover(text, offset), '');
});

test('hover never throws and finds something to say in every sample', () => {
  for (const name of sampleNames()) {
    const text = sampleText(name);
    const analysis = analyzeText(text);
    let said = 0;
    for (let offset = 0; offset <= text.length; offset += 7) if (hoverAt(analysis, text, offset) !== null) said++;
    assert.ok(said > 0, `${name}: no hover anywhere`);
  }
});
