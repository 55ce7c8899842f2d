import { test } from 'node:test';
import { expectDiagnostics } from '../support/markers.js';

// Names and scopes: unknown names of every kind, duplicates, and which name wins.

const twoPhaseCommit = `
protocol TwoPhaseCommit
param N = 3

message VoteRequest
message Vote { commit: bool }
message Decision { commit: bool }

node Coordinator {
  state phase: INIT | WAIT | COMMIT | ABORT = INIT
  state yes: set<Participant> = {}
  on start { broadcast VoteRequest to Participant; phase = WAIT }
  on Vote(c) from p when phase == WAIT {
    if c { yes += p } else { phase = ABORT; broadcast Decision(false) to Participant }
    if |yes| == N { phase = COMMIT; broadcast Decision(true) to Participant }
  }
}

node Participant[N] {
  stable state phase: INIT | READY | COMMIT | ABORT = INIT
  on VoteRequest from c {
    choose { phase = READY; send Vote(true) to c } or { phase = ABORT; send Vote(false) to c }
  }
  on Decision(c) { if c { phase = COMMIT } else { phase = ABORT } }
}

invariant Atomicity:
  not (exists p in Participant: p.phase == COMMIT and exists q in Participant: q.phase == ABORT)
eventually Termination: forall p in Participant: p.phase in {COMMIT, ABORT}

check explore { crash up to 1 of Coordinator; expect Termination violated }
`;

test('the two-phase commit of the language guide checks clean', () => {
  expectDiagnostics(twoPhaseCommit);
});

test('unknown message in send, broadcast, handler and budget (FTP202), with a suggestion', () => {
  expectDiagnostics(`
protocol P
message Ping
node A {
  on start { send Pnig to B; broadcast Pong to B }
//                ^^^^ FTP202 unknown message 'Pnig'; did you mean 'Ping'?
//                                     ^^^^ FTP202 unknown message 'Pong'
  on Png from b { }
//   ^^^ FTP202 did you mean 'Ping'?
}
node B { on Ping { } }
check explore { drop up to 1 of Pin }
//                              ^^^ FTP202 did you mean 'Ping'?
`);
});

test('unknown role in budgets and quorums (FTP203)', () => {
  expectDiagnostics(`
protocol P
node Replica[3] { }
quorum read Qr = 2 of Replicas
//                    ^^^^^^^^ FTP203 unknown node role 'Replicas'; did you mean 'Replica'?
check explore { crash up to 1 of Rplica; byzantine up to 1 of Client }
//                               ^^^^^^ FTP203 did you mean 'Replica'?
//                                                            ^^^^^^ FTP203 unknown node role 'Client'
`, { ignore: ['FTP306', 'FTP308'] });
});

test('unknown field or state (FTP204): p.x, named message arguments', () => {
  expectDiagnostics(`
protocol P
message Vote { value: bool, round: 0..3 }
node A[2] {
  state phase: IDLE | DONE = IDLE
  on start { send Vote(value: true, rond: 1) to A[1] }
//                                  ^^^^ FTP204 Vote has no field 'rond'; did you mean 'round'?
  on Vote(v, r) { }
}
invariant I: forall p in A: p.phse == IDLE
//                            ^^^^ FTP204 A has no state 'phse'; did you mean 'phase'?
`);
});

test('timers: a timeout for a timer never set, cancelling an unknown timer (FTP205)', () => {
  expectDiagnostics(`
protocol P
node A {
  on start { set timer retry after 3; cancel timer retyr }
//                                                 ^^^^^ FTP205 never sets timer 'retyr'
  on timeout retry { cancel timer retry }
  on timeout tick { }
//           ^^^^ FTP205 A never sets timer 'tick'
}
`);
});

test('duplicate declarations in one scope (FTP206) point at the first one', () => {
  const diagnostics = expectDiagnostics(`
protocol P
param N = 2
param N = 3
//    ^ FTP206 'N' is already declared as a param
message M { a: bool, b: bool, a: bool }
//                            ^ FTP206 already has a field 'a'
node N[2] {
//   ^ FTP206 already declared as a param
}
node A {
  state x: bool
  state x: 0..1
//      ^ FTP206 A already has a state 'x'
  state decided: bool
//      ^^^^^^^ FTP206 built-in field
  state e: X | Y | X
//                 ^ FTP206 label 'X' appears twice
  on start { let v = 1; let v = 2; send M(true, true, true) to A }
//                          ^ FTP206 'v' is already declared here as a let binding
  on M(a, a, c) { }
//        ^ FTP206 'a' is already declared here as a handler parameter
}
invariant M: true
//        ^ FTP206 already declared as a message
`, { ignore: ['FTP308', 'FTP302', 'FTP301'] });
  const first = diagnostics.find((d) => d.code === 'FTP206');
  if (!first || first.related.length !== 1 || !first.related[0]!.message.includes('first declared')) {
    throw new Error('FTP206 must point at the first declaration');
  }
});

test('unknown names (FTP201) suggest the closest visible name', () => {
  expectDiagnostics(`
protocol P
param Count = 2
node A {
  state votes: set<A> = {}
  on start {
    vots += self
//  ^^^^ FTP201 unknown state 'vots' in A; did you mean 'votes'?
    if |votes| == Cuont { votes = {} }
//                ^^^^^ FTP201 unknown name 'Cuont'; did you mean 'Count'?
    if zzz { }
//     ^^^ FTP201 unknown name 'zzz'
    if mni(votes) > 0 { }
//     ^^^ FTP201 unknown function 'mni'; did you mean 'min'?
  }
}
`);
});

test('unknown type names (FTP212) and types that are not types', () => {
  expectDiagnostics(`
protocol P
message M
type V = Vlaue
//       ^^^^^ FTP212 unknown type 'Vlaue'
type L = L
//       ^ FTP212 defined in terms of itself
node A {
  state x: Bool
//         ^^^^ FTP212 did you mean 'bool'?
  state y: M
//         ^ FTP212 'M' is a message, not a type
  state z: set<Replcia>
//             ^^^^^^^ FTP212 unknown type 'Replcia'
}
`, { ignore: ['FTP308'] });
});

test('unknown property in expect (FTP211)', () => {
  expectDiagnostics(`
protocol P
node A { }
invariant Safety: true
check explore { expect Safty holds }
//                     ^^^^^ FTP211 unknown property 'Safty'; did you mean 'Safety'?
scenario S { expect Liveness violated }
//                  ^^^^^^^^ FTP211 unknown property 'Liveness'
`);
});

test('scoping: locals shadow state, state shadows params, params shadow roles and labels', () => {
  expectDiagnostics(`
protocol P
param x = 3
message Go { x: bool }
node A {
  state x: 0..5 = 0
  on start { x = 2; send Go(true) to A }
  on Go(x) { if x { } }
}
invariant I: x == 3
`);
});

test('bare state names have no node in properties (FTP215); p.phase works', () => {
  expectDiagnostics(`
protocol P
node A[2] {
  state phase: IDLE | DONE = IDLE
  on start { decide phase }
}
invariant Bad: phase == DONE
//             ^^^^^ FTP215 state of which node? an invariant has no node of its own: write p.phase inside forall p in A
invariant Bad2: decided
//              ^^^^^^^ FTP215 write p.decided
invariant Good: forall p in A: p.phase == DONE implies p.decided and p.decision == DONE
eventually Self: self.phase == DONE
//               ^^^^ FTP215 'self' is only defined inside a handler
`);
});

test("a handler cannot read another node's state or observe failures (FTP215)", () => {
  expectDiagnostics(`
protocol P
message Ping
node A {
  state n: 0..3 = 0
  on start { send Ping to B; if self.n == 0 { n = 1 } }
}
node B {
  on Ping from a {
    if a.n == 1 { }
//     ^^^ FTP215 a node cannot read another node's state (a.n)
    if crashed(a) { }
//     ^^^^^^^^^^ FTP215 an observer's view
  }
}
`);
});

test('a state of another role is not visible in a handler (FTP201)', () => {
  expectDiagnostics(`
protocol P
node A { state n: 0..3 = 0
  on start { n = 1 } }
node B { on start { if n == 1 { } } }
//                     ^ FTP201 'n' is not a state of B (it belongs to A)
`);
});

test('a label with the name of a param, quorum or role could never be written (FTP206)', () => {
  expectDiagnostics(`
protocol P
param N = 2
node A { state s: N | M = M
//                ^ FTP206 label 'N' is hidden by the param 'N'
  on start { s = M } }
`);
});
