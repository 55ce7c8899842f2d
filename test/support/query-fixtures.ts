/**
 * Small protocols for the editor-query tests: a two-phase commit with a timer,
 * and Byzantine generals whose node count misses 3f+1 by one.
 */

export const twoPhaseCommit = `protocol TwoPhaseCommit
param N = 3

message VoteRequest
message Vote { commit: bool }
message Decision { commit: bool }

node Coordinator {
  state phase: INIT | WAIT | COMMIT | ABORT = INIT
  state yes: set<Participant> = {}
  on start { broadcast VoteRequest to Participant; phase = WAIT; set timer t after 5 }
  on Vote(c) from p when phase == WAIT {
    if c { yes += p } else { phase = ABORT; broadcast Decision(false) to Participant }
    if |yes| == N { phase = COMMIT; broadcast Decision(true) to Participant }
  }
  on timeout t when phase == WAIT { phase = ABORT; broadcast Decision(false) to Participant }
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

scenario CoordinatorCrashAfterVotes {
  crash Coordinator after receive Vote from Participant[3]
  expect Atomicity holds
  expect Termination violated
}

check explore { crash up to 1 of Coordinator; expect Termination violated }
`;

export const byzantineGenerals = `protocol Generals
param N = 3
param f = 1

message Order { value: bool }

node General[N] {
  state v: bool = any
  state got: set<General> = {}
  on start { broadcast Order(v) to General }
  on Order(x) from g { got += g }
}

invariant Agreement: forall p in General: forall q in General: correct(p) and correct(q) implies p.v == q.v

check explore { byzantine up to f of General; depth 10 }
`;
