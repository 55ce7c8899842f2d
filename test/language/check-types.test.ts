import { test } from 'node:test';
import { expectDiagnostics } from '../support/markers.js';

// Types: arity, assignments, conditions, operators, domains, enums, node ids, events.

test('message arguments: count, all-named, missing and repeated names (FTP207, FTP206)', () => {
  expectDiagnostics(`
protocol P
message Vote { value: bool, round: 0..3 }
node A[2] {
  on start {
    send Vote(true) to A[1]
//            ^^^^ FTP207 Vote has 2 fields (value, round), but 1 argument is given
    send Vote to A[1]
//       ^^^^ FTP207 but 0 arguments are given
    send Vote(value: true, 2) to A[1]
//            ^^^^^^^^^^^^^^ FTP207 all positional or all named
    send Vote(round: 1) to A[1]
//       ^^^^ FTP207 Vote needs a value for 1 field: value
    send Vote(value: true, round: 1, value: false) to A[1]
//                                   ^^^^^ FTP206 field 'value' is given twice
  }
  on Vote(v) { }
//        ^ FTP207 a handler binds all of them or none, not 1
  on Vote { }
  on Vote(v, r) from p { }
}
`);
});

test('argument, assignment and initial value types (FTP208)', () => {
  expectDiagnostics(`
protocol P
message Vote { value: bool, round: 0..3 }
node A[2] {
  state phase: IDLE | BUSY = IDLE
  state n: int = true
//               ^^^^ FTP208 the initial value of 'n': expected int, found bool
  state m: map<A, bool> = {}
  state s: seq<0..3> = []
  on start {
    send Vote(1, true) to A[1]
//            ^ FTP208 field 'value' of Vote: expected bool, found int
//               ^^^^ FTP208 field 'round' of Vote: expected 0..3, found bool
    phase = DONE
//          ^^^^ FTP208 DONE is not a label of IDLE | BUSY (labels: IDLE, BUSY)
    phase = BUSY
    m[self] = 1
//            ^ FTP208 expected bool, found int
    m[1] = true
//    ^ FTP208 a map key: expected A, found int
    n = n + 1
    phase[1] = IDLE
//        ^ FTP208 only maps and sequences can be indexed
  }
  on Vote(v, r) { }
}
node B { state other: OTHER | DONE = DONE }
invariant I: forall p in B: p.other == DONE
`, { ignore: ['FTP308'] });
});

test('conditions must be bool; arithmetic needs whole numbers (FTP208)', () => {
  expectDiagnostics(`
protocol P
message Go { n: 0..3 }
node A {
  state k: 0..9 = 0
  state s: set<0..3> = {}
  on Go(n) when n {
//              ^ FTP208 a guard must be a bool, not 0..3
    if k { }
//     ^ FTP208 the condition of if must be a bool, not 0..9
    k = k + true
//          ^^^^ FTP208 '+' needs whole numbers, not bool
    k = k * s
//          ^ FTP208 '*' needs whole numbers, not set<0..3>
    if not k { }
//         ^ FTP208 the operand of 'not' must be a bool
    if k < s { }
//         ^ FTP208 '<' compares whole numbers
    s = s + {n}
    k = if k > 0 then k else false
//                           ^^^^^ FTP208 the branches of if/then/else differ: 0..9 and bool
  }
  on start { send Go(1) to A }
}
`);
});

test('+= and -= on sets, sequences and numbers', () => {
  expectDiagnostics(`
protocol P
node A[2] {
  state s: set<A> = {}
  state q: seq<0..3> = []
  state n: int = 0
  state b: bool = false
  on start {
    s += self
    s -= self
    s += 1
//       ^ FTP208 cannot add to set<A>: expected A, found int
    s += {self}
//       ^^^^^^ FTP208 to add to several, write s = s union ...
    q += 2
    q -= 2
//  ^^^^^^ FTP208 a sequence only grows
    n += 2
    n -= 1
    b += true
//  ^^^^^^^^^ FTP208 '+=' works on sets, sequences and whole numbers; 'b' is a bool
  }
}
invariant I: forall p in A: |p.s| >= 0 and |p.q| >= 0 and p.n >= 0 and not p.b
`);
});

test('membership, domains and sizes', () => {
  expectDiagnostics(`
protocol P
param N = 3
node A[N] {
  state s: set<0..3> = {}
  state q: seq<bool> = []
  state m: map<A, 0..3> = {}
  state b: bool = false
  on start {
    if 1 in s and true in q and self in A { }
    if 1 in b { }
//          ^ FTP208 'in' needs a set, a sequence or a role on its right, not bool
    choose v in 0..N { s += v }
    choose p in A { m[p] = 1 }
    choose x in q { }
//              ^ FTP208 a domain must be a set, a role or a range lo..hi, not seq<bool>
    if |s| + |q| + |m| + |A| > |b| { }
//                              ^ FTP208 |...| needs a set, map, sequence or role, not bool
  }
}
invariant I: forall p in A: (count x in 0..3 where x in p.s) <= N
`, { ignore: ['FTP308'] });
});

test('enum labels compare by name; a label missing from the enum is FTP208 with its labels', () => {
  expectDiagnostics(`
protocol P
node A[2] {
  state phase: INIT | READY | COMMIT | ABORT = INIT
  state mode: FAST | SLOW = FAST
  on start { phase = READY; mode = SLOW }
}
invariant Ok: forall p in A: p.phase in {COMMIT, ABORT} or p.phase == INIT
invariant Wrong: forall p in A: p.phase == FAST
//                                         ^^^^ FTP208 FAST is not a label of INIT | READY | COMMIT | ABORT (labels: INIT, READY, COMMIT, ABORT)
invariant WrongIn: forall p in A: p.phase in {COMMIT, SLOW}
//                                                    ^^^^ FTP208 SLOW is not a label of INIT | READY | COMMIT | ABORT
invariant Disjoint: forall p in A: p.phase == p.mode
//                                 ^^^^^^^^^^^^^^^^^ FTP208 share no label
`);
});

test('node ids: R is assignable to node; ids of different roles never compare equal', () => {
  expectDiagnostics(`
protocol P
message Ping
node A {
  state last: node = A
  state peer: B = B[1]
  on start { send Ping to B[1]; last = peer; peer = last }
//                                                  ^^^^ FTP208 expected a B id, found the id of any node
}
node B[1] {
  state mine: B = B[1]
  on Ping from a { if a == mine { } }
//                    ^^^^^^^^^ FTP208 a A id is never equal to a B id
}
`, { ignore: ['FTP308'] });
});

test('send needs one node id, broadcast a set or a role; single-node roles are ids', () => {
  expectDiagnostics(`
protocol P
message Ping
node Leader {
  on start {
    send Ping to Follower
//               ^^^^^^^^ FTP208 send needs one node id, not set<Follower>; use broadcast
    broadcast Ping to Follower
    broadcast Ping to Follower[1]
//                    ^^^^^^^^^^^ FTP208 broadcast needs a role or a set of node ids, not Follower; use send for one node
    broadcast Ping to Leader
    send Ping to Leader
    send Ping to 3
//               ^ FTP208 send needs one node id, not int
  }
  on Ping { }
}
node Follower[2] { on Ping { } }
`);
});

test('Role[i]: a single node cannot be indexed; literal indexes outside the role', () => {
  expectDiagnostics(`
protocol P
param N = 2
message Ping
node Leader {
  on Ping { }
  on start {
    send Ping to Leader[1]
//               ^^^^^^^^^ FTP208 Leader is a single node: write Leader
    send Ping to Follower[0]
//                        ^ FTP208 node numbers start at 1
    send Ping to Follower[3]
//                        ^ FTP208 (warning) Follower[3] is out of range: Follower has N = 2 nodes
    send Ping to Follower[N]
  }
}
node Follower[N] { on Ping { } }
`);
});

test('assignments to params, locals, roles, labels and built-ins (FTP209, FTP210)', () => {
  expectDiagnostics(`
protocol P
param N = 2
quorum write Q = 2 of A
message Go { v: bool }
node A[N] {
  state phase: IDLE | DONE = IDLE
  on Go(v) from p {
    N = 3
//  ^ FTP210 cannot assign to param 'N': params are constants
    v = false
//  ^ FTP209 cannot assign to 'v': it is a handler parameter
    p = self
//  ^ FTP209 it is a sender binding
    let k = 1
    k = 2
//  ^ FTP209 it is a let binding
    A = {}
//  ^ FTP209 it is a node role
    Q = 1
//  ^ FTP209 it is a quorum
    DONE = IDLE
//  ^^^^ FTP209 it is an enum label
    decided = true
//  ^^^^^^^ FTP209 written by 'decide'
    phase = DONE
  }
  on start { broadcast Go(true) to A }
}
`, { ignore: ['FTP306'] });
});

test('decide and deliver: one type per role; p.decision and p.delivered take it', () => {
  expectDiagnostics(`
protocol P
node A[2] {
  state v: 0..1 = 0
  on start { decide v; deliver true }
  on recover { decide true; deliver false }
//                    ^^^^ FTP208 A must decide values of one type: this is bool, an earlier decide is 0..1
}
node B { on start { if decision == 1 { decide 1 } } }
invariant Agreement: forall p in A: forall q in A: p.decided and q.decided implies p.decision == q.decision
invariant Delivery: forall p in A: |p.delivered| <= 2 and (true in p.delivered or p.decision == 0)
invariant Never: forall p in A: p.delivered == [1]
//                              ^^^^^^^^^^^^^^^^^^ FTP208 cannot compare bool with int
eventually C: C2.decision == 1
//               ^^^^^^^^ FTP204 C2 never decides
node C2 { }
`);
});

test('built-ins: min, max, index, crashed, correct, byzantine', () => {
  expectDiagnostics(`
protocol P
node A[3] {
  state s: set<0..5> = {}
  state seen: set<A> = {}
  on start { if min(s) < max(s) and index(self) == 1 { s += 1 } }
  on recover { if max(seen) > 0 { } }
//                    ^^^^ FTP208 max needs a set of whole numbers, not set<A>
}
invariant I: forall p in A: correct(p) and not crashed(p) implies not byzantine(p) or index(p) > 0
invariant J: min(1, 2) > 0
//           ^^^^^^^^^ FTP207 min takes 1 argument, 2 given
invariant K: crashed(1)
//                   ^ FTP208 crashed needs a node id, not int
`);
});

test('the sender binding has the type of the only role that sends the message', () => {
  expectDiagnostics(`
protocol P
message Req
message Ack
node Client { on start { send Req to Server } on Ack { } }
node Server {
  state clients: set<Client> = {}
  on Req from c { clients += c; send Ack to c }
}
node Other {
  state seen: set<Client> = {}
  on Ack from s { seen += s }
//                        ^ FTP208 cannot add to set<Client>: expected a Client id, found a Server id
}
`);
});
