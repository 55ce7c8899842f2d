import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeText } from '../../language/analyze.js';
import { expectDiagnostics } from '../support/markers.js';

// Resilience lints (warnings, FTP301-FTP308); each message shows its arithmetic.

test('FTP301: a message sent to a role with no handler for it', () => {
  expectDiagnostics(`
protocol P
message Ping
message Pong
message Hello
node Client {
  on start { send Ping to Server; broadcast Hello to Replica }
//                                          ^^^^^ FTP301 Replica has no handler for Hello, so the message broadcast here is never received
  on Pong { }
}
node Server {
  on Ping from c { send Pong to c; send Hello to c }
//                                      ^^^^^ FTP301 Client has no handler for Hello, so the message sent here is never received
}
node Replica[2] {
  on Ping { }
}
`, { ignore: ['FTP302'] });
});

test('FTP301 stays quiet when the receiving role is not known statically', () => {
  expectDiagnostics(`
protocol P
message Ping
node A { state peer: node = B
  on start { send Ping to peer } on Ping { } }
node B { }
`);
});

test('FTP302: handlers for messages nobody sends, or that the named role never sends', () => {
  expectDiagnostics(`
protocol P
message Ping
message Lost
node A {
  on start { send Ping to B }
  on Ping { }
//   ^^^^ FTP302 Ping is only sent to B, so this handler in A never runs
}
node B {
  on Ping from A { }
  on Ping from C { }
//             ^ FTP302 C never sends Ping (only A does), so this handler never runs
  on Lost { }
//   ^^^^ FTP302 no node ever sends Lost
}
node C { }
`, { ignore: ['FTP301'] });
});

test('FTP302 is not reported when sends are found; a timeout without a timer is FTP205 only', () => {
  expectDiagnostics(`
protocol P
node A {
  on timeout t { }
//           ^ FTP205 A never sets timer 't'
}
`);
});

test('FTP303: crash budgets on every replica of a role, under the block overrides', () => {
  expectDiagnostics(`
protocol P
param N = 3
node Replica[N] { }
node Coordinator { }
check explore { crash up to 2 of Replica }
check explore { with N = 2; crash up to 2 of Replica }
//                          ^^^^^^^^^^^^^^^^^^^^^^^^ FTP303 tolerating 2 crashes needs 3 replicas; Replica has N = 2 nodes, needs 3
check explore { crash up to 1 of Coordinator }
scenario S { crash up to 3 of Replica and recover }
//           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP303 tolerating 3 crashes needs 4 replicas; Replica has N = 3 nodes, needs 4
`);
});

test('FTP305: Byzantine agreement among the nodes of one role needs 3f+1', () => {
  expectDiagnostics(`
protocol P
param N = 3
param f = 1
message Order { v: 0..1 }
node General[N] {
  on start { broadcast Order(0) to General }
  on Order(v) { }
}
check explore { byzantine up to f of General }
//              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP305 Byzantine agreement with f = 1 needs 3f+1 = 4 nodes; General has N = 3 nodes
check explore { with N = 4; byzantine up to f of General }
`);
});

test('FTP304: replicas answering another role mask f liars by voting with 2f+1', () => {
  expectDiagnostics(`
protocol P
message Read
message Value { v: 0..1 }
node Client { on start { broadcast Read to Replica } on Value(v) { } }
node Replica[2] { on Read from c { send Value(1) to c } }
check explore { byzantine up to 1 of Replica }
//              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP304 masking f = 1 Byzantine replicas by voting needs 2f+1 = 3 nodes; Replica has 2 nodes
`);
});

test('FTP306: read/write and write/write quorums that need not intersect', () => {
  expectDiagnostics(`
protocol P
param N = 3
node Replica[N] { }
quorum read Qr = 1 of Replica
//          ^^ FTP306 Qr + Qw = 1 + 2 = 3 <= N = 3: a read quorum and a write quorum of Replica need not intersect, so a read may miss the last write
quorum write Qw = 2 of Replica
quorum read Qbig = 2 of Replica
quorum write Qsmall = 1 of Replica
//           ^^^^^^ FTP306 2·Qsmall = 2·1 = 2 <= N = 3: two write quorums of Replica need not intersect
`, { ignore: ['FTP306'] });
  const { diagnostics } = analyzeText(`
protocol P
param N = 3
node Replica[N] { }
quorum read Qr = 2 of Replica
quorum write Qw = 2 of Replica
`);
  assert.deepEqual(diagnostics, [], 'majority quorums intersect');
});

test('FTP306 lists every failing pair', () => {
  const { diagnostics } = analyzeText(`
protocol P
node Replica[4] { }
quorum read Qr = 1 of Replica
quorum write Qw = 2 of Replica
`);
  assert.deepEqual(
    diagnostics.map((d) => `${d.code} ${d.message.split(':')[0]}`),
    ['FTP306 Qr + Qw = 1 + 2 = 3 <= N = 4', 'FTP306 2·Qw = 2·2 = 4 <= N = 4'],
  );
});

test('FTP307: under f Byzantine nodes quorums must intersect in f+1 nodes', () => {
  expectDiagnostics(`
protocol P
param N = 4
param f = 1
message Write { v: 0..1 }
node Client { on start { broadcast Write(1) to Replica } }
node Replica[N] { on Write(v) { } }
quorum read Qr = 3 of Replica
quorum write Qw = 3 of Replica
check explore { byzantine up to f of Replica }
check explore { with N = 5; byzantine up to f of Replica }
//                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP307 with f = 1 Byzantine Replica, Qr + Qw - N = 3 + 3 - 5 = 1 < f+1 = 2: a read and a write may overlap only in Byzantine nodes
//                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP307 2·Qw - N = 2·3 - 5 = 1 < f+1 = 2: two writes may overlap only in Byzantine nodes
`);
});

test('FTP308: params, messages and states never used; any use counts', () => {
  expectDiagnostics(`
protocol P
param N = 2
param unused = 1
//    ^^^^^^ FTP308 param 'unused' is declared but never used
message Ping
message Spare
//      ^^^^^ FTP308 message 'Spare' is declared but never used
node A[N] {
  stable state log: seq<0..1> = []
  state written: bool = false
  state idle: bool = false
//      ^^^^ FTP308 state 'idle' of A is declared but never used
  on start { written = true; broadcast Ping to A }
  on Ping { }
}
invariant Log: forall p in A: |p.log| <= 2
`);
});

test('FTP308 stays quiet while the file has errors', () => {
  expectDiagnostics(`
protocol P
param N = 2
node A { state x: bool = false
  on start { y = true } }
//           ^ FTP201 unknown state 'y'
`);
});

test('FTP305 without a role counts every node; signed relays lift the bound', () => {
  const generals = (signed: string) => `
protocol P
param N = 3
message Command { ${signed}order: 0..1 }
message Relay { ${signed}order: 0..1 }
node Commander { state o: 0..1 = any
  on start { broadcast Command(o) to Lieutenant } }
node Lieutenant[N - 1] {
  on Command(o) from Commander { broadcast Relay(o) to Lieutenant }
  on Relay(o) { decide o }
}
check explore { byzantine up to 1 }
//              ^^^^^^^^^^^^^^^^^ FTP305 Byzantine agreement with f = 1 needs 3f+1 = 4 nodes; there are 3 (Commander 1 + Lieutenant N - 1 = 2)
check explore { with N = 4; byzantine up to 1 }
`;
  expectDiagnostics(generals(''));
  const { diagnostics } = analyzeText(generals('signed ').replace(/^\/\/.*$/m, ''));
  assert.deepEqual(diagnostics, [], 'signed messages: 3 generals are enough');
});

test('lint diagnostics carry the facts quick fixes need in data', () => {
  const { diagnostics } = analyzeText(`
protocol P
param N = 2
message Ping
message Relay { v: 0..1 }
node A[N] { on start { send Ping to B; broadcast Relay(0) to A; send Pnig to B } on Relay(v) { } }
node B { }
check explore { crash up to 2 of A; byzantine up to 1 of A }
check explore { byzantine up to 1 }
`);
  const facts = diagnostics.filter((d) => d.data !== undefined).map((d) => `${d.code} ${JSON.stringify(d.data)}`);
  assert.deepEqual(facts, [
    'FTP301 {"role":"B","message":"Ping"}',
    'FTP202 {"message":"Pnig"}',
    'FTP303 {"role":"A","needed":3}',
    'FTP305 {"role":"A","needed":4}',
    'FTP305 {"role":"A","needed":3}',
  ]);
});
