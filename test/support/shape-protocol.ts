import fc from 'fast-check';

// Small random protocols whose features (faults, FIFO, timers, sets, Byzantine
// nodes, overflowing counters...) vary: the word-level generator and the parallel
// explorer are both held to the interpreter's results on them.

export interface Shape {
  n: number;
  fifo: boolean;
  lossy: boolean;
  crashLeader: number;
  recover: boolean;
  whileSending: boolean;
  crashMember: number;
  drop: number;
  duplicate: number;
  timer: boolean;
  selfPing: boolean;
  overflow: boolean;
  stableCount: boolean;
  sets: boolean;
  byzantine: number;
  /** With an unbounded \`eventually\` property (whose infinite-run search changes how states are checked). */
  eventually: boolean;
  depth: number;
}

/** A small protocol with scalar state whose features vary with `c`. */
export function protocol(c: Shape): string {
  const budgets = [
    c.crashLeader > 0 ? `crash up to ${c.crashLeader} of Leader${c.recover ? ' and recover' : ''}${c.whileSending ? ' while sending' : ''}` : '',
    c.crashMember > 0 ? `crash up to ${c.crashMember} of Member` : '',
    c.drop > 0 ? `drop up to ${c.drop}` : '',
    c.duplicate > 0 ? `duplicate up to ${c.duplicate} of Vote` : '',
    c.byzantine > 0 ? `byzantine up to ${c.byzantine} of Member` : '',
  ].filter((b) => b !== '');
  return `protocol Shape
param N = ${c.n}
message Prepare
message Vote { yes: bool, weight: 0..2 }
message Outcome { commit: bool${c.sets ? ', who: set<Member>' : ''} }
message Ping
network async ${c.fifo ? 'fifo' : 'unordered'} ${c.lossy ? 'lossy' : 'reliable'}
node Leader {
  state phase: INIT | WAIT | DONE = INIT
  ${c.stableCount ? 'stable ' : ''}state yes: 0..${c.overflow ? 1 : 3} = 0
  state pings: 0..2 = 0
  ${c.sets ? 'state voters: set<Member> = {}' : ''}
  on start { broadcast Prepare to Member; phase = WAIT${c.timer ? '; set timer retry after 1' : ''}${c.selfPing ? '; send Ping to self' : ''} }
  on Vote(v, w) from m when phase == WAIT {
    ${c.sets ? 'voters += m' : ''}
    if v { yes += 1; if yes == N { phase = DONE; broadcast Outcome(true${c.sets ? ', voters' : ''}) to Member } }
    else { phase = DONE; broadcast Outcome(false${c.sets ? ', voters' : ''}) to Member }
  }
  on Ping { if pings < 2 { pings += 1; send Ping to self } }
  ${c.timer ? 'on timeout retry when phase == WAIT { broadcast Prepare to Member }' : ''}
  ${c.recover ? 'on recover { if phase == INIT { broadcast Prepare to Member; phase = WAIT } }' : ''}
}
node Member[N] {
  stable state phase: INIT | READY | COMMIT | ABORT = INIT
  state votes: 0..3 = 0
  on Prepare from l {
    choose { phase = READY; votes += 1; send Vote(true, 1) to l } or { phase = ABORT; send Vote(false, 0) to l }
  }
  on Outcome(x${c.sets ? ', w' : ''}) { if x { phase = COMMIT } else { phase = ABORT } }
}
invariant Agreement: not (exists p in Member: p.phase == COMMIT and exists q in Member: q.phase == ABORT)
invariant NoCommit: forall p in Member: p.phase != COMMIT
${c.eventually ? 'eventually Done: forall p in Member: p.phase in {COMMIT, ABORT}' : ''}
check explore { ${budgets.join('; ')}${c.depth > 0 ? `; depth ${c.depth}` : ''} }
`;
}

export const shapes: fc.Arbitrary<Shape> = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  fifo: fc.boolean(),
  lossy: fc.boolean(),
  crashLeader: fc.integer({ min: 0, max: 1 }),
  recover: fc.boolean(),
  whileSending: fc.boolean(),
  crashMember: fc.integer({ min: 0, max: 1 }),
  drop: fc.integer({ min: 0, max: 1 }),
  duplicate: fc.integer({ min: 0, max: 1 }),
  timer: fc.boolean(),
  selfPing: fc.boolean(),
  overflow: fc.boolean(),
  stableCount: fc.boolean(),
  sets: fc.boolean(),
  byzantine: fc.integer({ min: 0, max: 1 }),
  eventually: fc.boolean(),
  depth: fc.constantFrom(0, 0, 3, 6),
});
