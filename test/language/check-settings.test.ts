import { test } from 'node:test';
import { expectDiagnostics } from '../support/markers.js';

// Constants (params, counts, ranges, quorums), checks and scenarios, the network.

test('param values are constants over earlier params (FTP210)', () => {
  expectDiagnostics(`
protocol P
param f = 1
param N = 3 * f + 1
param Q = R + 1
//        ^ FTP210 param 'R' is declared later
param R = 2
param S = S
//        ^ FTP210 cannot be defined in terms of itself
param T = |A|
//        ^^^ FTP210 the value of param 'T' must be a constant whole number (numbers, params and + - * / %); |A| is not
param U = phase
//        ^^^^^ FTP210 'phase' is node state
param V = true
//        ^^^^ FTP210 true is not
param W = N / (f - 1)
//        ^^^^^^^^^^^ FTP210 divides by zero
node A[N] { state phase: bool = false
  on start { phase = Q + R + S + T + U + V + W > 0 } }
`);
});

test('node counts are constants of at least 1; ranges are constant and not empty', () => {
  expectDiagnostics(`
protocol P
param N = 0
quorum read Q = 1 of B
node A[N] { }
//     ^ FTP210 the node count of A must be at least 1, but N = 0
node B[cnt] { }
//     ^^^ FTP201 unknown name 'cnt'
node C[Q] { }
//     ^ FTP210 the node count of C may only use params, not the quorum 'Q'
node D {
  state x: 3..1 = 3
//         ^^^^ FTP208 the range 3..1 is empty: 3 > 1
  state y: 0..k = 0
//            ^ FTP201 unknown name 'k'
  state z: 0..Q = 0
  on start { x = 2; y = 0; z = 0 }
}
`, { ignore: ['FTP306'] });
});

test('quorum sizes are constants that a role can meet', () => {
  expectDiagnostics(`
protocol P
param N = 3
node R[N] { }
quorum write W = N + 1 of R
//               ^^^^^ FTP208 quorum 'W' of 4 can never be met: R has only 3 nodes
quorum read Rd = x of R
//               ^ FTP201 unknown name 'x'
`, { ignore: ['FTP306'] });
});

test("'with' overrides params only (FTP210), once each (FTP213), and keeps counts >= 1", () => {
  expectDiagnostics(`
protocol P
param N = 3
node A[N] { }
invariant I: true
check explore { with N = 4, M = 2 }
//                          ^ FTP210 'with' overrides params, and there is no param 'M'
check simulate { with I = 1 }
//                    ^ FTP210 'with' overrides params, but 'I' is a property
check explore { with N = 2, N = 5 }
//                          ^^^^^ FTP213 'with N' is given twice
scenario S { with N = 0 }
//                ^^^^^ FTP210 with these overrides A has 0 nodes
`);
});

test('bounds belong to their mode and are given once (FTP213)', () => {
  expectDiagnostics(`
protocol P
node A { }
check explore { depth 10; states 1000; runs 5 }
//                                     ^^^^^^ FTP213 'runs' only applies to simulate checks, not to this explore check
check Sim simulate { runs 10; steps 20; seed 3; depth 4; runs 11 }
//                                              ^^^^^^^ FTP213 'depth' only applies to explore checks and scenarios, not to check Sim
//                                                       ^^^^^^^ FTP213 'runs' is given twice in check Sim
scenario S { depth 3; seed 1 }
//                    ^^^^^^ FTP213 'seed' only applies to simulate checks, not to scenario S
`);
});

test('budgets: unknown roles and messages, duplicates, negative limits, delay on async', () => {
  expectDiagnostics(`
protocol P
message Ping
node A { on start { send Ping to A } on Ping { } }
check explore {
  crash up to 1 of A
  crash up to 1 of A
//^^^^^^^^^^^^^^^^^^ FTP213 this budget is given twice
  drop up to -1 of Ping
//           ^^ FTP210 a fault budget must be at least 0, but -1
  delay up to 1
//^^^^^^^^^^^^^ FTP213 (warning) 'delay' only matters in a sync network
  duplicate up to 1 of Pong
//                     ^^^^ FTP202 unknown message 'Pong'
}
`);
});

test('expectations are given once per property', () => {
  expectDiagnostics(`
protocol P
node A { }
invariant Safe: true
scenario S { expect Safe holds; expect Safe violated }
//                              ^^^^^^^^^^^^^^^^^^^^ FTP213 an expectation for Safe is given twice
`);
});

test('scripted faults name exactly one node (FTP213)', () => {
  expectDiagnostics(`
protocol P
param N = 3
message Vote
node Coordinator { state phase: INIT | WAIT = INIT
  on start { phase = WAIT } on Vote { } }
node Participant[N] { on start { send Vote to Coordinator } }
scenario S {
  crash Coordinator after receive Vote from Participant[3]
  crash Participant[2] at step 3
  crash Participant at step 1
//      ^^^^^^^^^^^ FTP213 a scripted fault needs one node, but Participant has N = 3 nodes; name one, like Participant[1]
  crash Participant[4] at step 2
//                  ^ FTP213 (warning) Participant[4] is out of range: Participant has N = 3 nodes
  crash Participant[0] at step 2
//                  ^ FTP213 (error) node numbers start at 1
  crash Coordinator when Coordinator.phase == WAIT
  recover Coordinator at step 10
  drop Vote from Participant[1] to Coordinator
  partition {Coordinator} | {Participant} from step 3 to step 8
  partition {Coordinator} | {Participant[1], Participant[2]} from step 5 to step 4
//                                                                               ^ FTP213 the partition heals at step 4, before it starts at step 5
  crash Coordinator after send Vot
//                             ^^^ FTP202 unknown message 'Vot'
  crash 3 at step 1
//      ^ FTP213 a scripted fault needs one node, like Coordinator or Participant[2], not int
  crash Coordinator when phase == WAIT
//                       ^^^^^ FTP215 state of which node?
}
`);
});

test('nondeterministic values need finite types (FTP214): any, map keys, Byzantine fields', () => {
  expectDiagnostics(`
protocol P
message Order { value: 0..1, round: int }
message Note { text: seq<bool> }
node General[4] {
  state v: 0..1 = any
  state n: int = any
//               ^^^ FTP214 'any' needs a type with finitely many values to choose from; int has no range
  state log: seq<bool> = any
//                       ^^^ FTP214 seq<bool> can grow without bound
  state m: map<int, bool>
//             ^^^ FTP214 a map is total, so its keys must have finitely many values
  on start { broadcast Order(v, 0) to General; n = 0; log += true; m[1] = true }
  on Order(a, r) { }
}
node Scribe { on start { send Note([]) to Scribe } on Note(t) { } }
check explore { byzantine up to 1 of General }
//              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP214 a Byzantine General may put any value in Order.round, but int has no range; give the field a finite type, like a range 0..3
scenario S { byzantine Scribe }
//           ^^^^^^^^^^^^^^^^ FTP214 a Byzantine Scribe may put any value in Note.text, but seq<bool> can grow without bound; give the field a finite type
`);
});

test('the network: declared twice, sync without a positive bound (FTP216)', () => {
  expectDiagnostics(`
protocol P
network sync(0) fifo reliable
//           ^ FTP216 a sync network needs a delivery bound of at least 1 tick, not 0
network async unordered lossy
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ FTP216 the network is declared twice
node A { }
`);
});
